import ConvLintKit

/// A piece of a written pattern: text, or a number that a block can turn into a parameter.
enum Piece: Hashable {
    case text(String)
    /// `prefix` and the value, both left out when the value is the kind's default (`fallback`);
    /// `role` names the parameter it would become (`c` for filters, `s` for a stride).
    case number(prefix: String, value: Int, fallback: Int?, role: String)
}

/// A block found in the graph: a group (and the activation after it) that occurs more than
/// once, its numbers that differ between occurrences made parameters.
struct FoundBlock {
    var name: String
    var parameters: [String]
    var body: String
}

/// Writes the series-parallel chain as a pattern: groups that repeat become blocks with
/// parameters, runs of equal steps become `[…]*N`, and the network is split into lines where
/// the image size changes.
struct PatternWriter {
    let layers: [ImportedLayer]
    /// Argument defaults the file's `defaults:` sets, by kind: a call leaves them out.
    let defaults: [String: [String: ArgumentValue]]
    private(set) var blocks: [FoundBlock] = []
    /// A group by its merge, a sequence by its last layer.
    private enum UnitKey: Hashable {
        case group(Int)
        case sequence(Int)

        init?(_ term: Term) {
            switch term {
            case .layer: return nil
            case .group(_, _, let merge): self = .group(merge)
            case .sequence: self = .sequence(term.last)
            }
        }
    }

    /// Each group's or sequence's final pieces (a block call, or the unit written out).
    private var written: [UnitKey: [Piece]] = [:]
    /// The same without `[…]*N` inside groups: what occurrences are compared by, so that a
    /// group whose numbers happen to repeat still joins its family.
    private var plain: [UnitKey: [Piece]] = [:]
    private var inline = false

    /// The layer kinds a group's trailing activation may be, taken into its block.
    private static let activations: Set<String> = ["RELU", "RELU6", "SILU", "HARDSWISH", "GELU", "SIGMOID", "HARDSIGMOID", "TANH", "MISH", "ELU", "LEAKYRELU"]

    init(layers: [ImportedLayer], defaults: [String: [String: ArgumentValue]]) {
        self.layers = layers
        self.defaults = defaults
    }

    /// One step of a chain: what it writes, and its first and last layers.
    struct Item {
        var pieces: [Piece]
        var first: Int
        var last: Int
        /// Whether a repetition may start here: not at a layer that follows another (BN, an
        /// activation), so that `[CONV -> BN -> RELU]*2` is found rather than `[BN -> RELU -> CONV]*2`.
        var leads = true
        /// A max or average pool.
        var pool = false
    }

    /// Kinds that finish the layer before them.
    private static let followers = activations.union(["BN", "LN", "LRN", "DROPOUT", "DROPPATH", "SCALE", "SOFTMAX", "PRELU"])

    // MARK: Blocks

    /// Finds the blocks, innermost groups first, so that an outer group's occurrences compare
    /// the calls of the inner blocks.
    mutating func findBlocks(in chain: [Term]) {
        var units: [(height: Int, group: Term, activation: Int?)] = []
        collect(chain, into: &units)
        let height = units.map(\.height).max() ?? 0
        guard height > 0 else { return }
        for level in 1...height {
            let found = units.filter { $0.height == level }
            var families: [[Piece]: [(key: UnitKey, pieces: [Piece])]] = [:]
            var order: [[Piece]] = []
            for unit in found {
                let pieces = self.unit(unit.group, activation: unit.activation, repeats: false)
                let signature = Self.signature(pieces)
                if families[signature] == nil { order.append(signature) }
                families[signature, default: []].append((UnitKey(unit.group)!, pieces))
            }
            for signature in order {
                let members = families[signature]!
                guard members.count > 1 else {
                    let unit = found.first { UnitKey($0.group) == members[0].key }!
                    plain[members[0].key] = members[0].pieces
                    written[members[0].key] = self.unit(unit.group, activation: unit.activation, repeats: true)
                    continue
                }
                let (block, calls) = makeBlock(members.map(\.pieces))
                blocks.append(block)
                for (member, call) in zip(members, calls) { (written[member.key], plain[member.key]) = (call, call) }
            }
        }
    }

    /// Every group and sequence with its height (1 for one with none inside) and a group's
    /// trailing activation.
    @discardableResult
    private func collect(_ chain: [Term], into units: inout [(height: Int, group: Term, activation: Int?)]) -> Int {
        var highest = 0
        for (offset, term) in chain.enumerated() {
            var inner = 0
            switch term {
            case .layer: continue
            case .group(_, let branches, _):
                for branch in branches { inner = max(inner, collect(branch, into: &units)) }
                units.append((inner + 1, term, trailingActivation(chain, after: offset)))
            case .sequence(let terms):
                inner = collect(terms, into: &units)
                units.append((inner + 1, term, nil))
            }
            highest = max(highest, inner + 1)
        }
        return highest
    }

    /// The chain with the steps of each residual branch that also occur without the shortcut
    /// (EfficientNet's and MobileNet's blocks of a stage but its first) made sequences, in the
    /// branch and where they occur alone on the chain: one block then stands for both.
    static func sequences(_ chain: [Term], layers: [ImportedLayer]) -> [Term] {
        func shape(_ term: Term) -> String {
            switch term {
            case .layer(let index):
                guard case .layer(let call) = layers[index].step else { return "INPUT" }
                return call.kind + call.arguments.map { argument in
                    if case .int = argument.value { return "," + (argument.name ?? "") } else { return ",\(argument.name ?? "")=\(argument.value.text)" }
                }.joined()
            case .group(let merge, let branches, _): return "(" + branches.map { $0.map(shape).joined(separator: ">") }.joined(separator: merge.rawValue) + ")"
            case .sequence(let terms): return "[" + terms.map(shape).joined(separator: ">") + "]"
            }
        }
        /// A convolution's kernel size, or nil.
        func kernel(_ term: Term) -> ArgumentValue? {
            guard case .layer(let index) = term, case .layer(let call) = layers[index].step, call.kind == "CONV" else { return nil }
            return call.argument("F")
        }
        // The non-identity branch of each residual group, by its shape, with the kernel sizes
        // all of them agree on.
        var residuals: [[String]: [ArgumentValue?]] = [:]
        func gather(_ terms: [Term]) {
            for term in terms {
                guard case .group(let merge, let branches, _) = term else { continue }
                branches.forEach(gather)
                guard merge == .sum, branches.count == 2, branches[1].isEmpty, branches[0].count >= 3 else { continue }
                let kernels = branches[0].map(kernel)
                let key = branches[0].map(shape)
                residuals[key] = residuals[key].map { zip($0, kernels).map { $0 == $1 ? $0 : nil } } ?? kernels
            }
        }
        gather(chain)
        let lengths = Set(residuals.keys.map(\.count)).sorted(by: >)
        // Windows of the chain shaped as one of them, with its kernel sizes (a stem is no
        // block's), left to right.
        func fits(_ window: ArraySlice<Term>, _ key: [String]) -> Bool {
            guard let kernels = residuals[key] else { return false }
            return zip(window, kernels).allSatisfy { term, agreed in agreed == nil || kernel(term) == agreed }
        }
        var result: [Term] = []
        var matched: Set<[String]> = []
        var offset = 0
        let shapes = chain.map(shape)
        while offset < chain.count {
            if let length = lengths.first(where: {
                offset + $0 <= chain.count && fits(chain[offset..<offset + $0], Array(shapes[offset..<offset + $0]))
            }) {
                matched.insert(Array(shapes[offset..<offset + length]))
                result.append(.sequence(Array(chain[offset..<offset + length])))
                offset += length
            } else {
                result.append(chain[offset])
                offset += 1
            }
        }
        guard !matched.isEmpty else { return chain }
        func wrap(_ terms: [Term]) -> [Term] {
            terms.map { term in
                switch term {
                case .layer: return term
                case .sequence(let inner): return .sequence(wrap(inner))
                case .group(let merge, let branches, let index):
                    let branches = branches.map(wrap)
                    guard merge == .sum, branches.count == 2, branches[1].isEmpty, matched.contains(branches[0].map(shape)) else {
                        return .group(merge, branches, merge: index)
                    }
                    return .group(merge, [[.sequence(branches[0])], []], merge: index)
                }
            }
        }
        return wrap(result)
    }

    private func trailingActivation(_ chain: [Term], after offset: Int) -> Int? {
        guard offset + 1 < chain.count, case .layer(let index) = chain[offset + 1], case .layer(let call) = layers[index].step,
            Self.activations.contains(call.kind), call.arguments.allSatisfy({ $0.value == $0.fallback })
        else { return nil }
        return index
    }

    private static func signature(_ pieces: [Piece]) -> [Piece] {
        pieces.map { piece in
            guard case .number(let prefix, _, let fallback, let role) = piece else { return piece }
            return .number(prefix: prefix, value: 0, fallback: fallback, role: role)
        }
    }

    /// The block of a family of equal-shaped groups, and each member's call.
    private mutating func makeBlock(_ members: [[Piece]]) -> (FoundBlock, [[Piece]]) {
        let slots = members[0].indices.filter { if case .number = members[0][$0] { true } else { false } }
        func value(_ member: [Piece], _ slot: Int) -> Int {
            if case .number(_, let value, _, _) = member[slot] { return value }
            return 0
        }
        // Each varying slot: an earlier parameter, a multiple or a part of one, or a new one.
        var parameters: [(name: String, slot: Int)] = []
        var expressions: [Int: String] = [:]
        for slot in slots {
            let values = members.map { value($0, slot) }
            guard Set(values).count > 1 else { continue }
            var expression: String?
            for parameter in parameters {
                let base = members.map { value($0, parameter.slot) }
                if base == values { expression = parameter.name } else if let factor = BlockParameters.factor(values, of: base) {
                    expression = "\(factor)*\(parameter.name)"
                } else if let divisor = BlockParameters.factor(base, of: values) {
                    expression = "\(parameter.name)/\(divisor)"
                }
                if expression != nil { break }
            }
            if expression == nil {
                guard case .number(_, _, _, let role) = members[0][slot] else { continue }
                let name = BlockParameters.unusedName(role, among: Set(parameters.map(\.name)))
                parameters.append((name, slot))
                expression = name
            }
            expressions[slot] = expression
        }
        var body = ""
        for (index, piece) in members[0].enumerated() {
            switch piece {
            case .text(let text): body += text
            case .number(let prefix, let value, let fallback, _):
                if let expression = expressions[index] { body += prefix + expression } else if value != fallback { body += prefix + "\(value)" }
            }
        }
        let name = blockName(members[0])
        let block = FoundBlock(name: name, parameters: parameters.map(\.name), body: Self.tidy(body))
        let calls = members.map { member in
            guard !parameters.isEmpty else { return [Piece.text(name)] }
            var call: [Piece] = [.text(name + "(")]
            for (offset, parameter) in parameters.enumerated() {
                call.append(.number(prefix: offset == 0 ? "" : ", ", value: value(member, parameter.slot), fallback: nil, role: parameter.name))
            }
            return call + [.text(")")]
        }
        return (block, calls)
    }

    /// `residual`, `projection`, `dense`, `branches` or `gate`, numbered after the first.
    private func blockName(_ pieces: [Piece]) -> String {
        let text = Self.text(pieces)
        let stem: String
        if !text.hasPrefix("(") {
            stem = "body"
        } else if text.hasPrefix("(ID *") {
            stem = "gate"
        } else if text.contains(" + ID)") {
            stem = "residual"
        } else if text.contains(" + ") {
            stem = "projection"
        } else if text.hasPrefix("(ID |") {
            stem = "dense"
        } else {
            stem = "branches"
        }
        return BlockParameters.unusedName(stem, among: Set(blocks.map(\.name)))
    }

    // MARK: Pieces

    /// A group, and its trailing activation, or a sequence, written out.
    private func unit(_ group: Term, activation: Int?, repeats: Bool) -> [Piece] {
        if case .sequence(let terms) = group { return chainPieces(items(terms, repeats: repeats), repeats: repeats) }
        guard case .group(let merge, let branches, _) = group else { return [] }
        var pieces: [Piece] = [.text("(")]
        for (offset, branch) in branches.enumerated() {
            if offset > 0 { pieces.append(.text(" \(merge.rawValue) ")) }
            pieces += branch.isEmpty ? [.text("ID")] : chainPieces(items(branch, repeats: repeats), repeats: repeats)
        }
        pieces.append(.text(")"))
        if let activation { pieces += [.text(" -> ")] + layerPieces(activation) }
        return pieces
    }

    /// A chain's steps: layers, and groups with their trailing activations.
    func items(_ chain: [Term], repeats: Bool = true) -> [Item] {
        var items: [Item] = []
        var offset = 0
        while offset < chain.count {
            let term = chain[offset]
            switch term {
            case .layer(let index):
                var item = Item(pieces: layerPieces(index), first: index, last: index)
                if case .layer(let call) = layers[index].step {
                    item.leads = !Self.followers.contains(call.kind)
                    item.pool = call.kind == "MAXPOOL" || call.kind == "AVGPOOL"
                }
                items.append(item)
            case .group(_, _, let merge):
                let activation = trailingActivation(chain, after: offset)
                let found = inline ? nil : repeats ? written[.group(merge)] : plain[.group(merge)]
                let pieces = found ?? unit(term, activation: activation, repeats: repeats && !inline)
                items.append(Item(pieces: pieces, first: merge, last: activation ?? merge))
                if activation != nil { offset += 1 }
            case .sequence(let terms):
                let key = UnitKey.sequence(term.last)
                let found = inline ? nil : repeats ? written[key] : plain[key]
                let pieces = found ?? unit(term, activation: nil, repeats: repeats && !inline)
                items.append(Item(pieces: pieces, first: terms[0].last, last: term.last))
            }
            offset += 1
        }
        return items
    }

    /// The chain with the graph's structure spelled out, no blocks or repetitions: what the
    /// import checks the written file against.
    func flat(_ chain: [Term]) -> String {
        var writer = self
        writer.inline = true
        return Self.text(writer.items(chain).flatMap { [.text(" -> ")] + $0.pieces }.dropFirst().map { $0 })
    }

    private func layerPieces(_ index: Int) -> [Piece] {
        guard case .layer(let call) = layers[index].step else { return [.text("INPUT")] }
        let overrides = defaults[call.kind] ?? [:]
        var pieces: [Piece] = [.text(call.kind + "(")]
        for (offset, argument) in call.arguments.enumerated() {
            let prefix = (offset == 0 ? "" : ", ") + (argument.name.map { "\($0)=" } ?? "")
            let fallback = argument.name.flatMap { overrides[$0] } ?? argument.fallback
            if case .int(let value) = argument.value {
                let fallbackValue: Int? = if case .int(let number)? = fallback { number } else { nil }
                pieces.append(.number(prefix: prefix, value: value, fallback: fallbackValue, role: Self.role(call.kind, argument.name)))
            } else if argument.value != fallback {
                pieces.append(.text(prefix + argument.value.text))
            }
        }
        return pieces + [.text(")")]
    }

    /// The parameter name a number of `kind`'s argument `name` gets in a block.
    private static func role(_ kind: String, _ name: String?) -> String {
        switch name {
        case nil: "c"
        case "F": "k"
        case "S": "s"
        case "P": "p"
        case "groups": "g"
        case "dilation": "d"
        case let other?: other
        }
    }

    /// Steps joined with `->`, runs of equal steps written `[…]*N`.
    func chainPieces(_ items: [Item], repeats: Bool) -> [Piece] {
        var pieces: [Piece] = []
        for (offset, step) in (repeats ? Self.repeated(items) : items).enumerated() {
            if offset > 0 { pieces.append(.text(" -> ")) }
            pieces += step.pieces
        }
        return pieces
    }

    /// Runs of a repeated sequence of up to 8 steps folded into one `[…]*N` step: the shortest
    /// period first, so that a repetition may hold one (VGG's `[[CONV -> RELU]*3 -> POOL]*2`), and
    /// none starting at a pool, which ends a stage rather than opening one.
    static func repeated(_ items: [Item]) -> [Item] {
        var items = items
        for period in 1...8 { items = folded(items, period: period) }
        return items
    }

    private static func folded(_ items: [Item], period: Int) -> [Item] {
        var result: [Item] = []
        var start = 0
        while start < items.count {
            var count = 1
            if items[start].leads, !items[start].pool, start + 2 * period <= items.count {
                let unit = items[start..<start + period].map(\.pieces)
                while start + (count + 1) * period <= items.count,
                    items[(start + count * period)..<(start + (count + 1) * period)].map(\.pieces) == unit
                {
                    count += 1
                }
            }
            guard count > 1 else {
                result.append(items[start])
                start += 1
                continue
            }
            let unit = items[start..<start + period]
            let inner = unit.enumerated().flatMap { offset, step in (offset > 0 ? [Piece.text(" -> ")] : []) + step.pieces }
            let last = items[start + period * count - 1].last
            result.append(Item(pieces: [.text("[")] + inner + [.text("]*\(count)")], first: unit.first!.first, last: last))
            start += period * count
        }
        return result
    }

    /// Pieces as text, each number written unless it is its kind's default.
    static func text(_ pieces: [Piece]) -> String {
        tidy(
            pieces.map { piece in
                switch piece {
                case .text(let text): text
                case .number(let prefix, let value, let fallback, _): value == fallback ? "" : prefix + "\(value)"
                }
            }.joined())
    }

    /// A call whose leading arguments were left out loses their separator, and one with none its
    /// parentheses.
    private static func tidy(_ text: String) -> String {
        text.replacingOccurrences(of: "(, ", with: "(").replacingOccurrences(of: "()", with: "")
    }
}
