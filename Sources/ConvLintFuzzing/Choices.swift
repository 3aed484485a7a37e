/// Where a generated architecture's decisions come from: a seeded stream for property tests
/// (the same networks on every machine), or the bytes libFuzzer mutates, so that coverage
/// guides the structure and not only the characters.
public struct Choices {
    private enum Source {
        case seeded(state: UInt64)
        case bytes([UInt8], next: Int)
    }

    private var source: Source

    public init(seed: UInt64) { source = .seeded(state: seed) }

    /// Each decision reads two bytes; once they run out, every decision is the first choice,
    /// so a short input stands for a small network.
    public init(bytes: [UInt8]) { source = .bytes(bytes, next: 0) }

    /// A number in `0..<bound`.
    public mutating func next(_ bound: Int) -> Int {
        precondition(bound > 0)
        switch source {
        case .seeded(var state):
            // SplitMix64.
            state &+= 0x9E37_79B9_7F4A_7C15
            source = .seeded(state: state)
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        case .bytes(let bytes, let next):
            guard next + 1 < bytes.count else { return 0 }
            source = .bytes(bytes, next: next + 2)
            return (Int(bytes[next]) << 8 | Int(bytes[next + 1])) % bound
        }
    }

    public mutating func pick<T>(_ choices: [T]) -> T { choices[next(choices.count)] }

    /// True `percent` times in a hundred; false once the bytes run out.
    public mutating func chance(_ percent: Int) -> Bool { next(100) >= 100 - percent }
}
