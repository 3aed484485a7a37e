/// Exit codes of SPEC §7.
public enum ExitStatus {
    /// Findings that mean the input could not be read as an architecture file at all.
    /// Exit 2: the file could not be read, or the command line names what the file lacks.
    static let unreadable: Set<String> = [RuleID.unreadableFile, RuleID.yamlSyntax, RuleID.unknownOverride]

    public static func code(for analyses: [Analysis], strict: Bool) -> Int32 {
        let diagnostics = analyses.flatMap(\.diagnostics)
        if diagnostics.contains(where: { unreadable.contains($0.rule) }) { return 2 }
        if diagnostics.contains(where: { $0.severity == .error }) { return 1 }
        if strict, diagnostics.contains(where: { $0.severity == .warning }) { return 1 }
        return 0
    }
}
