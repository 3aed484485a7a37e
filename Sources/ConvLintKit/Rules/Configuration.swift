import Foundation

/// How one rule is set in `.convlint.yml`.
public struct RuleSetting: Sendable, Equatable {
    public var enabled: Bool?
    public var severity: Severity?
    public var parameters: [String: Double] = [:]
}

/// A `.convlint.yml`: rule ids at the top level, each `off`, `on`, a severity, or a map of
/// `enabled`, `severity` and the rule's parameters:
///
///     large-filter: off
///     strided-conv: warning
///     fc-dominates-params: {threshold: 0.6}
public struct Configuration: Sendable {
    public static let fileNames = [".convlint.yml", ".convlint.yaml"]

    public var settings: [String: RuleSetting] = [:]
    /// The file it was read from, if any.
    public var path: String?

    public init(settings: [String: RuleSetting] = [:], path: String? = nil) {
        self.settings = settings
        self.path = path
    }

    public func isEnabled(_ rule: RuleDescription) -> Bool { settings[rule.id]?.enabled ?? true }

    public func severity(of rule: RuleDescription) -> Severity { settings[rule.id]?.severity ?? rule.severity }

    public func parameters(of rule: RuleDescription) -> [String: Double] {
        var values = Dictionary(uniqueKeysWithValues: rule.parameters.map { ($0.name, $0.defaultValue) })
        values.merge(settings[rule.id]?.parameters ?? [:]) { $1 }
        return values
    }

    /// The nearest configuration file in `directory` or a folder above it.
    public static func find(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            for name in fileNames {
                let candidate = url.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }
}

/// A configuration file that cannot be used, with the finding that says why.
public struct ConfigurationError: Error {
    public var source: SourceFile
    public var diagnostic: Diagnostic
}

extension Configuration {
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path), data.count <= Limits.fileBytes,
            let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(
                source: SourceFile(path: path, text: ""),
                diagnostic: Diagnostic(
                    RuleID.unreadableFile, "cannot read the configuration \(path)", at: nil,
                    help: "it must be a UTF-8 YAML file of at most 1 MiB"))
        }
        let source = SourceFile(path: path, text: text)
        do throws(Diagnostic) {
            return try ConfigurationDecoder(source: source).decode()
        } catch {
            throw ConfigurationError(source: source, diagnostic: error)
        }
    }
}

private struct ConfigurationDecoder {
    let source: SourceFile

    func decode() throws(Diagnostic) -> Configuration {
        let root: YAMLNode?
        do {
            root = try YAMLDocument.compose(source)
        } catch {
            throw Diagnostic(RuleID.yamlSyntax, "malformed YAML: \(error.message)", at: error.location)
        }
        guard let root else { return Configuration(path: source.path) }
        guard case .mapping(let pairs) = root.content else {
            throw Diagnostic(
                RuleID.fileFormat, "a configuration is a map of rule ids, but this is \(root.kindName)",
                at: root.location, help: "for example 'large-filter: off'")
        }
        var settings = [String: RuleSetting]()
        for (key, value) in pairs {
            guard let id = key.scalar, let rule = RuleRegistry.description(of: id) else {
                let name = key.scalar ?? ""
                throw Diagnostic(
                    RuleID.fileFormat, "unknown rule '\(name)'\(Suggestion.phrase(for: name, among: RuleRegistry.ids))",
                    at: key.location.withLength(name), help: "'convlint rules' lists them")
            }
            guard rule.isConfigurable else {
                throw Diagnostic(
                    RuleID.fileFormat, "'\(id)' cannot be configured: it reports a network that cannot be built",
                    at: key.location.withLength(id), help: "fix the network, or change 'rounding:' where the rule allows it")
            }
            guard settings[id] == nil else {
                throw Diagnostic(RuleID.fileFormat, "'\(id)' is set twice", at: key.location.withLength(id))
            }
            settings[id] = try setting(value, for: rule)
        }
        return Configuration(settings: settings, path: source.path)
    }

    private func setting(_ node: YAMLNode, for rule: RuleDescription) throws(Diagnostic) -> RuleSetting {
        let help = "write 'off', 'on', 'error', 'warning', 'info', or a map such as {severity: warning"
            + (rule.parameters.first.map { ", \($0.name): \(LayerColumns.number($0.defaultValue))" } ?? "") + "}"
        switch node.content {
        case .scalar(let text, _):
            if let flag = Self.flag(text) { return RuleSetting(enabled: flag) }
            if let severity = Severity(rawValue: text.lowercased()) { return RuleSetting(enabled: true, severity: severity) }
            throw Diagnostic(
                RuleID.fileFormat, "'\(text)' is not a setting of \(rule.id)", at: node.location.withLength(text), help: help)
        case .mapping(let pairs):
            var setting = RuleSetting(enabled: true)
            for (key, value) in pairs {
                let name = key.scalar ?? ""
                let text = value.scalar ?? ""
                switch name {
                case "enabled":
                    guard let flag = Self.flag(text) else {
                        throw Diagnostic(RuleID.fileFormat, "'enabled' must be true or false", at: value.location)
                    }
                    setting.enabled = flag
                case "severity":
                    guard let severity = Severity(rawValue: text.lowercased()) else {
                        throw Diagnostic(
                            RuleID.fileFormat, "'\(text)' is not a severity", at: value.location.withLength(text),
                            help: "use error, warning or info")
                    }
                    setting.severity = severity
                default:
                    guard rule.parameters.contains(where: { $0.name == name }) else {
                        let names = ["enabled", "severity"] + rule.parameters.map(\.name)
                        throw Diagnostic(
                            RuleID.fileFormat,
                            "\(rule.id) has no setting '\(name)'\(Suggestion.phrase(for: name, among: names))",
                            at: key.location.withLength(name), help: "its settings are: \(names.joined(separator: ", "))")
                    }
                    guard let number = Double(text), number.isFinite else {
                        throw Diagnostic(
                            RuleID.fileFormat, "'\(name)' must be a number", at: value.location, help: help)
                    }
                    setting.parameters[name] = number
                }
            }
            return setting
        case .sequence:
            throw Diagnostic(RuleID.fileFormat, "\(rule.id) cannot be set to a list", at: node.location, help: help)
        }
    }

    private static func flag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "yes": true
        case "off", "false", "no": false
        default: nil
        }
    }
}
