import Foundation

/// The output size along one axis of a windowed layer, W2 = (W − F_eff + 2P)/S + 1, with
/// what rounding did when the division is not exact.
struct OutputSize {
    var input: Int
    var kernel: Int
    var padding: Int
    var stride: Int
    /// W − F_eff + 2P.
    var numerator: Int { input - kernel + 2 * padding }
    var remainder: Int { numerator % stride }
    var isExact: Bool { remainder == 0 }

    /// The exact quotient plus one, as the notes print it: `54.25`.
    var exactText: String { Self.decimal(Double(numerator) / Double(stride) + 1) }

    /// At most four decimals, without trailing zeros: `54.25`, `7`.
    static func decimal(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `(224 − 11 + 2·0)/4 + 1`.
    var arithmetic: String {
        "(\(input) − \(kernel) + 2·\(padding))/\(stride) + 1"
    }

    func size(_ rounding: Rounding) -> Int {
        let floor = numerator / stride + 1  // numerator ≥ 0: the caller rejects larger kernels first
        guard rounding == .ceil, !isExact else { return floor }
        // PyTorch's ceil_mode: one more window, unless it would start in the right padding.
        let ceil = floor + 1
        return (ceil - 1) * stride >= input + padding ? floor : ceil
    }
}
