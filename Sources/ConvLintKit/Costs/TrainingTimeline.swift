/// Which layers `torch.utils.checkpoint` wraps.
public enum Checkpointing: String, Sendable, CaseIterable {
    case none
    /// Each call of a top-level block (a ResNet bottleneck, an inception module).
    case blocks
}

/// One training step's tensors as PyTorch's autograd allocates and frees them, walked layer by
/// layer: the forward pass keeps what each operation saves for backward (`SavedForBackward`)
/// and frees the rest after its last reader; the backward pass, in reverse order, allocates
/// each operation's input gradients and weight gradients, sums the gradients of a tensor that
/// fans out, and frees each saved tensor and gradient after its last use. The peak of the live
/// bytes over the step, and where it falls, is what the GPU must hold beyond its resident part
/// (weights, optimizer state, the input batch, library workspaces).
///
/// Sizes are rounded as PyTorch's CUDA caching allocator rounds requests (up to a multiple of
/// 512 bytes), since `max_memory_allocated` counts blocks.
public struct TrainingTimeline {
    public enum Phase: String, Sendable { case forward, backward }

    /// What is live at the peak, by kind.
    public struct Breakdown: Sendable, Equatable {
        /// Forward outputs kept for backward (or not yet freed), and saved extras (indices, masks).
        public var activations = 0
        /// Gradients of the activations, including sums of fanned-out gradients.
        public var activationGradients = 0
        /// The parameters' `.grad`, allocated as the backward pass reaches each layer.
        public var weightGradients = 0
        /// Scratch of the operation running (a gate's product before its reduction).
        public var transient = 0

        public var total: Int { activations + activationGradients + weightGradients + transient }
    }

    public struct Peak: Sendable, Equatable {
        public var breakdown = Breakdown()
        public var phase = Phase.forward
        /// The layer running at the peak.
        public var layer = 0
        public var bytes: Int { breakdown.total }
    }

    private(set) var peak = Peak()
    /// The backward pass's multiply-accumulates per image (the layers' costs are per image):
    /// input and weight gradients of CONV, DECONV and FC layers, none for an input that needs no
    /// gradient, and the forward again of checkpointed segments.
    private(set) var backwardMACs = 0

    private let layers: [LayerReport]
    private let batch: Int
    private let activationBytes: Int
    private let gradientBytes: Int
    /// Under mixed precision, the low-precision copy of each weight that autocast makes and
    /// saves for backward, whose gradient comes out in low precision before `.grad`; 0 in
    /// full precision.
    private let castWeightBytes: Int
    private let checked: Checked
    /// With activation checkpointing, the segment (a call of a top-level block) of each layer:
    /// `torch.utils.checkpoint` keeps only a segment's inputs in the forward pass and runs the
    /// segment's forward again when the backward pass reaches it.
    private var segment: [Int?] = []
    private var recomputed = Set<Int>()

    /// Which buffer each output lives in while autograd records (`plan(_:)`), which is also
    /// what `SavedTensors` counts.
    let plan: BufferPlan
    // Forward buffers, by the layer that allocated them.
    private var owner: [Int] { plan.owner }
    private var bufferLive: [Bool] = []
    /// Layers still to read each buffer in the forward pass, and layers whose backward still
    /// needs it.
    private var forwardReaders: [Int] = []
    private var savers: [Int] = []
    private var extras: [Int] = []
    // Gradient tensors: sizes and how many holders each has.
    private var gradientSize: [Int] = []
    private var gradientHolders: [Int] = []
    /// The gradient tensor of each layer's output variable, if one has arrived.
    private var gradientOf: [Int?] = []
    private var live = Breakdown()

    /// PyTorch's CUDA allocator rounds every block up to a multiple of 512 bytes.
    static func rounded(_ bytes: Int) -> Int { bytes == 0 ? 0 : (bytes + 511) / 512 * 512 }

    init(
        _ layers: [LayerReport], batch: Int, activationBytes: Int, gradientBytes: Int, castWeightBytes: Int = 0,
        checkpoint: Checkpointing = .none, checked: Checked
    ) throws(Diagnostic) {
        self.layers = layers
        self.batch = batch
        self.activationBytes = activationBytes
        self.gradientBytes = gradientBytes
        self.castWeightBytes = castWeightBytes
        self.checked = checked
        plan = Self.plan(layers)
        guard !layers.isEmpty else { return }
        segment = Self.segments(layers, checkpoint)
        for (index, id) in segment.enumerated() { if let id { members[id, default: []].append(index) } }
        try forward()
        try backward()
    }

    private func bytes(elements: Int) throws(Diagnostic) -> Int {
        Self.rounded(try checked.multiply(elements, batch, activationBytes))
    }

    /// The variable whose gradient a layer's output gradient is: ID passes its input on.
    private func variable(_ index: Int) -> Int {
        var current = index
        while case .identity = layers[current].node.operation, let input = layers[current].node.inputs.first {
            current = input
        }
        return current
    }

    private func savedBuffers(_ layer: LayerReport) -> [Int] {
        SavedTensors.buffers(savedBy: layer, owner: owner, outputOwner: owner[layer.node.index])
    }

    /// Which buffer each output lives in while autograd records. A sum writes into its first
    /// branch (`out += identity`) only when no earlier layer saved that buffer for backward:
    /// autograd forbids overwriting a saved tensor, so such code (`x + f(x)`) makes a new one.
    static func plan(_ layers: [LayerReport]) -> BufferPlan {
        var saved = Set<Int>()
        return BufferPlan(layers, keepsInput: true) { layer, owner in
            var shares = false
            if layer.node.operation.trainingStorage != .own, let first = layer.node.inputs.first {
                shares = true
                if case .merge(let merge) = layer.node.operation, merge.mode == .add { shares = !saved.contains(owner[first]) }
            }
            let outputOwner = shares ? owner[layer.node.inputs[0]] : layer.node.index
            saved.formUnion(SavedTensors.buffers(savedBy: layer, owner: owner, outputOwner: outputOwner))
            return shares
        }
    }

    /// Each kind of live bytes is checked as it grows, but their sum can still overflow (found
    /// by the fuzzer on a network of DECONVs); a peak kept here always has a total that fits.
    private mutating func record(_ phase: Phase, at layer: Int, transient: Int = 0) throws(Diagnostic) {
        var now = live
        now.transient = transient
        let total = try checked.add(
            try checked.add(now.activations, now.activationGradients), try checked.add(now.weightGradients, now.transient))
        if total > peak.bytes { peak = Peak(breakdown: now, phase: phase, layer: layer) }
    }

    // MARK: Forward

    private mutating func forward() throws(Diagnostic) {
        bufferLive = Array(repeating: false, count: layers.count)
        forwardReaders = Array(repeating: 0, count: layers.count)
        savers = Array(repeating: 0, count: layers.count)
        extras = Array(repeating: 0, count: layers.count)
        for layer in layers {
            for input in layer.node.inputs { forwardReaders[owner[input]] += 1 }
            if let id = segment[layer.node.index] {
                // A checkpointed segment keeps only its inputs, until its backward is done.
                for input in layer.node.inputs where segment[input] != id { savers[owner[input]] += 1 }
            } else {
                for buffer in savedBuffers(layer) { savers[buffer] += 1 }
            }
        }
        for layer in layers {
            let index = layer.node.index
            // The input batch is the caller's tensor: resident, not part of the timeline.
            if owner[index] == index, index > 0 {
                live.activations = try checked.add(live.activations, try bytes(elements: layer.output.elements))
                bufferLive[index] = true
            }
            let saved = layer.node.operation.saved
            if segment[index] == nil { try allocateExtras(of: layer, saved: saved) }
            try record(.forward, at: index)
            for input in layer.node.inputs {
                let buffer = owner[input]
                forwardReaders[buffer] -= 1
                releaseIfDone(buffer)
            }
        }
    }

    /// A layer's saved extras (indices, masks, low-precision weight copies).
    private mutating func allocateExtras(of layer: LayerReport, saved: SavedForBackward) throws(Diagnostic) {
        let index = layer.node.index
        let extra = try checked.add(
            try checked.multiply(layer.output.elements, batch, saved.bytesPerOutputElement),
            try checked.multiply(batch, saved.bytesPerImage))
        extras[index] = Self.rounded(extra) + Self.rounded(try checked.multiply(layer.cost.weights, castWeightBytes))
        live.activations = try checked.add(live.activations, extras[index])
    }

    /// Frees a forward buffer once nothing reads it and no backward still needs it (the
    /// network's output, read by the loss, stays: B × classes values).
    private mutating func releaseIfDone(_ buffer: Int) {
        guard bufferLive[buffer], forwardReaders[buffer] <= 0, savers[buffer] <= 0 else { return }
        bufferLive[buffer] = false
        live.activations -= (try? bytes(elements: layers[buffer].output.elements)) ?? 0
    }

    // MARK: Backward

    private mutating func newGradient(elements: Int) throws(Diagnostic) -> Int {
        let size = try bytes(elements: elements)
        gradientSize.append(size)
        gradientHolders.append(0)
        live.activationGradients = try checked.add(live.activationGradients, size)
        return gradientSize.count - 1
    }

    private mutating func hold(_ gradient: Int) { gradientHolders[gradient] += 1 }

    private mutating func drop(_ gradient: Int) {
        gradientHolders[gradient] -= 1
        if gradientHolders[gradient] == 0 { live.activationGradients -= gradientSize[gradient] }
    }

    /// Adds `gradient` to the gradient of `variable`: the first one is kept, a second is summed
    /// into it in place when nothing else holds it, or into a new tensor (PyTorch's InputBuffer).
    private mutating func accumulate(_ gradient: Int, into variable: Int) throws(Diagnostic) {
        hold(gradient)
        guard let existing = gradientOf[variable] else {
            gradientOf[variable] = gradient
            return
        }
        if gradientHolders[existing] == 1 {
            drop(gradient)
        } else {
            let sum = try newGradient(elements: layers[variable].output.elements)
            hold(sum)
            drop(existing)
            drop(gradient)
            gradientOf[variable] = sum
        }
    }

    private mutating func backward() throws(Diagnostic) {
        var needsGradient = [Bool](repeating: false, count: layers.count)
        for layer in layers where layer.node.index > 0 {
            needsGradient[layer.node.index] =
                layer.cost.params > 0 || layer.node.inputs.contains { needsGradient[$0] }
        }
        gradientOf = Array(repeating: nil, count: layers.count)
        let last = layers.count - 1
        // The loss's gradient with respect to the network's output.
        let seed = try newGradient(elements: layers[last].output.elements)
        hold(seed)
        gradientOf[variable(last)] = seed
        for layer in layers.reversed() where layer.node.index > 0 {
            let index = layer.node.index
            if let id = segment[index], recomputed.insert(id).inserted { try recompute(id) }
            defer { if let id = segment[index], id == index { finishSegment(id) } }
            if case .identity = layer.node.operation { continue }
            guard let gradient = gradientOf[index] else {
                releaseSaved(of: layer)
                continue
            }
            gradientOf[index] = nil
            let inputs = layer.node.inputs.filter { needsGradient[$0] }
            var transient = 0
            var produced = [(gradient: Int, input: Int)]()
            switch layer.node.operation {
            case .merge(let merge):
                switch merge.mode {
                case .add, .concat:
                    // A sum hands its gradient to every branch; a concatenation hands out views of it.
                    for input in inputs { produced.append((gradient, input)) }
                case .multiply:
                    // x * s: the factor's gradient at full size, and the gate's from a full-size
                    // product reduced over W and H.
                    for input in inputs {
                        let elements = layers[input].output.elements
                        if elements < layer.output.elements { transient = try bytes(elements: layer.output.elements) }
                        produced.append((try newGradient(elements: elements), input))
                    }
                }
            case .flatten:
                produced += inputs.map { (gradient, $0) }
            case .scale:
                // γ's gradient reduces g·x, a full-size product.
                transient = try bytes(elements: layer.output.elements)
                for input in inputs { produced.append((try newGradient(elements: layers[input].output.elements), input)) }
            case .input, .convolution, .pooling, .adaptivePooling, .dense, .activation, .normalization, .dropout,
                .identity, .chunk, .shuffle, .upsample:
                for input in inputs { produced.append((try newGradient(elements: layers[input].output.elements), input)) }
            }
            backwardMACs = try checked.add(backwardMACs, try macs(of: layer, inputGradient: !inputs.isEmpty))
            if layer.cost.params > 0 {
                let castCopy = Self.rounded(try checked.multiply(layer.cost.weights, castWeightBytes))
                if castCopy > 0 {
                    // Under mixed precision the weight gradient comes out in low precision while
                    // the layer's saved copy is still held; the copy goes when the layer's node
                    // is done, before the gradient is cast into `.grad`.
                    try record(.backward, at: index, transient: try checked.add(transient, castCopy))
                    live.activations -= castCopy
                    extras[index] -= castCopy
                    transient += castCopy
                }
                live.weightGradients = try checked.add(
                    live.weightGradients, Self.rounded(try checked.multiply(layer.cost.params, gradientBytes)))
            }
            try record(.backward, at: index, transient: transient)
            for (produced, input) in produced { try accumulate(produced, into: variable(input)) }
            drop(gradient)
            releaseSaved(of: layer)
        }
    }

    // MARK: Checkpointing

    /// Segments for `checkpoint`: each call of a top-level block, named by its first layer.
    static func segments(_ layers: [LayerReport], _ checkpoint: Checkpointing) -> [Int?] {
        switch checkpoint {
        case .none: return Array(repeating: nil, count: layers.count)
        case .blocks:
            var first = [Int: Int]()
            return layers.map { layer in
                guard let call = layer.node.blockCall else { return nil }
                if let start = first[call] { return start }
                first[call] = layer.node.index
                return layer.node.index
            }
        }
    }

    /// Each segment's layers, in order; built once (a network may have many segments).
    private var members = [Int: [Int]]()

    /// Copies of outputs still alive when their segment is recomputed, by segment.
    private var copies = [Int: Int]()

    /// The segment's forward again, as the backward pass reaches it: its outputs and what it
    /// saves, with the buffers nothing saves freed after their last reader in the segment.
    private mutating func recompute(_ id: Int) throws(Diagnostic) {
        let indices = members[id] ?? []
        var readers = [Int: Int]()
        for index in indices {
            for input in layers[index].node.inputs where segment[input] == id { readers[owner[input], default: 0] += 1 }
        }
        var allocated = Set<Int>()
        for index in indices {
            let layer = layers[index]
            if owner[index] == index {
                let size = try bytes(elements: layer.output.elements)
                live.activations = try checked.add(live.activations, size)
                if bufferLive[index] {
                    // The first pass's output is still held (the next segment's input): a copy.
                    copies[id, default: 0] += size
                } else {
                    bufferLive[index] = true
                    allocated.insert(index)
                }
            }
            try allocateExtras(of: layer, saved: layer.node.operation.saved)
            for buffer in savedBuffers(layer) { savers[buffer] += 1 }
            backwardMACs = try checked.add(backwardMACs, layer.cost.macs)
            try record(.backward, at: index)
            for input in layer.node.inputs where segment[input] == id {
                let buffer = owner[input]
                readers[buffer, default: 0] -= 1
                if readers[buffer] == 0, allocated.contains(buffer) { releaseIfDone(buffer) }
            }
        }
        for buffer in allocated { releaseIfDone(buffer) }
    }

    /// After the segment's first layer: its inputs and copies are no longer needed.
    private mutating func finishSegment(_ id: Int) {
        for index in members[id] ?? [] {
            for input in layers[index].node.inputs where segment[input] != id {
                savers[owner[input]] -= 1
                releaseIfDone(owner[input])
            }
        }
        live.activations -= copies[id] ?? 0
        copies[id] = nil
    }

    private mutating func releaseSaved(of layer: LayerReport) {
        for buffer in savedBuffers(layer) {
            savers[buffer] -= 1
            releaseIfDone(buffer)
        }
        live.activations -= extras[layer.node.index]
        extras[layer.node.index] = 0
    }

    /// A CONV's, DECONV's or FC's backward: its weight gradient, and its input gradient when
    /// the input needs one, each as many MACs as the forward pass.
    private func macs(of layer: LayerReport, inputGradient: Bool) throws(Diagnostic) -> Int {
        guard layer.cost.macs > 0 else { return 0 }
        return try checked.multiply(layer.cost.macs, inputGradient ? 2 : 1)
    }
}
