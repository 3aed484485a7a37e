/// SARIF 2.1.0, the format GitHub code scanning reads: one run, the rule table, and a result
/// per finding with its region.
public enum SARIFReport {
    public static func render(_ analyses: [Analysis]) -> String {
        value(analyses).serialized()
    }

    static func value(_ analyses: [Analysis]) -> JSONValue {
        let rules = RuleRegistry.descriptions
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        var results = [JSONValue]()
        for analysis in analyses {
            for diagnostic in analysis.diagnostics {
                results.append(result(diagnostic, file: analysis.source.path, ruleIndex: index[diagnostic.rule]))
            }
        }
        let driver: JSONValue = .object([
            ("name", .string("convlint")),
            ("version", .string(ConvLintVersion.current)),
            ("rules", .array(rules.map(rule))),
        ])
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([
                .object([
                    ("tool", .object([("driver", driver)])),
                    // convlint counts columns in Unicode code points, as libyaml does.
                    ("columnKind", .string("unicodeCodePoints")),
                    ("results", .array(results)),
                ])
            ])),
        ])
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    private static func rule(_ rule: RuleDescription) -> JSONValue {
        .object([
            ("id", .string(rule.id)),
            ("name", .string(rule.id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())),
            ("shortDescription", .object([("text", .string(rule.summary))])),
            ("fullDescription", .object([("text", .string(rule.rationale))])),
            ("help", .object([("text", .string("convlint explain \(rule.id)"))])),
            ("defaultConfiguration", .object([("level", .string(level(rule.severity)))])),
            ("properties", .object([("tags", .array([.string(rule.kind.rawValue)]))])),
        ])
    }

    private static func result(_ diagnostic: Diagnostic, file: String, ruleIndex: Int?) -> JSONValue {
        var text = diagnostic.message
        if let help = diagnostic.help { text += "\nhelp: \(help)" }
        for note in diagnostic.notes { text += "\nnote: \(note)" }
        var physical: [(String, JSONValue)] = [("artifactLocation", .object([("uri", .string(file))]))]
        if let location = diagnostic.location {
            physical.append(
                ("region", .object([
                    ("startLine", .int(location.line)),
                    ("startColumn", .int(location.column)),
                    ("endColumn", .int(location.column + min(location.length, 10_000))),
                ])))
        }
        var object: [(String, JSONValue)] = [("ruleId", .string(diagnostic.rule))]
        if let ruleIndex { object.append(("ruleIndex", .int(ruleIndex))) }
        object += [
            ("level", .string(level(diagnostic.severity))),
            ("message", .object([("text", .string(text))])),
            ("locations", .array([.object([("physicalLocation", .object(physical))])])),
        ]
        return .object(object)
    }
}
