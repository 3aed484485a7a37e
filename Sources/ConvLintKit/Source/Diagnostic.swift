/// How bad a finding is. Errors fail the check; warnings fail it only under `--strict`.
public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, info

    private var rank: Int {
        switch self {
        case .error: 2
        case .warning: 1
        case .info: 0
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding about an architecture file, located at the token that caused it.
public struct Diagnostic: Error, Sendable, Equatable {
    /// A stable identifier such as `non-integer-output`, shown as `error[non-integer-output]`.
    public var rule: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    /// A concrete fix, computed from the numbers where possible.
    public var help: String?
    /// Further context, such as the block call that produced a layer.
    public var notes: [String]

    public init(
        _ rule: String, _ message: String, at location: SourceLocation?,
        severity: Severity = .error, help: String? = nil, notes: [String] = []
    ) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.location = location
        self.help = help
        self.notes = notes
    }
}

/// Rule identifiers of the findings the static pipeline reports.
public enum RuleID {
    public static let yamlSyntax = "yaml-syntax"
    /// A pattern line YAML read as a list or map: a finding (exit 1), not malformed YAML.
    public static let unquotedPattern = "unquoted-pattern"
    public static let unreadableFile = "unreadable-file"
    public static let fileFormat = "file-format"
    public static let patternSyntax = "pattern-syntax"
    public static let unknownName = "unknown-name"
    public static let badArgument = "bad-argument"
    public static let expansionLimit = "expansion-limit"
    public static let nonIntegerOutput = "non-integer-output"
    public static let roundedOutput = "rounded-output"
    public static let invalidShape = "invalid-shape"
    public static let paddingExceedsKernel = "padding-exceeds-kernel"
    public static let unusedSuppression = "unused-suppression"
    public static let branchMismatch = "branch-mismatch"
    public static let unusedDefinition = "unused-definition"
    public static let unknownOverride = "unknown-override"
    public static let overflow = "arithmetic-overflow"
}
