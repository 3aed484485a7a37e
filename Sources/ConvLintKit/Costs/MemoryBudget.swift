/// Which model of training memory answers "does it fit".
public enum MemoryFramework: String, Sendable, CaseIterable, Codable {
    /// PyTorch on a CUDA GPU, calibrated on measured peaks.
    case pytorch
    /// The CS231n notes' rule of thumb: activations ×2, parameters ×(2 + optimizer state).
    case notes
}

/// A GPU memory size as written on the command line: `16GiB`, `80 GB`, `512MiB`.
public enum MemorySize {
    static let units: [(suffix: String, bytes: Double)] = [
        ("TiB", 1_099_511_627_776), ("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024),
        ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("kB", 1e3),
    ]

    public static func parse(_ text: String) -> ByteCount? {
        let trimmed = text.filter { $0 != " " }
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value > 0, value * scale < 1e18 else { return nil }
            return ByteCount(Int(value * scale))
        }
        return nil
    }
}

/// The outcome of `--gpu-memory`.
public struct BudgetCheck: Sendable, Equatable {
    public var budget: ByteCount
    public var framework: MemoryFramework
    /// The largest batch whose training step fits; nil when not even one image does.
    public var largestBatch: Int?
    /// The same with the knobs people turn when it does not fit.
    public var whatIf: [WhatIf] = []
}

/// The largest batch with other training settings, for `--gpu-memory`.
public struct WhatIf: Sendable, Equatable {
    /// The command-line flags that select the setting: `--checkpoint blocks`.
    public var flags: String
    public var largestBatch: Int?
}

/// The largest batch whose training step fits a memory budget.
enum MemoryBudget {
    static let ruleID = "exceeds-memory-budget"

    /// 16 GiB (V100, T4), 24 GiB (A10, RTX 4090), 40 GiB (A100 40GB), 80 GiB (A100, H100).
    static let commonSizes = [16, 24, 40, 80].map { ByteCount($0 << 30) }
}

/// A memory figure that is a constant plus a cost per image, known from its values at two batches.
struct BatchLine: Sendable, Equatable {
    var fixed: Int
    var perImage: Int

    /// Nil when the two values do not lie on a line with a whole number of bytes per image.
    init?(_ first: (batch: Int, bytes: Int), _ second: (batch: Int, bytes: Int)) {
        let (rise, run) = (second.bytes - first.bytes, second.batch - first.batch)
        guard run > 0, rise % run == 0 else { return nil }
        perImage = rise / run
        fixed = first.bytes - perImage * first.batch
    }

    /// Nil when the figure overflows.
    func bytes(at batch: Int) -> Int? {
        let (scaled, overflow) = perImage.multipliedReportingOverflow(by: batch)
        let (sum, carry) = fixed.addingReportingOverflow(scaled)
        return overflow || carry ? nil : sum
    }
}

/// How a training step's memory grows with the batch, for one network, element type, optimizer
/// and memory model: activations and the peak of each phase of the step (backward pass and
/// optimizer step in PyTorch, the notes' single total) are each a constant plus a cost per image,
/// so two estimates determine them at every batch. That holds without checkpointing, where every
/// term is either resident or a per-image size times the batch; checkpointing keeps what is live
/// at the simulated peak, which need not be.
struct StepScaling: Sendable, Equatable {
    var forward: BatchLine
    var phases: [BatchLine]

    /// Nil when an estimate's figures do not lie on lines, i.e. the model is not affine here.
    init?(_ first: (batch: Int, memory: MemoryEstimate), _ second: (batch: Int, memory: MemoryEstimate), framework: MemoryFramework) {
        guard
            let forward = BatchLine((first.batch, first.memory.forward.bytes), (second.batch, second.memory.forward.bytes))
        else { return nil }
        var phases = [BatchLine]()
        for (one, two) in zip(first.memory.phasePeaks(framework), second.memory.phasePeaks(framework)) {
            guard let line = BatchLine((first.batch, one.bytes), (second.batch, two.bytes)) else { return nil }
            phases.append(line)
        }
        self.forward = forward
        self.phases = phases
    }

    /// Whether `memory`, estimated at `batch`, lies on these lines.
    func predicts(_ memory: MemoryEstimate, at batch: Int, framework: MemoryFramework) -> Bool {
        forward.bytes(at: batch) == memory.forward.bytes
            && phases.map { $0.bytes(at: batch) } == memory.phasePeaks(framework).map { $0.bytes as Int? }
    }

    /// The training step's peak at `batch`, as `MemoryEstimate.trainingPeak` gives it; nil on overflow.
    func trainingPeak(at batch: Int) -> Int? {
        var peak = 0
        for phase in phases {
            guard let bytes = phase.bytes(at: batch) else { return nil }
            peak = max(peak, bytes)
        }
        return peak
    }

    /// The largest batch whose every phase fits `budget`, up to `Limits.batch`; nil when not even
    /// batch 1 fits.
    func largestBatch(fitting budget: ByteCount) -> Int? {
        var largest = Limits.batch
        for phase in phases {
            guard let one = phase.bytes(at: 1), budget.bytes >= one else { return nil }
            if phase.perImage > 0 { largest = min(largest, (budget.bytes - phase.fixed) / phase.perImage) }
        }
        return largest
    }
}
