import Foundation

/// A float32 tensor in NCHW layout: `batch` images of `depth` channels of `height` rows of
/// `width` values. The storage is counted by the arena while the tensor lives.
public final class Tensor: @unchecked Sendable {
    public let batch: Int
    public let depth: Int
    public let height: Int
    public let width: Int
    public let storage: UnsafeMutableBufferPointer<Float>
    /// The block `storage` lies at the start of; it goes back to the arena's cache.
    private let block: UnsafeMutableBufferPointer<Float>
    private let arena: TensorArena

    init(batch: Int, depth: Int, height: Int, width: Int, arena: TensorArena) {
        self.batch = batch
        self.depth = depth
        self.height = height
        self.width = width
        self.arena = arena
        let count = batch * depth * height * width
        block = arena.take(count)
        storage = UnsafeMutableBufferPointer(rebasing: block[0..<count])
        arena.allocated(count * MemoryLayout<Float>.stride)
    }

    deinit {
        arena.give(block)
        arena.freed(storage.count * MemoryLayout<Float>.stride)
    }

    public var count: Int { storage.count }
    /// Values per image.
    public var imageSize: Int { depth * height * width }
    var base: UnsafeMutablePointer<Float> { storage.baseAddress! }

    /// The start of image `n`.
    func image(_ n: Int) -> UnsafeMutablePointer<Float> { base + n * imageSize }
}

/// Counts the bytes of live tensors and their peak, so that the executor can report what it
/// actually held, beside the static estimate.
///
/// Like a framework's caching allocator, it keeps freed blocks and hands them out again, so
/// that a layer writes into memory an earlier one already touched instead of faulting in fresh
/// pages (VGG16 allocates some 60 MB of activations in one pass). Live bytes count tensors,
/// not cached blocks.
public final class TensorArena: @unchecked Sendable {
    public private(set) var liveBytes = 0
    public private(set) var peakBytes = 0
    /// Free blocks, smallest first.
    private var cache: [UnsafeMutableBufferPointer<Float>] = []

    public init() {}

    deinit {
        for block in cache { block.deallocate() }
    }

    /// The smallest cached block that holds `count` values without wasting more than half of
    /// itself, else a new one.
    func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        if let index = cache.firstIndex(where: { $0.count >= count }), cache[index].count <= 2 * count {
            return cache.remove(at: index)
        }
        return .allocate(capacity: max(count, 1))
    }

    func give(_ block: UnsafeMutableBufferPointer<Float>) {
        let index = cache.firstIndex { $0.count >= block.count } ?? cache.endIndex
        cache.insert(block, at: index)
    }

    func allocated(_ bytes: Int) {
        liveBytes += bytes
        peakBytes = max(peakBytes, liveBytes)
    }

    func freed(_ bytes: Int) { liveBytes -= bytes }

}

/// A seeded generator (SplitMix64) with normal draws by Box–Muller: the same `--seed` gives
/// the same weights and input on every machine.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func uniform() -> Float { Float((next() >> 40) + 1) / Float(1 << 24) }

    mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
        var index = 0
        while index < buffer.count {
            let radius = (-2 * logf(uniform())).squareRoot() * standardDeviation
            let angle = 2 * Float.pi * uniform()
            buffer[index] = radius * cosf(angle)
            if index + 1 < buffer.count { buffer[index + 1] = radius * sinf(angle) }
            index += 2
        }
    }
}
