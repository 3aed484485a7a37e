/// `--set NAME=VALUE`: a variable given on the command line, its value written as in YAML.
public enum VariableOverride {
    public static func parse(name: String, text: String) throws(Diagnostic) -> VariableValue {
        let source = SourceFile(path: "--set \(name)", text: text)
        let root: YAMLNode?
        do {
            root = try YAMLDocument.compose(source)
        } catch {
            throw Diagnostic(
                RuleID.badArgument, "--set \(name)=\(text): \(error.message)", at: nil,
                help: "values are written as in YAML: 3, true or [64, 128, 256]")
        }
        guard let root else {
            throw Diagnostic(RuleID.badArgument, "--set \(name)= has no value", at: nil, help: "e.g. --set \(name)=3")
        }
        return try ArchitectureDecoder(source: source).variableValue(root, name: name)
    }
}
