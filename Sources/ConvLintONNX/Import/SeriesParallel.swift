import ConvLintKit

/// The imported layers as the pattern language writes them: a chain of layers and groups, each
/// group's branches read the same layer (the fork) and end in its merge.
indirect enum Term: Equatable {
    case layer(Int)
    /// Branches (an empty one is `ID`) and the index of the merge layer.
    case group(Merge, [[Term]], merge: Int)
    /// Steps a block may stand for though no merge ends them: an MBConv without its shortcut,
    /// shaped as the branch of those with one (`PatternWriter.sequences`).
    case sequence([Term])

    /// The layer whose output is the term's.
    var last: Int {
        switch self {
        case .layer(let index): index
        case .group(_, _, let merge): merge
        case .sequence(let terms): terms[terms.count - 1].last
        }
    }
}

/// Recovers the series-parallel structure of the layer graph. A merge's fork is its immediate
/// dominator (the last layer every path from the input to it passes); its branches are the
/// chains from the fork to each of its inputs. A graph that is not series-parallel (a layer read
/// from outside its branch) is reported, not approximated: the rebuilt edges must equal the
/// graph's.
struct SeriesParallel {
    private var layers: [ImportedLayer]
    private var dominator: [Int]
    /// The layer whose output is the graph's.
    private var output: Int

    /// The chain from the input to `output`.
    static func chain(_ layers: [ImportedLayer], output: Int) throws(ImportProblem) -> (layers: [ImportedLayer], chain: [Term]) {
        var structure = SeriesParallel(layers: Self.nestedConcats(layers), dominator: [], output: output)
        structure.dominator = structure.dominators()
        try structure.regroupConcats()
        let chain = try structure.chain(from: 0, to: structure.output)
        try structure.check(chain)
        return (structure.layers, chain)
    }


    /// DenseNet's `cat([x0, y1, …, yk])` after `cat([x0, y1, …, yk−1])` is the concat of that
    /// concat and yk: written so, each concat reads the one before it and the graph nests.
    private static func nestedConcats(_ layers: [ImportedLayer]) -> [ImportedLayer] {
        var layers = layers
        var concats: [[Int]: Int] = [:]
        for index in layers.indices {
            guard case .merge(.concat) = layers[index].step else { continue }
            let inputs = layers[index].inputs
            guard inputs.count <= Limits.onnxConcatPrefixInputs else { continue }
            for length in stride(from: inputs.count - 1, through: 2, by: -1) {
                if let earlier = concats[Array(inputs.prefix(length))] {
                    layers[index].inputs = [earlier] + inputs.dropFirst(length)
                    break
                }
            }
            concats[inputs] = index
        }
        return layers
    }

    /// An exporter writes `cat([a, cat([b(t), c(t)]), d])` as one `Concat(a, b, c, d)`: inputs
    /// next to each other that share a branch below the concat's fork (t here) are concatenated
    /// first, in a merge of their own, which keeps the channels' order and makes the graph nest.
    private mutating func regroupConcats() throws(ImportProblem) {
        var changed = true
        var inserted = 0
        while changed {
            changed = false
            for index in layers.indices {
                guard case .merge(.concat) = layers[index].step, layers[index].inputs.count > 2 else { continue }
                let fork = dominator[index]
                let heads = layers[index].inputs.map { input -> Int? in
                    guard input != fork else { return nil }
                    var head = input
                    while dominator[head] != fork { head = dominator[head] }
                    return head
                }
                guard let start = heads.indices.first(where: { $0 + 1 < heads.count && heads[$0] != nil && heads[$0] == heads[$0 + 1] }) else { continue }
                var end = start + 1
                while end + 1 < heads.count, heads[end + 1] == heads[start] { end += 1 }
                guard end - start + 1 < heads.count else { continue }
                // Each costs a pass over the graph: a bound on them bounds the work.
                inserted += 1
                guard inserted <= Limits.onnxNestedConcats else {
                    throw ImportProblem("more than \(Limits.onnxNestedConcats) concatenations nest inside others; convlint reads at most that many")
                }
                insertConcat(of: start...end, before: index)
                dominator = dominators()
                changed = true
                break
            }
        }
    }

    /// A concat of inputs `run` of the concat at `index`, placed just before it.
    private mutating func insertConcat(of run: ClosedRange<Int>, before index: Int) {
        let outer = layers[index]
        let members = Array(outer.inputs[run])
        let volumes = members.map { layers[$0].volume }
        let inner = ImportedLayer(
            step: .merge(.concat), inputs: members, volume: Volume(volumes[0].w, volumes[0].h, saturatedSum(volumes.map(\.d))), node: outer.node)
        // Indices from `index` on move up by one.
        func moved(_ layer: Int) -> Int { layer >= index ? layer + 1 : layer }
        var rebuilt = Array(layers[..<index])
        rebuilt.append(inner)
        rebuilt += layers[index...]
        for position in (index + 1)..<rebuilt.count { rebuilt[position].inputs = rebuilt[position].inputs.map(moved) }
        var inputs = Array(outer.inputs[..<run.lowerBound])
        inputs.append(index)
        inputs += outer.inputs[(run.upperBound + 1)...]
        rebuilt[index + 1].inputs = inputs
        layers = rebuilt
        output = moved(output)
    }

    /// Immediate dominators; layers are in topological order, so one pass settles them.
    private func dominators() -> [Int] {
        var dominator = Array(repeating: 0, count: layers.count)
        for index in layers.indices.dropFirst() {
            var candidate = layers[index].inputs[0]
            for input in layers[index].inputs.dropFirst() {
                var other = input
                while candidate != other {
                    if candidate > other { candidate = dominator[candidate] } else { other = dominator[other] }
                }
            }
            dominator[index] = candidate
        }
        return dominator
    }

    private func chain(from fork: Int, to end: Int) throws(ImportProblem) -> [Term] {
        var terms: [Term] = []
        var current = end
        while current != fork {
            guard current > fork else { throw notSeriesParallel(end) }
            let layer = layers[current]
            switch layer.step {
            case .input: throw notSeriesParallel(end)
            case .layer:
                terms.append(.layer(current))
                current = layer.inputs[0]
            case .merge(let merge):
                let split = dominator[current]
                var branches: [[Term]] = []
                for input in layer.inputs { branches.append(try chain(from: split, to: input)) }
                terms.append(.group(merge, Self.ordered(branches, merge), merge: current))
                current = split
            }
        }
        return terms.reversed()
    }

    /// A sum's identity branch last and a product's first (`(… + ID)`, `(ID * GAP -> …)`), as
    /// the file format's examples write them; a concat keeps its order, which is the channels'.
    private static func ordered(_ branches: [[Term]], _ merge: Merge) -> [[Term]] {
        switch merge {
        case .concat: branches
        case .sum: branches.filter { !$0.isEmpty } + branches.filter(\.isEmpty)
        case .product: branches.filter(\.isEmpty) + branches.filter { !$0.isEmpty }
        }
    }

    private func notSeriesParallel(_ index: Int) -> ImportProblem {
        ImportProblem(
            "the graph is not series-parallel at '\(layers[index].node)': a layer is read from outside the branch it is in, "
                + "which the pattern language's groups cannot write",
            help: "convlint's groups are branches that read one layer and end in one ADD, CONCAT or MUL")
    }

    /// The edges the chain stands for must be the graph's, each layer in it once.
    private func check(_ chain: [Term]) throws(ImportProblem) {
        var rebuilt = Array(repeating: [Int](), count: layers.count)
        var seen = Set<Int>()
        var twice: Int?
        func walk(_ terms: [Term], from start: Int) -> Int {
            var previous = start
            for term in terms {
                switch term {
                case .layer(let index):
                    rebuilt[index] = [previous]
                    if !seen.insert(index).inserted { twice = twice ?? index }
                case .group(_, let branches, let merge):
                    rebuilt[merge] = branches.map { walk($0, from: previous) }
                    if !seen.insert(merge).inserted { twice = twice ?? merge }
                case .sequence(let terms):
                    _ = walk(terms, from: previous)
                }
                previous = term.last
            }
            return previous
        }
        _ = walk(chain, from: 0)
        if let twice { throw notSeriesParallel(twice) }
        for index in layers.indices.dropFirst() {
            guard seen.contains(index) else {
                throw ImportProblem("'\(layers[index].node)' does not lead to the graph's output; convlint reads one output")
            }
            let sorted = { (inputs: [Int]) -> [Int] in
                if case .merge(.concat) = layers[index].step { return inputs }
                return inputs.sorted()
            }
            guard sorted(rebuilt[index]) == sorted(layers[index].inputs) else { throw notSeriesParallel(index) }
        }
    }
}
