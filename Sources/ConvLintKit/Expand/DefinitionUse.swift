/// Which of a file's definitions its patterns use, read from the syntax (so that a body that
/// `*0` or `?false` leaves out still counts): variables named as values, blocks called from the
/// network (directly or through other blocks), and kinds whose `defaults` some layer takes.
struct DefinitionUse {
    /// Names used as values anywhere: arguments, counts, conditions, `defaults` values.
    private(set) var names = Set<String>()
    private(set) var calledBlocks = Set<String>()
    /// Kinds called by name or paper name (`conv3-64` is a CONV).
    private(set) var kinds = Set<LayerKind>()
    /// Layers marked optional without a condition (`POOL?`), by upper-case name: what
    /// `--vary POOL?=true,false` decides.
    private(set) var bareOptionals = Set<String>()

    init(_ file: ArchitectureFile) {
        var pending = [file.network]
        while let node = pending.popLast() {
            var calls = [String]()
            visit(node, calls: &calls)
            for call in calls {
                guard let block = file.block(named: call), calledBlocks.insert(block.name).inserted else { continue }
                pending.append(block.body)
            }
        }
        for entry in file.defaults.values {
            for argument in entry.value { collect(argument.value) }
        }
        parameters = Set(file.blocks.values.flatMap(\.parameters))
    }

    /// Every block's parameters: names that are values inside a block, not variables.
    private(set) var parameters = Set<String>()

    /// Names used as values that are not block parameters: variables the patterns expect.
    var variableNames: Set<String> { names.subtracting(parameters) }

    private mutating func visit(_ node: PatternNode, calls: inout [String]) {
        switch node {
        case .call(let call):
            if let kind = LayerKind(name: call.name) ?? PaperName.layer(named: call.name)?.kind { kinds.insert(kind) }
            calls.append(call.name)
            for argument in call.arguments { collect(argument.value) }
        case .chain(let terms):
            for term in terms { visit(term, calls: &calls) }
        case .repeated(let body, let count, _):
            collect(count)
            visit(body, calls: &calls)
        case .optional(let body, let condition, _):
            if let condition { collect(condition) }
            if condition == nil, case .call(let call) = body { bareOptionals.insert(call.name.uppercased()) }
            visit(body, calls: &calls)
        case .group(let branches, _, _):
            for branch in branches { visit(branch, calls: &calls) }
        }
    }

    private mutating func collect(_ operand: Operand) {
        switch operand.form {
        case .name(let name):
            names.insert(name)
            // `N-1` may be a difference of names.
            for part in name.split(separator: "-") { names.insert(String(part)) }
        case .arithmetic(_, let left, let right):
            collect(left)
            collect(right)
        case .integer, .decimal, .dimensions:
            break
        }
    }

    private static func precedes(_ a: SourceLocation, _ b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    /// Warnings for what is defined but never used: a typo in a name, or a leftover.
    func unusedDefinitions(in file: ArchitectureFile) -> [Diagnostic] {
        var findings = [Diagnostic]()
        for (name, variable) in file.variables.sorted(by: { Self.precedes($0.value.location, $1.value.location) }) where !names.contains(name) {
            let similar = Suggestion.phrase(for: name, among: Array(names))
            findings.append(
                Diagnostic(
                    RuleID.unusedDefinition, "variable '\(name)' is never used\(similar)", at: variable.location,
                    severity: .warning,
                    help: "names are case-sensitive; use it as a value (CONV(\(name)), *\(name), ?\(name)) or remove it"))
        }
        for block in file.blocks.values.sorted(by: { Self.precedes($0.location, $1.location) }) where !calledBlocks.contains(block.name) {
            findings.append(
                Diagnostic(
                    RuleID.unusedDefinition, "block '\(block.name)' is never called", at: block.location, severity: .warning,
                    help: "call it in the network (\(block.name)\(block.parameters.isEmpty ? "" : "(…)")) or remove it"))
        }
        let defaultKeys = Set(kinds.flatMap(\.defaultKeys))
        for (key, entry) in file.defaults.sorted(by: { Self.precedes($0.value.location, $1.value.location) }) where !defaultKeys.contains(key) {
            findings.append(
                Diagnostic(
                    RuleID.unusedDefinition, "defaults for \(key) apply to no layer: the network has no \(key)",
                    at: entry.location, severity: .warning,
                    help: "remove the entry, or check the kind's name (POOL's defaults also apply to MAXPOOL and AVGPOOL)"))
        }
        return findings
    }
}
