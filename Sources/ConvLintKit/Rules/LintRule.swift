/// A numeric setting of a rule, such as `fc-dominates-params`' threshold.
public struct RuleParameter: Sendable {
    public var name: String
    public var defaultValue: Double
    public var summary: String
}

/// What a rule is, why it exists and how it shows itself: the data behind `convlint rules`,
/// `convlint explain`, SARIF's rule table and the tests that run every example.
public struct RuleDescription: Sendable {
    public enum Kind: String, Sendable {
        /// Reading the file: YAML, keys, pattern syntax, names and arguments.
        case input
        /// The shape rules of SPEC §4: a network that cannot be built as written.
        case shape
        /// A rule of thumb from the CS231n notes: the network builds, but is likely not what you want.
        case lint
        /// A check against a resource given on the command line, such as `--gpu-memory`.
        case budget
    }

    public var id: String
    public var kind: Kind
    public var severity: Severity
    /// One line, for listings.
    public var summary: String
    /// Why the rule exists, in a paragraph.
    public var rationale: String
    /// What the rule deliberately does not fire on, and why: the published designs it leaves alone.
    public var exemptions: String = ""
    /// Architecture files (YAML) that trigger the rule.
    public var triggering: [String]
    /// Architecture files that do not, the first of them being the fix of the first triggering one.
    public var nonTriggering: [String]
    public var parameters: [RuleParameter] = []

    /// Lint rules and warnings can be configured and suppressed; errors that make a network
    /// unbuildable cannot.
    public var isConfigurable: Bool { kind == .lint || kind == .budget || severity != .error }
}

/// A rule of thumb checked on a network that was sized without errors.
public protocol LintRule: Sendable {
    static var description: RuleDescription { get }
    init()
    /// Findings with this rule's id; the linter sets their severity from the configuration.
    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic]
}

extension LintRule {
    var id: String { Self.description.id }

    func finding(
        _ message: String, at layer: LayerReport, help: String? = nil, notes: [String] = []
    ) -> Diagnostic {
        Diagnostic(
            Self.description.id, message, at: layer.node.location, severity: Self.description.severity, help: help,
            notes: notes + layer.node.calledFrom.reversed().map { "in the block called at line \($0.line), column \($0.column)" })
    }
}
