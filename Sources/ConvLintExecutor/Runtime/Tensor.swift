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

    convenience init(batch: Int, depth: Int, height: Int, width: Int, arena: TensorArena) {
        self.init(batch: batch, depth: depth, height: height, width: width, arena: arena, block: arena.take(batch * depth * height * width))
    }

    /// A layer's scratch of `count` floats, in the arena's workspace block (see `TensorArena.takeWorkspace`).
    convenience init(workspace count: Int, arena: TensorArena) {
        self.init(batch: 1, depth: max(1, count), height: 1, width: 1, arena: arena, block: arena.takeWorkspace(max(1, count)))
    }

    private init(batch: Int, depth: Int, height: Int, width: Int, arena: TensorArena, block: UnsafeMutableBufferPointer<Float>) {
        self.batch = batch
        self.depth = depth
        self.height = height
        self.width = width
        self.arena = arena
        self.block = block
        let count = batch * depth * height * width
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
///
/// The cache may not make the run larger than its plan: blocks of sizes no later layer asks
/// for would otherwise pile up (ResNet-18 at batch 128 held 1.6 times its live peak), and a
/// run refused only above its predicted peak could still be killed below it.
public final class TensorArena: @unchecked Sendable {
    public private(set) var liveBytes = 0
    public private(set) var peakBytes = 0
    /// Bytes held in blocks, live or cached, and their peak: what the process really holds.
    public private(set) var reservedBytes = 0
    public private(set) var peakReservedBytes = 0
    /// Free blocks, smallest first.
    private var cache: [UnsafeMutableBufferPointer<Float>] = []
    /// The most the arena holds while the live tensors stay within it (the run's plan): cached
    /// blocks are released, largest first, before a new block would pass it.
    public let limit: Int?

    public init(limit: Int? = nil) { self.limit = limit }

    deinit {
        for block in cache { block.deallocate() }
        if workspace.baseAddress != nil { workspace.deallocate() }
    }

    /// The block every layer's scratch takes in turn (a convolution's columns or padded input,
    /// Winograd's tiles), as large as the largest asked for so far, and whether a layer holds
    /// it. The plan counts one layer's workspace apart from the activations; kept out of the
    /// cache, the scratch's sizes, which no activation shares, do not make the cache release
    /// blocks at the limit and map fresh ones each pass (ResNet-50 faulted some 2,600 pages a
    /// pass, a tenth of its time).
    private var workspace = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    private var workspaceHeld = false

    /// The workspace block, grown to `count` values; an ordinary block while it is held.
    func takeWorkspace(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        guard !workspaceHeld else { return take(count) }
        if workspace.count < count {
            if workspace.baseAddress != nil {
                reservedBytes -= workspace.count * MemoryLayout<Float>.stride
                workspace.deallocate()
            }
            workspace = take(count)
        }
        workspaceHeld = true
        return workspace
    }

    /// The smallest cached block that holds `count` values without wasting more than half of
    /// itself, else a new one.
    func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        if let index = cache.firstIndex(where: { $0.count >= count }), cache[index].count <= 2 * count {
            return cache.remove(at: index)
        }
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        while let limit, reservedBytes + bytes > limit, let largest = cache.popLast() {
            reservedBytes -= largest.count * MemoryLayout<Float>.stride
            largest.deallocate()
        }
        reservedBytes += bytes
        peakReservedBytes = max(peakReservedBytes, reservedBytes)
        return .allocate(capacity: max(count, 1))
    }

    func give(_ block: UnsafeMutableBufferPointer<Float>) {
        if workspaceHeld, block.baseAddress == workspace.baseAddress {
            workspaceHeld = false
            return
        }
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
    static let step: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ Self.step }

    /// The generator `draws` draws on: SplitMix64's state only counts, so it jumps at once.
    func skipping(_ draws: Int) -> SeededRandom {
        var copy = self
        copy.state &+= UInt64(draws) &* Self.step
        return copy
    }

    mutating func next() -> UInt64 {
        state &+= Self.step
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func uniform() -> Float { Float((next() >> 40) + 1) / Float(1 << 24) }

    /// Normal draws in Box–Muller pairs, two uniforms a pair. Cores fill slices of pairs, each
    /// from the generator skipped to its first pair, so the values are those of one sequential
    /// pass (VGG16's 138 million weights took a second on one core).
    mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
        let pairs = (buffer.count + 1) / 2
        nonisolated(unsafe) let target = buffer
        let start = self
        Cores.split(pairs, grain: 1 << 16) { slice in
            var random = start.skipping(2 * slice.lowerBound)
            for pair in slice {
                let radius = (-2 * logf(random.uniform())).squareRoot() * standardDeviation
                let angle = 2 * Float.pi * random.uniform()
                target[2 * pair] = radius * cosf(angle)
                if 2 * pair + 1 < target.count { target[2 * pair + 1] = radius * sinf(angle) }
            }
        }
        self = skipping(2 * pairs)
    }
}
