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

    /// The result of checking the combination alone.
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

    init(index: Int, values: [String], totals: LayerCost, forwardBytes: Int, trainingBytes: Int, largestBatch: Int?) {
        self.index = index
        self.values = values
        params = totals.params
        macs = totals.macs
        self.forwardBytes = forwardBytes
        self.trainingBytes = trainingBytes
        self.largestBatch = largestBatch
    }
}

/// Checks every combination of a grid on one architecture file, on every core. The file is parsed
/// once, each network is built once, and its memory at every batch comes from three estimates
/// per element type and optimizer, so a combination that changes only the batch costs a few
/// multiplications.
public struct Sweep: Sendable {
    public let source: SourceFile
    public let grid: SweepGrid
    public let base: AnalysisOptions
    public let configuration: Configuration
    /// The largest batch `--vary batch` gives, up to which each network's memory is scaled.
    let largestSweptBatch: Int?
    /// Whether scaling memory pays: batches vary, or a budget is checked (whose search takes two
    /// estimates anyway). Otherwise a combination's one estimate is all it needs.
    let scalesMemory: Bool

    public init(source: SourceFile, grid: SweepGrid, base: AnalysisOptions, configuration: Configuration = Configuration()) {
        self.source = source
        self.grid = grid
        var base = base
        base.commonGPUs = false
        self.base = base
        self.configuration = configuration
        largestSweptBatch = grid.axes.first { $0.setting == .batch }?.values.compactMap { Int($0) }.max()
        scalesMemory = largestSweptBatch != nil || base.gpuMemory != nil || grid.varies(.gpuMemory)
    }

    /// Checks every combination and keeps what `selection` shows, merging as it goes: with a
    /// `limit`, memory stays that of `limit` results however large the grid. Stops early when
    /// `stop` turns true; `progress` hears how many are done, from any thread. Each result is
    /// the one checking its combination alone gives.
    public func run(
        _ selection: SweepSelection = SweepSelection(), stop: @Sendable () -> Bool = { false },
        progress: @Sendable (Int) -> Void = { _ in }
    ) -> SweepOutcome {
        let parsed = Analyzer.parse(source)
        let outcome = SharedOutcome(selection)
        // A unit is one network and up to `chunk` of its sizings: small enough to balance the
        // cores and to report progress, large enough that building the network is shared.
        let chunk = 4096
        let chunks = (grid.sizings + chunk - 1) / chunk
        _ = Parallel.map(grid.structures * chunks, stop: stop) { unit in
            let first = unit % chunks * chunk
            var part = SweepOutcome()
            SweepNetwork(self, parsed: parsed, structure: unit / chunks)
                .check(first..<min(grid.sizings, first + chunk), into: &part, selection, stop: stop)
            progress(outcome.merge(part))
        }
        return outcome.value
    }
}

/// One network of a sweep, built once, checked at each combination of the memory settings.
private struct SweepNetwork {
    let sweep: Sweep
    let structure: Int
    /// The sweep's options with the axes that shape the network set.
    let options: AnalysisOptions
    /// The network before memory and rules, with its file as the options made it.
    let analysis: Analysis
    let file: ArchitectureFile?
    /// The rules' verdict, which no memory setting changes.
    let linted: Analysis

    init(_ sweep: Sweep, parsed: Result<ArchitectureFile, Diagnostic>, structure: Int) {
        self.sweep = sweep
        self.structure = structure
        options = sweep.grid.options(at: sweep.grid.index(structure: structure, sizing: 0), base: sweep.base, shapingNetwork: true)
        (analysis, file) = Analyzer.structure(of: parsed, source: sweep.source, options: options)
        linted = Linter(configuration: sweep.configuration).lint(analysis)
    }

    /// The key of the memory estimates a combination shares with others at other batches.
    private struct Sizing: Hashable {
        var dtype: DType
        var optimizer: Optimizer
    }

    func check(_ sizings: Range<Int>, into part: inout SweepOutcome, _ selection: SweepSelection, stop: () -> Bool) {
        part.networksBuilt += 1
        let scales = sweep.scalesMemory
        var scalings = [Sizing: StepScaling?]()
        for sizing in sizings {
            if stop() { break }
            let index = sweep.grid.index(structure: structure, sizing: sizing)
            let values = sweep.grid.values(at: index)
            let point = sweep.grid.options(at: index, base: options, shapingNetwork: false)
            guard let file, analysis.isValid else {
                // The network is not built, or not right: every memory setting gets the same error.
                part.add(SweepResult(index: index, values: values, analysis: linted, framework: point.framework), selection)
                continue
            }
            let (batch, dtype) = Analyzer.sizing(point, file)
            let key = Sizing(dtype: dtype, optimizer: point.optimizer)
            let scaling: StepScaling?
            if !scales {
                scaling = nil
            } else if let known = scalings[key] {
                scaling = known
            } else {
                scaling = self.scaling(key, upTo: batch, point, &part)
                scalings[key] = scaling
            }
            // A rule's error, an estimate that does not scale or a budget exceeded: checked alone,
            // for exactly the error and help the check of this combination gives.
            guard linted.isValid, let scaling, let training = scaling.trainingPeak(at: batch),
                let forward = scaling.forward.bytes(at: batch), point.gpuMemory.map({ training <= $0.bytes }) ?? true
            else {
                part.checkedAlone += 1
                let sized = Linter(configuration: sweep.configuration).lint(Analyzer.sized(analysis, file: file, options: point))
                part.add(SweepResult(index: index, values: values, analysis: sized, framework: point.framework), selection)
                continue
            }
            part.add(
                SweepResult(
                    index: index, values: values, totals: analysis.totals, forwardBytes: forward, trainingBytes: training,
                    largestBatch: point.gpuMemory.flatMap(scaling.largestBatch(fitting:))),
                selection)
        }
    }

    /// The network's memory at every batch up to the largest the sweep reaches, from estimates at
    /// batches 1 and 2 (as the check's budget search uses) and at that largest batch: estimated
    /// there, no figure of a smaller batch overflows, and the lines must meet it. Nil where that
    /// fails, and with checkpointing, whose figures need not lie on lines.
    private func scaling(_ key: Sizing, upTo batch: Int, _ point: AnalysisOptions, _ part: inout SweepOutcome) -> StepScaling? {
        guard point.checkpoint == .none else { return nil }
        part.memoryEstimates += 2
        guard let scaling = Analyzer.scaling(of: analysis, point, dtype: key.dtype) else { return nil }
        let largest = max(batch, sweep.largestSweptBatch ?? batch)
        guard largest > 2 else { return scaling }
        part.memoryEstimates += 1
        guard let last = Analyzer.estimate(of: analysis, point, batch: largest, dtype: key.dtype),
            scaling.predicts(last, at: largest, framework: point.framework)
        else { return nil }
        return scaling
    }
}

/// What a sweep reached: how many combinations, how many valid, the failures by rule, and the
/// results its selection shows, in order.
public struct SweepOutcome: Sendable {
    public var checked = 0
    public var valid = 0
    public var failures: [String: Int] = [:]
    public var shown: [SweepResult] = []
    /// The work done: networks built, memory estimates made to scale them to every batch, and
    /// combinations sized as a check of them alone would (nothing to scale to, a rule's error,
    /// a budget exceeded, checkpointing).
    public var networksBuilt = 0
    public var memoryEstimates = 0
    public var checkedAlone = 0

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
        networksBuilt += other.networksBuilt
        memoryEstimates += other.memoryEstimates
        checkedAlone += other.checkedAlone
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
