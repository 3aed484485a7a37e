/// Concrete fixes for an output size that is not an integer, computed from the numbers:
/// the nearest paddings, strides and input sizes that divide exactly (SPEC §4).
struct ShapeFix {
    /// Layers re-checked in all while looking for a network input that fits: the search
    /// tries sizes up to 64 away, fewer for big networks.
    static let searchBudget = 50_000
    static let searchRadius = 64

    /// How far from the network's input the search looks: two candidates a step, each a full
    /// shape inference, within `searchBudget` layer evaluations.
    static func radius(layers: Int) -> Int { min(searchRadius, searchBudget / (2 * max(1, layers))) }

    let layer: LayerNode
    let axis: OutputSize
    /// Whether `axis` is the width (else the height).
    let isWidth: Bool
    /// Both axes fail the same way: print sizes as `55x55`.
    let bothAxes: Bool
    let network: [LayerNode]
    let rounding: Rounding

    private func size(_ value: Int) -> String { bothAxes ? "\(value)x\(value)" : "\(value)" }

    /// The help line of a strict error: a network input that fits everywhere, then the local fixes.
    func help() -> String {
        var parts = [String]()
        let input = fittingNetworkInput()
        if let input { parts.append(input) }
        parts.append(localFixes(withInputSizes: input == nil))
        parts.append("or set 'rounding: floor' to drop the remainder as PyTorch does")
        return parts.joined(separator: "; ")
    }

    /// Paddings, strides and layer input sizes that make this layer divide exactly.
    func localFixes(withInputSizes: Bool = true) -> String {
        var parts = [String]()
        // Divisibility repeats with period S in P, so the nearest padding is within S of P.
        let paddings = (max(0, axis.padding - axis.stride)...(axis.padding + axis.stride)).filter {
            $0 != axis.padding && $0 < axis.kernel && (axis.input - axis.kernel + 2 * $0) % axis.stride == 0
        }
        if let padding = paddings.min(by: { abs($0 - axis.padding) < abs($1 - axis.padding) }) {
            let out = (axis.input - axis.kernel + 2 * padding) / axis.stride + 1
            parts.append("P=\(padding) gives \(size(out))")
        } else if axis.stride % 2 == 0, (axis.input - axis.kernel) % 2 != 0 {
            parts.append(
                "no padding P fits \(axis.input) with F=\(axis.kernel), S=\(axis.stride), since "
                    + "\(axis.input) − \(axis.kernel) + 2P is odd for every P")
        } else {
            parts.append("no padding below the filter size fits \(axis.input) with F=\(axis.kernel), S=\(axis.stride)")
        }
        let strides = (1...min(2 * axis.stride + 1, 1024)).filter {
            $0 != axis.stride && axis.numerator % $0 == 0
        }
        if let stride = strides.min(by: { abs($0 - axis.stride) < abs($1 - axis.stride) }) {
            parts.append("S=\(stride) gives \(size(axis.numerator / stride + 1))")
        }
        let below = axis.input - axis.remainder
        let above = axis.input + axis.stride - axis.remainder
        let sizes = [above, below].filter { $0 >= 1 && $0 - axis.kernel + 2 * axis.padding >= 0 }
            .map { "\(size($0)) gives \(size(($0 - axis.kernel + 2 * axis.padding) / axis.stride + 1))" }
        if withInputSizes, !sizes.isEmpty {
            parts.append("a layer input of \(sizes.joined(separator: " and "))")
        }
        return parts.joined(separator: "; ")
    }

    /// The nearest network input at which every layer divides exactly, if one is close.
    private func fittingNetworkInput() -> String? {
        guard case .input(let inputLayer) = network.first?.operation else { return nil }
        let radius = Self.radius(layers: network.count)
        guard radius >= 1 else { return nil }
        let shape = inputLayer.shape
        let square = shape[0] == shape[1]
        for distance in 1...radius {
            for delta in [distance, -distance] {
                var candidate = shape
                if square || bothAxes {
                    candidate[0] += delta
                    candidate[1] += delta
                } else if isWidth {
                    candidate[0] += delta
                } else {
                    candidate[1] += delta
                }
                // Far smaller or larger inputs fit trivially and help no one.
                guard candidate[0] * 2 >= shape[0], candidate[1] * 2 >= shape[1], candidate[0] <= 2 * shape[0],
                    candidate[1] <= 2 * shape[1]
                else { continue }
                let result = ShapeInference.run(network, rounding: rounding, suggestFixes: false, inputShape: candidate)
                guard !result.diagnostics.contains(where: { $0.severity == .error }),
                    result.outputs.count > layer.index
                else { continue }
                let here = result.outputs[layer.index]
                return "input \(candidate.map(String.init).joined(separator: "x")) makes every layer fit "
                    + "(this one gives \(here.w)x\(here.h))"
            }
        }
        return nil
    }
}
