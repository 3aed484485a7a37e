/// Runs the lint rules on a sized network and applies the configuration and the file's
/// suppression comments to every finding.
public struct Linter {
    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public func lint(_ analysis: Analysis) -> Analysis {
        var result = analysis
        var findings = [Diagnostic]()
        if analysis.isValid, !analysis.layers.isEmpty {
            for rule in RuleRegistry.lintRules where configuration.isEnabled(rule.description) {
                findings += rule.init().check(analysis, parameters: configuration.parameters(of: rule.description))
            }
        }
        let pools = findings.filter { $0.rule == OverlappingPoolFit.description.id }
        var diagnostics = analysis.diagnostics.filter { !OverlappingPoolFit.supersedes($0, pools) } + findings
        diagnostics = diagnostics.compactMap(configure)
        var suppressions = Suppression.parse(analysis.source)
        diagnostics = diagnostics.filter { diagnostic in
            guard RuleRegistry.description(of: diagnostic.rule)?.isConfigurable == true else { return true }
            let covering = suppressions.indices.filter { suppressions[$0].covers(diagnostic) }
            for index in covering { suppressions[index].used = true }
            return covering.isEmpty
        }
        diagnostics += suppressions.filter { !$0.used }.compactMap(unusedSuppression)
        // By position in the file; findings at one position keep their order.
        result.diagnostics = Self.folded(
            diagnostics.enumerated()
                .sorted { (Self.position($0.element) + [$0.offset]).lexicographicallyPrecedes(Self.position($1.element) + [$1.offset]) }
                .map(\.element))
        return result
    }

    /// One finding for each place and message: a layer repeated by `*N` that trips a rule the
    /// same way in every copy is reported once, with how many copies do (65,536 MAXPOOLs from
    /// `[[[[MAXPOOL]*16]*16]*16]*16` printed 65,532 identical warnings).
    static func folded(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        struct Key: Hashable {
            var rule: String, message: String, line: Int, column: Int, help: String?
        }
        var first = [Key: Int]()
        var repeats = [Int: Int]()
        var kept = [Diagnostic]()
        for diagnostic in diagnostics {
            guard let location = diagnostic.location else {
                kept.append(diagnostic)
                continue
            }
            let key = Key(
                rule: diagnostic.rule, message: diagnostic.message, line: location.line, column: location.column,
                help: diagnostic.help)
            if let index = first[key] {
                repeats[index, default: 0] += 1
            } else {
                first[key] = kept.count
                kept.append(diagnostic)
            }
        }
        for (index, count) in repeats {
            kept[index].notes.append("and \(count.grouped) more time\(count == 1 ? "" : "s") in the layers this pattern repeats")
        }
        return kept
    }

    private static func position(_ diagnostic: Diagnostic) -> [Int] {
        [diagnostic.location?.line ?? 0, diagnostic.location?.column ?? 0]
    }

    /// Drops findings of disabled rules and applies configured severities.
    private func configure(_ diagnostic: Diagnostic) -> Diagnostic? {
        guard let rule = RuleRegistry.description(of: diagnostic.rule), rule.isConfigurable else { return diagnostic }
        guard configuration.isEnabled(rule) else { return nil }
        var configured = diagnostic
        configured.severity = configuration.severity(of: rule)
        return configured
    }

    private func unusedSuppression(_ suppression: Suppression) -> Diagnostic? {
        let unused = RuleRegistry.description(of: RuleID.unusedSuppression)!
        guard configuration.isEnabled(unused) else { return nil }
        let message: String
        let help: String
        if let rule = RuleRegistry.description(of: suppression.rule) {
            if rule.isConfigurable {
                message = "this suppression of \(rule.id) suppresses nothing"
                help = "remove it: the finding it was written for is gone"
            } else {
                message = "\(rule.id) cannot be suppressed: it reports a network that cannot be built"
                help = "fix the network instead"
            }
        } else {
            message = "unknown rule '\(suppression.rule)'\(Suggestion.phrase(for: suppression.rule, among: RuleRegistry.ids))"
            help = "'convlint rules' lists the rule ids"
        }
        return Diagnostic(
            RuleID.unusedSuppression, message, at: suppression.location, severity: configuration.severity(of: unused),
            help: help)
    }
}
