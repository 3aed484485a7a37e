/// Which buffer each layer's output lives in, and which layer reads each buffer last. A layer
/// that works in place (an in-place activation, ID, a sum into its first input, or a view)
/// writes into its input's buffer.
struct BufferPlan {
    /// For each layer, the index of the layer that allocated the buffer holding its output.
    let owner: [Int]
    /// For each buffer (by owner index), the last layer that reads it; `layers.count` for the
    /// network's output, which outlives the pass.
    private(set) var lastRead: [Int]

    /// `keepsInput`: the caller holds the input for the whole pass (a framework's tensor), so
    /// it is never freed.
    init(_ layers: [LayerReport], keepsInput: Bool = false, isView: (LayerReport) -> Bool) {
        self.init(layers, keepsInput: keepsInput) { layer, _ in isView(layer) }
    }

    /// `sharesInput` also sees the owners decided so far, for a choice that depends on them.
    init(_ layers: [LayerReport], keepsInput: Bool = false, sharesInput: (LayerReport, [Int]) -> Bool) {
        var owner = [Int](repeating: 0, count: layers.count)
        var lastRead = [Int](repeating: -1, count: layers.count)
        for (index, layer) in layers.enumerated() {
            owner[index] = layer.node.inputs.isEmpty || !sharesInput(layer, owner) ? index : owner[layer.node.inputs[0]]
            for input in layer.node.inputs { lastRead[owner[input]] = max(lastRead[owner[input]], index) }
        }
        if let last = layers.indices.last { lastRead[owner[last]] = layers.count }
        if keepsInput, !layers.isEmpty { lastRead[0] = layers.count }
        self.owner = owner
        self.lastRead = lastRead
    }

    /// The plan with each block call's input kept until the call returns, as a framework's
    /// module keeps the tensor it was called with (`identity = x`, `torch.cat([x, …])`).
    func keepingBlockInputs(_ layers: [LayerReport]) -> BufferPlan {
        var plan = self
        var span = [Int: (first: Int, last: Int)]()
        for layer in layers {
            for call in layer.node.blockCalls {
                let index = layer.node.index
                span[call] = (min(span[call]?.first ?? index, index), max(span[call]?.last ?? index, index))
            }
        }
        for layer in layers {
            for call in layer.node.blockCalls {
                guard let (first, last) = span[call] else { continue }
                for input in layer.node.inputs where input < first {
                    let buffer = owner[input]
                    plan.lastRead[buffer] = max(plan.lastRead[buffer], last)
                }
            }
        }
        return plan
    }

    /// SPEC §5's convention: layers that keep no activations of their own reuse a buffer.
    static func spec(_ layers: [LayerReport]) -> BufferPlan {
        BufferPlan(layers) { $0.cost.activations == 0 }
    }

    /// The largest sum of `size` over buffers alive at once, plus `transient` of the layer running,
    /// when each buffer is freed after its last reader. The first buffer (the input) counts too.
    func peak(
        _ layers: [LayerReport], size: (Int) -> Int, transient: (LayerReport) -> Int = { _ in 0 }, checked: Checked
    ) throws(Diagnostic) -> Int {
        var freedAfter = [Int](repeating: 0, count: layers.count + 1)
        for (buffer, reader) in lastRead.enumerated() where owner[buffer] == buffer && reader >= 0 {
            freedAfter[reader] = try checked.add(freedAfter[reader], size(buffer))
        }
        var live = 0
        var peak = 0
        for (index, layer) in layers.enumerated() {
            if owner[index] == index { live = try checked.add(live, size(index)) }
            peak = max(peak, try checked.add(live, transient(layer)))
            live -= freedAfter[index]
        }
        return peak
    }
}
