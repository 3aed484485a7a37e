/// `convlint explain ID`: the rule's rationale, an example that triggers it with the finding it
/// gives, and the fix.
public enum RuleExplanation {
    public static func render(_ rule: RuleDescription, color: Bool = false) -> String {
        var out = [
            "\(rule.id) (\(rule.kind.rawValue) rule, default severity \(rule.severity.rawValue)"
                + (rule.isConfigurable ? "" : ", cannot be disabled") + ")",
            "",
            rule.summary.prefix(1).uppercased() + rule.summary.dropFirst() + ".",
            "",
            wrap(rule.rationale, width: 88),
        ]
        if !rule.exemptions.isEmpty { out += ["", wrap("Does not fire on: " + rule.exemptions, width: 88)] }
        if !rule.parameters.isEmpty {
            out += ["", "Settings (in .convlint.yml, e.g. '\(rule.id): {\(rule.parameters[0].name): …}'):"]
            for parameter in rule.parameters {
                out.append("  \(parameter.name) = \(LayerColumns.number(parameter.defaultValue)): \(parameter.summary)")
            }
        }
        if let example = rule.triggering.first {
            out += ["", "Example that triggers it:", "", indent(example)]
            let source = SourceFile(path: "example.yaml", text: example)
            let findings = Checker.check(source: source).diagnostics.filter { $0.rule == rule.id }
            let renderer = DiagnosticRenderer(color: color)
            out += findings.map { "" + indent(renderer.render($0, in: source)) }
        }
        if let fix = rule.nonTriggering.first {
            out += ["", "Fixed:", "", indent(fix)]
        }
        return out.joined(separator: "\n")
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }

    /// Breaks a paragraph at spaces so that lines stay under `width`.
    static func wrap(_ text: String, width: Int) -> String {
        var lines = [String]()
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
