/// How many layers a pattern can make, found without expanding it, so that a file that must
/// exceed the layer limit (`[CONV]*1000000000000`, blocks that double sixty times) is refused
/// at once instead of after building as many layers as the limit allows.
///
/// `lower` never overestimates: optional layers with a condition count as absent, list and
/// block-parameter counts as their smallest possible value.
struct ExpansionBound {
    let file: ArchitectureFile
    /// The innermost repeat count or block call at which the bound first reaches `limit`.
    private(set) var culprit: SourceLocation?
    private let limit: Int
    private var blocks: [String: Int] = [:]
    private var visiting: Set<String> = []

    init(file: ArchitectureFile, limit: Int) {
        self.file = file
        self.limit = limit
    }

    private mutating func blame(_ value: Int, at location: SourceLocation) -> Int {
        if value >= limit, culprit == nil { culprit = location }
        return value
    }

    /// The fewest layers `node` can make (saturating at `Limits.saturatedSize`).
    mutating func lower(_ node: PatternNode) -> Int {
        switch node {
        case .call(let call):
            guard let block = file.block(named: call.name) else { return 1 }
            if let known = blocks[block.name] { return known }
            // A block that calls itself is reported when expanded.
            guard visiting.insert(block.name).inserted else { return 0 }
            let value = lower(block.body)
            visiting.remove(block.name)
            blocks[block.name] = value
            return blame(value, at: call.nameLocation)
        case .chain(let terms):
            return terms.reduce(0) { min(Limits.saturatedSize, $0 + lower($1)) }
        case .repeated(let body, let count, let location):
            return blame(Saturating.multiply(smallestCount(count), lower(body)), at: location)
        case .optional(let body, let condition, _):
            return condition == nil ? lower(body) : 0
        case .group(let branches, _, _):
            return branches.reduce(1) { min(Limits.saturatedSize, $0 + lower($1)) }
        }
    }

    /// A literal count, or the smallest integer a variable holds; 0 when unknown here (a block
    /// parameter), which keeps the bound a lower one.
    private func smallestCount(_ operand: Operand) -> Int {
        switch operand.form {
        case .integer(let value): return max(0, value)
        case .name(let name):
            guard let variable = file.variables[name]?.value else { return 0 }
            return max(0, Self.smallest(variable) ?? 0)
        default: return 0
        }
    }

    private static func smallest(_ value: VariableValue) -> Int? {
        switch value {
        case .integer(let number): number
        case .decimal, .boolean: nil
        case .list(let items): items.compactMap(smallest).min()
        }
    }
}
