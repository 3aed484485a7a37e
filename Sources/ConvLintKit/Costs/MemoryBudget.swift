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

    /// `one` and `two` are the peaks of each phase of a step (backward pass, optimizer step) at
    /// batch 1 and 2. Each is a constant plus a cost per image, so the two determine it exactly.
    /// Returns nil when not even batch 1 fits.
    static func largestBatch(fitting budget: ByteCount, one: [ByteCount], two: [ByteCount]) -> Int? {
        var largest = Limits.batch
        for (first, second) in zip(one, two) {
            let perImage = second.bytes - first.bytes
            let fixed = first.bytes - perImage
            guard budget.bytes >= fixed + perImage else { return nil }
            if perImage > 0 { largest = min(largest, (budget.bytes - fixed) / perImage) }
        }
        return largest
    }
}
