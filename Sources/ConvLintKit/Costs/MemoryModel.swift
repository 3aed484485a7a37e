/// How parameters are updated, which decides the optimizer state kept per parameter.
public enum Optimizer: String, Sendable, CaseIterable, Codable {
    case sgd, momentum, adam, adamw

    /// Copies of the parameter vector the optimizer keeps: momentum 1, Adam's two moments 2.
    public var stateCopies: Int {
        switch self {
        case .sgd: 0
        case .momentum: 1
        case .adam, .adamw: 2
        }
    }
}

/// One training step's memory by the CS231n notes' rule of thumb: activations are kept for
/// backprop and get gradients of equal size; parameters get gradients and optimizer state.
public struct TrainingMemory: Sendable, Equatable {
    public var optimizer: Optimizer
    public var weights: ByteCount
    public var gradients: ByteCount
    public var optimizerState: ByteCount
    public var activations: ByteCount
    public var activationGradients: ByteCount
    /// The sum of the above, checked for overflow when estimated.
    public var total: ByteCount
}

/// Bytes for a batch: forward activations, parameters, inference peak and training (SPEC §5).
public struct MemoryEstimate: Sendable, Equatable {
    public var forward: ByteCount
    public var parameters: ByteCount
    public var inferencePeak: ByteCount
    public var training: TrainingMemory
    /// The same step and an inference pass as PyTorch runs them on a CUDA GPU.
    public var pytorch: PyTorchMemory

    /// The training step's peak by the chosen model.
    public func trainingPeak(_ framework: MemoryFramework) -> ByteCount {
        phasePeaks(framework).max() ?? ByteCount(0)
    }

    /// The peak of each phase of the training step by the model: what must fit a budget.
    func phasePeaks(_ framework: MemoryFramework) -> [ByteCount] {
        framework == .pytorch ? [pytorch.backwardPeak, pytorch.stepPeak] : [training.total]
    }

    static func estimate(
        layers: [LayerReport], totals: LayerCost, batch: Int, dtype: DType, optimizer: Optimizer,
        checkpoint: Checkpointing = .none
    ) throws(Diagnostic) -> MemoryEstimate {
        let checked = Checked(location: nil, what: "the memory of a batch of \(batch)")
        let size = dtype.bytes
        let forward = try checked.multiply(totals.activations, batch, size)
        let parameters = try checked.multiply(totals.params, size)
        let resident = try checked.add(parameters, try checked.multiply(totals.buffers, size))
        let live = try BufferPlan.spec(layers).peak(layers, size: { layers[$0].output.elements }, checked: checked)
        let peak = try checked.multiply(live, batch, size)
        let state = try checked.multiply(parameters, optimizer.stateCopies)
        var total = 0
        for part in [resident, parameters, state, forward, forward] { total = try checked.add(total, part) }
        let training = TrainingMemory(
            optimizer: optimizer,
            weights: ByteCount(resident),
            gradients: ByteCount(parameters),
            optimizerState: ByteCount(state),
            activations: ByteCount(forward),
            activationGradients: ByteCount(forward),
            total: ByteCount(total))
        return MemoryEstimate(
            forward: ByteCount(forward), parameters: ByteCount(parameters),
            inferencePeak: ByteCount(try checked.add(resident, peak)), training: training,
            pytorch: try PyTorchMemory.estimate(
                layers: layers, totals: totals, batch: batch, dtype: dtype, optimizer: optimizer, checkpoint: checkpoint))
    }
}
