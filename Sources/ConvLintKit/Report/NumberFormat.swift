import Foundation

extension Int {
    /// `138,357,544`.
    public var grouped: String {
        let digits = Array(String(magnitude).utf8)
        var out = [UInt8]()
        out.reserveCapacity(digits.count + digits.count / 3 + 1)
        if self < 0 { out.append(UInt8(ascii: "-")) }
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// This count's share of `whole` in whole percent: `21%`, or `<1%` for a share that would
    /// round to nothing.
    public func percent(of whole: Int) -> String {
        let share = Swift.min(1, Double(self) / Double(whole)) * 100
        return share > 0 && share < 0.5 ? "<1%" : "\(Int(share.rounded()))%"
    }

    /// The notes' style: exact below 10,000, else two significant digits (`150K`, `3.2M`).
    public var notesStyle: String {
        guard self >= 10_000 else { return String(self) }
        return Self.scaled(Double(self), significant: 2)
    }

    /// Three significant digits with K/M/G/T (`86.7M`, `15.5G`).
    public var compact: String {
        guard self >= 1000 else { return String(self) }
        return Self.scaled(Double(self), significant: 3)
    }

    private static func scaled(_ value: Double, significant: Int) -> String {
        let exponent = Foundation.floor(Foundation.log10(value))
        let step = Foundation.pow(10, exponent - Double(significant - 1))
        let rounded = (value / step).rounded() * step
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")]
        let (scale, suffix) = units.first { rounded >= $0.0 } ?? (1, "")
        let mantissa = rounded / scale
        let decimals = Swift.max(0, significant - 1 - Int(Foundation.floor(Foundation.log10(mantissa))))
        var text = String(format: "%.\(decimals)f", mantissa)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + suffix
    }
}

/// A count of bytes, printed in decimal and binary units.
public struct ByteCount: Sendable, Equatable, Comparable, Codable {
    public var bytes: Int

    public init(_ bytes: Int) { self.bytes = bytes }

    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }

    /// `60.95 MB`.
    public var decimal: String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        let value = Double(bytes)
        guard let (scale, suffix) = units.first(where: { value >= $0.0 }) else { return "\(bytes) B" }
        return String(format: "%.2f %@", value / scale, suffix)
    }

    /// `58.1 MiB`.
    public var binary: String {
        let units: [(Double, String)] = [(1_099_511_627_776, "TiB"), (1_073_741_824, "GiB"), (1_048_576, "MiB"), (1024, "KiB")]
        let value = Double(bytes)
        guard let (scale, suffix) = units.first(where: { value >= $0.0 }) else { return "\(bytes) B" }
        return String(format: "%.1f %@", value / scale, suffix)
    }
}
