import ConvLintKit

/// What running one layer measured, per image.
public struct LayerMeasurement: Sendable {
    public var output: Volume
    /// Counted from the weight tensors actually allocated.
    public var params: Int
    /// The convolution's multiply-accumulates, counted by the kernels from the loop bounds
    /// they ran, per image: nominal, whatever the algorithm.
    public var macs: Int
    /// Multiplications the algorithm performed, per image (fewer than `macs` for Winograd).
    public var multiplications: Int
    /// A faster algorithm than the direct one, when one ran.
    public var algorithm: String?
    public var seconds: Double
}

/// What a run measured: the layers of its fastest forward pass, and every pass's time.
public struct RunMeasurement: Sendable {
    public var batch: Int
    public var backend: String
    public var layers: [LayerMeasurement]
    /// Seconds of each forward pass, from the first layer after INPUT to the last, in order.
    public var passes: [Double]
    /// The most bytes of tensors (weights included) alive at once.
    public var peakBytes: ByteCount
    /// The process's peak resident memory, as the kernel counts it.
    public var maxRSS: ByteCount

    /// The fastest pass.
    public var seconds: Double { passes.min() ?? 0 }
    public var medianSeconds: Double {
        let sorted = passes.sorted()
        return sorted.isEmpty ? 0 : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    }

    public var params: Int { layers.reduce(0) { $0 + $1.params } }
    public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
    /// Nominal FLOPs (2 per multiply-accumulate) of the batch per second.
    public var gflops: Double { Double(2 * macs * batch) / seconds / 1e9 }
}

/// A disagreement between the static analysis and the run: one of them is wrong.
public struct Mismatch: Sendable, Equatable {
    public var layer: Int
    public var label: String
    public var what: String
    public var predicted: String
    public var measured: String
}

extension RunMeasurement {
    /// Shapes, parameters and MACs that differ from the static figures.
    public func mismatches(with analysis: Analysis) -> [Mismatch] {
        var found = [Mismatch]()
        for (report, measured) in zip(analysis.layers, layers) {
            func compare(_ what: String, _ predicted: String, _ value: String) {
                if predicted != value {
                    found.append(Mismatch(layer: report.node.index, label: report.node.label, what: what, predicted: predicted, measured: value))
                }
            }
            compare("output", report.output.description, measured.output.description)
            compare("params", String(report.cost.params), String(measured.params))
            compare("MACs", String(report.cost.macs), String(measured.macs))
        }
        return found
    }
}
