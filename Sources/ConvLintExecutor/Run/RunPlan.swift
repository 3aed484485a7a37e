import ConvLintKit

/// What a run will hold, predicted before anything is allocated, so that a network that does
/// not fit is refused with numbers instead of being killed by the kernel.
public struct RunPlan: Sendable {
    /// Weights, buffers and transformed or packed filters, as float32.
    public var fixed: ByteCount
    /// The largest scratch of one layer: a convolution's blocks of columns or output and its
    /// padded input, or a transposed convolution's col2im buffer.
    public var workspace: ByteCount
    /// Activations of the batch at their peak (all of them with `keepActivations`).
    public var activations: ByteCount
    public var batch: Int

    public var predicted: ByteCount { ByteCount(fixed.bytes + workspace.bytes + activations.bytes) }

    /// `winograd`: convolutions that run by Winograd also hold their filters transformed (16/9
    /// of them); the others, their filters packed when `gemm` packs them.
    public init(
        analysis: Analysis, memory: MemoryEstimate, keepActivations: Bool, winograd: Winograd.Use = .auto,
        gemm: any GEMM = GEMMBackend.best()
    ) {
        self.init(
            analysis: analysis, memory: memory, keepActivations: keepActivations,
            compiled: CompiledNetwork(analysis, winograd: winograd, gemm: gemm, fuse: !keepActivations))
    }

    /// The memory of running `compiled`, the steps the executor will run.
    public init(analysis: Analysis, memory: MemoryEstimate, keepActivations: Bool, compiled: CompiledNetwork) {
        let totals = analysis.totals
        let transformed = compiled.steps.reduce(0) { $0 + $1.transformedWeights * 4 }
        let weights = (totals.params + totals.buffers) * 4
        fixed = ByteCount(weights + transformed)
        // The static inference peak holds the weights and the largest live set of activations.
        activations = ByteCount(
            keepActivations ? totals.activations * analysis.batch * 4 : memory.inferencePeak.bytes - weights)
        workspace = ByteCount((compiled.steps.map(\.workspace).max() ?? 0) * 4)
        batch = analysis.batch
    }

    /// What a run of `executor` may still take for its tensors, and the limit that says so.
    /// Under `ulimit -v` the threads' address space is set aside first: each worker's glibc
    /// arena (64 MiB reserved) and stack (8 MiB), and the BLAS's buffer per caller. Beyond the
    /// limit, an allocation fails where OpenBLAS retries it for ever.
    public static func availableMemory(for executor: Executor) -> (bytes: ByteCount, limit: String)? {
        guard let (bytes, limit) = ResourceUsage.available() else { return nil }
        guard limit == .addressSpace else { return (ByteCount(bytes), limit.description) }
        let threads = executor.gemm.workers + 2  // the workers, the main thread and Dispatch's
        let reserve = threads * (72 << 20) + executor.gemm.workers * executor.gemm.addressSpacePerCaller
        return (ByteCount(max(bytes - reserve, 0)), "\(limit.description), less \(ByteCount(reserve).binary) of thread address space")
    }

    /// The message refusing the run, or nil when it fits. `limit` names where `available` comes from.
    public func refusal(available: ByteCount?, limit: String? = nil) -> String? {
        guard let available, predicted > available else { return nil }
        let perImage = activations.bytes / max(batch, 1)
        let room = available.bytes - fixed.bytes - workspace.bytes
        let largest = perImage > 0 && room > 0 ? room / perImage : 0
        return "error[exceeds-available-memory]: running batch \(batch) needs about \(predicted.binary) "
            + "(weights \(fixed.binary), activations \(activations.binary), convolution workspace \(workspace.binary)), "
            + "but \(available.binary) is available" + (limit.map { " (\($0))" } ?? "") + "\n  = help: "
            + (largest >= 1 ? "the largest batch that fits is \(largest): --batch \(largest)" : "not even one image fits")
    }
}
