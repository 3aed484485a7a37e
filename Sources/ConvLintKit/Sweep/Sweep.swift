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

    /// The analysis of the combination whose settings are `values`.
    public func analysis(of values: [String]) -> Analysis {
        Checker.check(source: source, options: grid.options(for: values, base: base), configuration: configuration)
    }

    /// Checks every combination and keeps what `selection` shows, merging as it goes: with a
    /// `limit`, memory stays that of `limit` results however large the grid. Stops early when
    /// `stop` turns true; `progress` hears how many are done, from any thread.
    public func run(
        _ selection: SweepSelection = SweepSelection(), stop: @Sendable () -> Bool = { false },
        progress: @Sendable (Int) -> Void = { _ in }
    ) -> SweepOutcome {
        let outcome = SharedOutcome(selection)
        // Blocks of a few combinations: cheap to hand out, fine enough to balance the cores.
        let block = max(1, min(64, grid.count / (ProcessInfo.processInfo.activeProcessorCount * 8)))
        _ = Parallel.map((grid.count + block - 1) / block, stop: stop) { number in
            var part = SweepOutcome()
            for index in number * block..<min(grid.count, (number + 1) * block) {
                if stop() { break }
                let values = grid.values(at: index)
                part.add(SweepResult(index: index, values: values, analysis: analysis(of: values), framework: base.framework), selection)
            }
            progress(outcome.merge(part))
        }
        return outcome.value
    }
}

/// What a sweep reached: how many combinations, how many valid, the failures by rule, and the
/// results its selection shows, in order.
public struct SweepOutcome: Sendable {
    public var checked = 0
    public var valid = 0
    public var failures: [String: Int] = [:]
    public var shown: [SweepResult] = []

    public init() {}

    mutating func add(_ result: SweepResult, _ selection: SweepSelection) {
        checked += 1
        if let error = result.error { failures[error.rule, default: 0] += 1 } else { valid += 1 }
        if selection.filter?.matches(result) ?? true { shown.append(result) }
    }

    mutating func merge(_ other: SweepOutcome, _ selection: SweepSelection) {
        checked += other.checked
        valid += other.valid
        failures.merge(other.failures, uniquingKeysWith: +)
        shown += other.shown
        // With a limit, keep only what can still be shown; without one, sort once at the end.
        if selection.limit != nil { shown = selection.arranged(shown) }
    }
}

/// Which results a sweep shows and in what order: `--where`, `--sort` and `--top`.
public struct SweepSelection: Sendable {
    public var filter: SweepFilter?
    public var order: SweepKey?
    public var descending = false
    public var limit: Int?

    public init(filter: SweepFilter? = nil, order: SweepKey? = nil, descending: Bool = false, limit: Int? = nil) {
        self.filter = filter
        self.order = order
        self.descending = descending
        self.limit = limit
    }

    /// Sorted (combinations without the figure, such as invalid ones, last; ties in grid order)
    /// and cut to the limit.
    func arranged(_ results: [SweepResult]) -> [SweepResult] {
        let sorted = results.sorted { a, b in
            guard let order else { return a.index < b.index }
            switch (order.value(of: a), order.value(of: b)) {
            case (let x?, let y?): return x != y ? (descending ? x > y : x < y) : a.index < b.index
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.index < b.index
            }
        }
        return limit.map { Array(sorted.prefix($0)) } ?? sorted
    }
}

/// The outcome the workers merge into.
final class SharedOutcome: @unchecked Sendable {
    private var outcome = SweepOutcome()
    private let selection: SweepSelection
    private let lock = NSLock()

    init(_ selection: SweepSelection) { self.selection = selection }

    /// Merges a block's part; returns how many combinations are done.
    func merge(_ part: SweepOutcome) -> Int {
        lock.lock()
        defer { lock.unlock() }
        outcome.merge(part, selection)
        return outcome.checked
    }

    var value: SweepOutcome {
        lock.lock()
        defer { lock.unlock() }
        var arranged = outcome
        arranged.shown = selection.arranged(outcome.shown)
        return arranged
    }
}
