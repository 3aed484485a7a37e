import ArgumentParser
import ConvLintKit
import Foundation

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every rule: its id, kind, severity and whether it is enabled.",
        discussion: "Rules are configured in .convlint.yml (found from the checked file's folder upward) or --config.")

    @Option(help: "A configuration file to show the effect of.")
    var config: String?

    func run() throws {
        let configuration = try ConfigurationLoader.load(explicit: config, near: FileManager.default.currentDirectoryPath)
        var rows = [["RULE", "KIND", "SEVERITY", "ENABLED", "SUMMARY"]]
        for rule in RuleRegistry.descriptions {
            let enabled = rule.isConfigurable ? (configuration.isEnabled(rule) ? "yes" : "no") : "always"
            rows.append([rule.id, rule.kind.rawValue, configuration.severity(of: rule).rawValue, enabled, rule.summary])
        }
        print(TextReport.align(rows, rightAligned: []).joined(separator: "\n"))
        print("\n'convlint explain ID' prints a rule's rationale with an example.")
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a rule: why it exists, an example that triggers it, and the fix.")

    @Argument(help: "A rule id, e.g. large-filter. 'convlint rules' lists them.")
    var rule: String

    func run() throws {
        guard let description = RuleRegistry.description(of: rule) else {
            let hint = RuleRegistry.ids.first { $0.contains(rule.lowercased()) }.map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("unknown rule '\(rule)'\(hint); 'convlint rules' lists them")
        }
        print(RuleExplanation.render(description, color: Terminal.supportsColor(fileDescriptor: 1)))
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of the architecture file format, for editors.",
        discussion: """
            With a YAML language server, put '# yaml-language-server: $schema=PATH' on a file's \
            first line, or map 'architectures/*.yaml' to the schema in your editor's settings. \
            The same schema is committed as docs/convlint.schema.json.
            """)

    func run() throws { print(ArchitectureSchema.json) }
}
