/// Bytes per element of each kind of tensor, by the file's dtype. Half precision means
/// PyTorch's automatic mixed precision for training: fp32 master weights, gradients and
/// optimizer state, fp16/bf16 activations, and an fp16/bf16 copy of each weight that autocast
/// makes and autograd keeps for backward. Inference runs the model converted to the dtype.
struct Precision {
    var weight: Int
    var gradient: Int
    var state: Int
    var activation: Int
    /// The low-precision weight copies autocast keeps for backward; 0 in full precision.
    var castWeight: Int
    var inferenceWeight: Int

    init(_ dtype: DType) {
        switch dtype {
        case .float32: self.init(weight: 4, gradient: 4, state: 4, activation: 4, castWeight: 0, inferenceWeight: 4)
        case .float64: self.init(weight: 8, gradient: 8, state: 8, activation: 8, castWeight: 0, inferenceWeight: 8)
        case .float16, .bfloat16:
            self.init(weight: 4, gradient: 4, state: 4, activation: 2, castWeight: 2, inferenceWeight: 2)
        case .int8: self.init(weight: 4, gradient: 4, state: 4, activation: 1, castWeight: 1, inferenceWeight: 1)
        }
    }

    private init(weight: Int, gradient: Int, state: Int, activation: Int, castWeight: Int, inferenceWeight: Int) {
        self.weight = weight
        self.gradient = gradient
        self.state = state
        self.activation = activation
        self.castWeight = castWeight
        self.inferenceWeight = inferenceWeight
    }
}

/// Peak memory of one training step and of one inference pass in PyTorch on a CUDA GPU, by
/// where each byte goes. The backward pass's peak comes from simulating autograd
/// (`TrainingTimeline`); the resident parts and library workspaces were checked against
/// `torch.cuda.max_memory_allocated` on an H100 (PyTorch 2.11, cuDNN 9.19): see docs/MEMORY.md.
public struct PyTorchMemory: Sendable, Equatable {
    /// cuBLAS keeps a workspace per handle once a matrix multiply ran (32 MiB for cuBLAS and
    /// 1 MiB for cuBLASLt, PyTorch's default on Hopper); training has two handles, the forward
    /// thread's and the autograd engine's.
    public static let cublasWorkspace = 33 << 20

    public enum Phase: String, Sendable { case backward, optimizerStep = "optimizer-step" }

    // Training: resident for the whole step.
    public var weights: ByteCount
    public var optimizerState: ByteCount
    public var input: ByteCount
    public var workspace: ByteCount
    /// Every parameter's gradient, as the optimizer step holds them.
    public var gradients: ByteCount
    /// What autograd saves for backward, in all.
    public var savedActivations: ByteCount
    /// What the step keeps of them: all, or with checkpointing those live at the simulated peak.
    public var keptActivations: ByteCount
    /// Gradient buffers and cuDNN's backward workspaces at the GPU's backward peak: as much
    /// again as the saved tensors on the H100 rows (a fit, until a GPU measures cuDNN's choices).
    public var activationGradients: ByteCount
    /// The training step's tensors alone (activations, their gradients, weight gradients,
    /// scratch) at their peak, by the simulated autograd timeline: what PyTorch allocates on any
    /// device, without the resident part and library workspaces, and where.
    public var timeline: TrainingTimeline.Peak
    /// Multiply-accumulates of the backward pass per image (input and weight gradients, and
    /// the forward again of checkpointed segments).
    public var backwardMACs: Int
    /// Forward and backward multiply-accumulates per image, checked: their sum can overflow
    /// where each does not.
    public var trainingMACs: Int
    public var checkpoint: Checkpointing
    /// Low-precision weight copies kept for backward under mixed precision.
    public var castWeights: ByteCount
    /// Adam's `foreach` step makes a temporary the size of all parameters (its denominator).
    public var stepTemporaries: ByteCount
    public var backwardPeak: ByteCount
    public var stepPeak: ByteCount
    public var trainingPeak: ByteCount { max(backwardPeak, stepPeak) }
    public var trainingPhase: Phase { backwardPeak >= stepPeak ? .backward : .optimizerStep }
    // Inference (`torch.inference_mode`).
    public var inferenceWeights: ByteCount
    /// Live activations and transient workspace at the busiest layer, the input included.
    public var inferenceActivations: ByteCount
    public var inferencePeak: ByteCount
    /// The live tensors alone at their peak (the input included), without library workspaces:
    /// what a CPU can check.
    public var inferenceTensors = ByteCount(0)
    /// What autograd keeps for backward, per image, by the layer that first saved it.
    public var savedPerImage: [Int]

    static func estimate(
        layers: [LayerReport], totals: LayerCost, batch: Int, dtype: DType, optimizer: Optimizer,
        checkpoint: Checkpointing = .none
    ) throws(Diagnostic) -> PyTorchMemory {
        let checked = Checked(location: nil, what: "the memory of a batch of \(batch)")
        let precision = Precision(dtype)
        func bytes(_ values: Int...) throws(Diagnostic) -> ByteCount { ByteCount(try checked.product(values)) }
        let hasMatmul = layers.contains(where: \.isDense)
        // PyTorch's flatten is a view; otherwise layers own what SPEC §5 says they keep.
        let plan = BufferPlan(layers, keepsInput: true) { $0.node.operation.storage != .own }
        let timeline = try TrainingTimeline(
            layers, batch: batch, activationBytes: precision.activation, gradientBytes: precision.gradient,
            castWeightBytes: precision.castWeight, checkpoint: checkpoint, checked: checked)
        // In training, in-place activations that need their input keep it, and a sum cannot
        // overwrite a saved branch: the timeline's plan.
        let saved = try SavedTensors(layers, plan: timeline.plan, activationBytes: precision.activation, checked: checked)
        let peak = timeline.peak
        // Checkpointing keeps fewer activations: the GPU's term scales with those live at the
        // simulated peak instead of all that autograd would save.
        let checkpointed = checkpoint != .none && layers.contains { $0.node.blockCall != nil }
        let kept = checkpointed ? ByteCount(peak.breakdown.activations) : try bytes(saved.total, batch)
        var memory = PyTorchMemory(
            weights: try bytes(totals.params + totals.buffers, precision.weight),
            optimizerState: try bytes(totals.params, optimizer.stateCopies, precision.state),
            input: try bytes(layers.first?.output.elements ?? 0, batch, precision.activation),
            workspace: ByteCount(hasMatmul ? 2 * cublasWorkspace : 0),
            gradients: try bytes(totals.params, precision.gradient),
            savedActivations: try bytes(saved.total, batch), keptActivations: kept,
            activationGradients: kept, timeline: peak, backwardMACs: timeline.backwardMACs,
            trainingMACs: try Checked(location: nil, what: "the training step's count of MACs").add(totals.macs, timeline.backwardMACs),
            checkpoint: checkpoint,
            castWeights: try bytes(totals.weights, precision.castWeight),
            stepTemporaries: try bytes(totals.params, optimizer == .adam || optimizer == .adamw ? precision.state : 0),
            backwardPeak: ByteCount(0), stepPeak: ByteCount(0),
            inferenceWeights: try bytes(totals.params + totals.buffers, precision.inferenceWeight),
            inferenceActivations: ByteCount(0), inferencePeak: ByteCount(0), savedPerImage: saved.byLayer)
        func sum(_ parts: [ByteCount]) throws(Diagnostic) -> ByteCount {
            var total = 0
            for part in parts { total = try checked.add(total, part.bytes) }
            return ByteCount(total)
        }
        // Each phase's peak is the sum of its parts, as `parts(of:)` lists them for the reports.
        memory.backwardPeak = try sum(memory.parts(of: .backward).map(\.bytes))
        memory.stepPeak = try sum(memory.parts(of: .optimizerStep).map(\.bytes))

        // Inference: buffers freed after their last reader (a block's input after the block); a CONV with a filter larger than
        // 1x1 runs in cuDNN's NHWC kernels, which copy its input (depth padded to a multiple
        // of 4) and output; from the first FC on, the cuBLAS workspace stays allocated.
        let element = try checked.multiply(precision.activation, batch)
        let firstFC = layers.firstIndex(where: \.isDense) ?? layers.count
        // A block call's input stays referenced until the call returns, as a module's does.
        let inference = plan.keepingBlockInputs(layers)
        let live = try inference.peak(
            layers, size: { Saturating.multiply(layers[$0].output.elements, element) },
            transient: { layer in
                var extra = layer.node.index >= firstFC ? cublasWorkspace : 0
                if case .convolution(let conv) = layer.node.operation, conv.window.kernel != .one {
                    let input = layer.input
                    let padded = input.w * input.h * ((input.d + 3) / 4 * 4)
                    extra += Saturating.multiply(padded + layer.output.elements, element)
                }
                return extra
            }, checked: checked)
        memory.inferenceActivations = ByteCount(live)
        memory.inferenceTensors = ByteCount(
            try inference.peak(layers, size: { Saturating.multiply(layers[$0].output.elements, element) }, checked: checked))
        memory.inferencePeak = try sum([memory.inferenceWeights, memory.inferenceActivations])
        return memory
    }
}

extension PyTorchMemory {
    /// Where the bytes of a phase's peak go, in the order the reports list them; the phase's peak
    /// is their sum. Both phases hold the resident part (weights, optimizer state, the input
    /// batch, library workspaces) and every parameter's gradient. The backward pass adds the saved
    /// tensors and as much again in gradient buffers and cuDNN's backward workspaces (fitted on
    /// the H100 rows; the simulated timeline gives the tensors alone, which is what a CPU can
    /// check). Parts that cannot be there are left out (a step's saved activations).
    public func parts(of phase: Phase) -> [(name: String, bytes: ByteCount)] {
        var parts = [("weights", weights), ("gradients", gradients), ("optimizer state", optimizerState), ("input", input)]
        switch phase {
        case .backward:
            parts.append((checkpoint == .none ? "saved activations" : "activations kept (checkpointed)", keptActivations))
            parts.append(("activation gradients", activationGradients))
            if castWeights.bytes > 0 { parts.append(("half-precision weight copies", castWeights)) }
        case .optimizerStep:
            if stepTemporaries.bytes > 0 { parts.append(("step temporaries", stepTemporaries)) }
        }
        if workspace.bytes > 0 { parts.append(("cuBLAS workspaces", workspace)) }
        return parts
    }

    public func peak(of phase: Phase) -> ByteCount { phase == .backward ? backwardPeak : stepPeak }
}

extension LayerReport {
    /// An FC layer, which runs as a cuBLAS matrix multiply.
    var isDense: Bool {
        if case .dense = node.operation { return true }
        return false
    }
}
