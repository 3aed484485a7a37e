import Foundation

/// What one combination of a sweep came to.
public struct SweepResult: Sendable {
    public var index: Int
    public var values: [String]
    /// The first error when the combination is invalid.
    public var error: Diagnostic?
    public var params = 0
    public var macs = 0
    /// Activations of one forward pass at the batch.
    public var forwardBytes = 0
    /// The peak of a training step at the batch, for the optimizer and memory model.
    public var trainingBytes = 0
    /// The largest batch whose training step fits `--gpu-memory`, when one is given.
    public var largestBatch: Int?

    public var isValid: Bool { error == nil }

    init(index: Int, values: [String], analysis: Analysis, framework: MemoryFramework) {
        self.index = index
        self.values = values
        error = analysis.diagnostics.first { $0.severity == .error }
        guard error == nil else { return }
        params = analysis.totals.params
        macs = analysis.totals.macs
        forwardBytes = analysis.memory?.forward.bytes ?? 0
        trainingBytes = analysis.memory?.trainingPeak(framework).bytes ?? 0
        largestBatch = analysis.budget?.largestBatch
    }
}

/// Checks every combination of a grid on one architecture file, on every core.
public struct Sweep: Sendable {
    public let source: SourceFile
    public let grid: SweepGrid
    public let base: AnalysisOptions
    public let configuration: Configuration

    public init(source: SourceFile, grid: SweepGrid, base: AnalysisOptions, configuration: Configuration = Configuration()) {
        self.source = source
        self.grid = grid
        var base = base
        base.commonGPUs = false
        self.base = base
        self.configuration = configuration
    }

    /// The analysis of combination `index`.
    public func analysis(at index: Int) -> Analysis {
        Checker.check(source: source, options: grid.options(at: index, base: base), configuration: configuration)
    }

    /// Every combination's result, in grid order; `nil` for those not reached when `stop`
    /// turned true. `progress` hears how many are done, from any thread.
    public func run(
        stop: @Sendable () -> Bool = { false }, progress: @Sendable (Int) -> Void = { _ in }
    ) -> [SweepResult?] {
        let done = Counter()
        // Blocks of a few combinations: cheap to hand out, fine enough to balance the cores.
        let block = max(1, min(64, grid.count / (ProcessInfo.processInfo.activeProcessorCount * 8)))
        return Parallel.map(grid.count, block: block, stop: stop) { index in
            let result = SweepResult(
                index: index, values: grid.values(at: index), analysis: analysis(at: index), framework: base.framework)
            progress(done.increment())
            return result
        }
    }
}

/// A count shared by threads.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
