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

/// `KIND.ARGUMENT=VALUE` from the command line (a sweep's `--vary CONV.size=3,5`): one argument
/// of a kind's `defaults`, written as in the file.
public enum DefaultOverride {
    /// The kind's upper-case name and the argument, or nil when `name` is not `KIND.ARGUMENT`.
    public static func split(_ name: String) -> (kind: String, argument: String)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    static func parse(kind: String, argument: String, text: String) throws(Diagnostic) -> Operand {
        let source = SourceFile(path: "\(kind).\(argument)", text: text)
        let root: YAMLNode?
        do {
            root = try YAMLDocument.compose(source)
        } catch {
            throw Diagnostic(RuleID.badArgument, "\(kind).\(argument)=\(text): \(error.message)", at: nil)
        }
        guard let root else { throw Diagnostic(RuleID.badArgument, "\(kind).\(argument)= has no value", at: nil) }
        return try ArchitectureDecoder(source: source).singleOperand(root, for: argument)
    }
}
