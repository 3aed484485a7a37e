import ConvLintKit
import Foundation

/// 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, 2016):
/// each 2x2 block of outputs comes from a 4x4 input tile in 16 multiplications per channel
/// pair instead of 36. Tiles are transformed (V = Bᵀ d B), multiplied by the transformed
/// filters (U = G g Gᵀ) as 16 GEMMs over channels, and transformed back (Y = Aᵀ M A).
/// Each core does all three for its own blocks of tiles, in its own scratch, so that V and M
/// stay in cache between the steps. The network's MACs stay the nominal ones;
/// `multiplications` says what was performed.
public struct Winograd {
    static let name = "Winograd F(2x2, 3x3)"

    /// When a 3x3 stride-1 convolution runs by Winograd.
    public enum Use: String, CaseIterable, Sendable {
        /// Where it is faster on the machine kind this was tuned on: see `pays`.
        case auto
        /// Wherever it applies.
        case on
        /// Never: every convolution by GEMM.
        case off
    }

    /// 3x3, stride 1, undilated, ungrouped, and enough input channels for the 16 GEMMs over
    /// them to pay for the transforms (VGG16's first layer, on 3 channels, is faster by GEMM).
    static func applies(to geometry: WindowGeometry, channels: Int) -> Bool {
        geometry.kernel == (3, 3) && geometry.stride == (1, 1) && geometry.dilation == (1, 1) && geometry.groups == 1
            && channels >= 16
    }

    /// Where Winograd beat the shifted GEMM on a 2-core Zen 4 with OpenBLAS (`--passes 8`, each
    /// layer both ways): once the layer is large, C·K·H·W ≥ 2²⁵, as every VGG16 layer after the
    /// first is (conv1_2, 64 channels at 224x224: 17 ms against 24; conv4_2: 13 against 24). On
    /// smaller layers, such as every 3x3 convolution of ResNet-50 (C·K·H·W = 12.8M; 14x14x256:
    /// 2.0 ms against 1.6), the transforms cost more than the multiplications they save.
    static func pays(for geometry: WindowGeometry, channels: Int, output: (height: Int, width: Int)) -> Bool {
        channels * geometry.filters * output.height * output.width >= 1 << 25
    }

    /// Whether a forward convolution runs by Winograd under `use`: read once, by `CompiledNetwork`.
    static func chosen(_ use: Use, geometry: WindowGeometry, channels: Int, output: (height: Int, width: Int)) -> Bool {
        guard use != .off, applies(to: geometry, channels: channels) else { return false }
        return use == .on || pays(for: geometry, channels: channels, output: output)
    }

    let geometry: WindowGeometry
    /// U: 16 matrices of K × C, built once with the network, each as the backend packed it
    /// when it packs them (`packedStride` floats apart), else as stored.
    let filters: Tensor
    let packedStride: Int
    /// Multiplications the GEMMs performed, and the nominal MACs of the convolution computed.
    private(set) var multiplications = 0
    private(set) var macs = 0

    /// Floats of U held for the run, and of the scratch that building it takes beyond them
    /// (U as stored, before the backend packs it).
    static func filterFloats(filters k: Int, channels: Int, gemm: any GEMM) -> (held: Int, building: Int) {
        let packed = gemm.packedCount(m: k, k: channels)
        return packed > 0 ? (16 * packed, 16 * k * channels) : (16 * k * channels, 0)
    }

    /// Transforms `weights` (K × 3 × 3 × C, as `Convolution` stores them) into U, packed for `gemm`.
    init(_ geometry: WindowGeometry, weights: UnsafePointer<Float>, channels: Int, gemm: any GEMM, arena: TensorArena) {
        self.geometry = geometry
        let k = geometry.filters
        let stored = Tensor(batch: 1, depth: 16 * k * channels, height: 1, width: 1, arena: arena)
        Self.transform(weights, filters: k, channels: channels, into: stored.base)
        packedStride = gemm.packedCount(m: k, k: channels)
        guard packedStride > 0 else {
            filters = stored
            return
        }
        filters = Tensor(batch: 1, depth: 16 * packedStride, height: 1, width: 1, arena: arena)
        for element in 0..<16 {
            gemm.pack(
                m: k, k: channels, a: stored.base + element * k * channels, lda: channels,
                into: filters.base + element * packedStride)
        }
    }

    /// U = G g Gᵀ for every filter and channel: element e of filter f and channel c at
    /// `u[(e · K + f) · C + c]`.
    private static func transform(_ weights: UnsafePointer<Float>, filters k: Int, channels: Int, into u: UnsafeMutablePointer<Float>) {
        for f in 0..<k {
            for c in 0..<channels {
                // Rows of g, then of G g (4 × 3), then each row times Gᵀ: scalars, no arrays, as
                // this runs for every filter and channel (1.6 million pairs in VGG16).
                func row(_ r: Int) -> SIMD3<Float> {
                    let tap = weights + (f * 9 + 3 * r) * channels + c
                    return SIMD3(tap[0], tap[channels], tap[2 * channels])
                }
                let (g0, g1, g2) = (row(0), row(1), row(2))
                let gg = (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
                func store(_ i: Int, _ t: SIMD3<Float>) {
                    let values = SIMD4(t[0], (t[0] + t[1] + t[2]) / 2, (t[0] - t[1] + t[2]) / 2, t[2])
                    for j in 0..<4 { u[((i * 4 + j) * k + f) * channels + c] = values[j] }
                }
                store(0, gg.0)
                store(1, gg.1)
                store(2, gg.2)
                store(3, gg.3)
            }
        }
    }

    /// Where the tiles sit, how they are cut into blocks, and the scratch that takes.
    struct Tiling {
        let channels: Int, filters: Int
        let tilesH: Int, tilesW: Int
        /// Tiles per block, and blocks per image (a multiple of the cores).
        let size: Int, blocks: Int
        /// Each channel is copied into a zero-bordered plane, so tiles need no bounds checks;
        /// 16 columns of slack let the last vector of a row load past its end.
        var paddedWidth: Int { 2 * tilesW + 2 + 16 }
        var paddedHeight: Int { 2 * tilesH + 2 }
        var plane: Int { paddedWidth * paddedHeight }
        var tiles: Int { tilesH * tilesW }
        /// A core's V (16 × C × size) and M (16 × K × size).
        var perCore: Int { 16 * (channels + filters) * size }
        /// Floats of scratch: the padded image, shared, and each core's V and M.
        var workspace: Int { channels * plane + Cores.count * perCore }

        init(channels: Int, filters: Int, output: (height: Int, width: Int)) {
            self.channels = channels
            self.filters = filters
            tilesH = (output.height + 1) / 2
            tilesW = (output.width + 1) / 2
            // 512 tiles with 64 channels in and out (V and M: 4 MiB), at least 256 with more:
            // fewer made VGG16's 256- and 512-channel layers slower, more its 64-channel ones.
            let cap = max(256, 65536 / (channels + filters))
            let tiles = tilesH * tilesW
            blocks = Cores.count * max(1, (tiles + Cores.count * cap - 1) / (Cores.count * cap))
            size = (tiles + blocks - 1) / blocks
        }
    }

    /// Scratch comes from `arena`, so that it counts among the live bytes.
    mutating func forward(
        _ input: Tensor, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM, arena: TensorArena
    ) {
        let (channels, k) = (input.depth, geometry.filters)
        let tiling = Tiling(channels: channels, filters: k, output: (output.height, output.width))
        let scratch = Tensor(batch: 1, depth: tiling.workspace, height: 1, width: 1, arena: arena)
        nonisolated(unsafe) let (padded, u) = (scratch.base, UnsafePointer(filters.base))
        let packed = packedStride
        nonisolated(unsafe) let own = scratch.base + channels * tiling.plane
        let layout = TileLayout(
            height: input.height, width: input.width, outH: output.height, outW: output.width, tilesW: tiling.tilesW,
            paddedWidth: tiling.paddedWidth, paddedHeight: tiling.paddedHeight, padding: geometry.padding)
        for n in 0..<input.batch {
            nonisolated(unsafe) let (source, target, bias) = (UnsafePointer(input.image(n)), output.image(n), bias)
            Cores.split(channels, grain: 1) { range in
                for c in range { layout.pad(source + c * layout.height * layout.width, into: padded + c * tiling.plane) }
            }
            Cores.deal(tiling.blocks, workers: gemm.workers) { block, core in
                let v = own + core * tiling.perCore
                let m = v + 16 * channels * tiling.size
                let first = block * tiling.size
                let tiles = first..<min(tiling.tiles, first + tiling.size)
                let count = tiles.count
                guard count > 0 else { return }
                for c in 0..<channels {
                    layout.transformInput(padded + c * tiling.plane, tiles: tiles, into: v + c * count, stride: channels * count)
                }
                // M[ξν] = U[ξν] · V[ξν]: K × tiles from K × C and C × tiles.
                for element in 0..<16 {
                    let a: GEMMOperand =
                        packed > 0 ? .packed(u + element * packed) : .stored(u + element * k * channels, lda: channels)
                    gemm.multiply(
                        m: k, n: count, k: channels, a: a, b: v + element * channels * count, ldb: count, transposeB: false,
                        c: m + element * k * count, ldc: count, accumulate: false)
                }
                for f in 0..<k {
                    layout.transformOutput(
                        m + f * count, stride: k * count, tiles: tiles, into: target + f * layout.outH * layout.outW,
                        bias: bias?[f] ?? 0)
                }
            }
            multiplications += 16 * k * channels * tiling.tiles
            macs += k * channels * 9 * output.height * output.width
        }
    }
}

/// Where tiles sit in a plane, and the two transforms of F(2x2, 3x3) over a range of tiles:
/// eight tiles of a row at a time in SIMD lanes, the rest one by one.
private struct TileLayout {
    let height: Int, width: Int, outH: Int, outW: Int, tilesW: Int
    let paddedWidth: Int, paddedHeight: Int
    let padding: (w: Int, h: Int)

    /// The plane with `padding` zeros above and left of it and zeros to the end of the buffer.
    func pad(_ plane: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        copyZeroPadded(
            plane, height: height, width: width, into: target, stride: paddedWidth, count: paddedWidth * paddedHeight,
            top: padding.h, left: padding.w)
    }

    /// Calls `body(tileRow, tileColumn, lanes, offset)` for each group of up to eight tiles in
    /// one tile row: their row, the column of the first, how many, and where the first is in
    /// `tiles`.
    func eights(_ tiles: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        var tile = tiles.lowerBound
        while tile < tiles.upperBound {
            let ty = tile / tilesW, tx = tile % tilesW
            let lanes = min(8, tiles.upperBound - tile, tilesW - tx)
            body(ty, tx, lanes, tile - tiles.lowerBound)
            tile += lanes
        }
    }

    /// V = Bᵀ d B. Element e of tile t goes to `v[e * stride + t − first]`.
    func transformInput(_ plane: UnsafePointer<Float>, tiles: Range<Int>, into v: UnsafeMutablePointer<Float>, stride: Int) {
        typealias V8 = SIMD8<Float>
        eights(tiles) { ty, tx, lanes, offset in
            // Row r of eight 4x4 tiles, columns 0...3, each a vector over the tiles.
            func row(_ r: Int) -> (V8, V8, V8, V8) {
                let base = UnsafeRawPointer(plane + (2 * ty + r) * paddedWidth + 2 * tx)
                let a = base.loadUnaligned(as: SIMD16<Float>.self)
                let b = base.loadUnaligned(fromByteOffset: 8, as: SIMD16<Float>.self)
                let (d0, d1, d2, d3) = (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
                return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)  // d·B, column by column
            }
            let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
            func store(_ e: Int, _ vector: V8) {
                let target = v + e * stride + offset
                if lanes == 8 {
                    UnsafeMutableRawPointer(target).storeBytes(of: vector, as: V8.self)
                } else {
                    for lane in 0..<lanes { target[lane] = vector[lane] }
                }
            }
            // Bᵀ (d B): rows combined the same way.
            store(0, r0.0 - r2.0); store(1, r0.1 - r2.1); store(2, r0.2 - r2.2); store(3, r0.3 - r2.3)
            store(4, r1.0 + r2.0); store(5, r1.1 + r2.1); store(6, r1.2 + r2.2); store(7, r1.3 + r2.3)
            store(8, r2.0 - r1.0); store(9, r2.1 - r1.1); store(10, r2.2 - r1.2); store(11, r2.3 - r1.3)
            store(12, r1.0 - r3.0); store(13, r1.1 - r3.1); store(14, r1.2 - r3.2); store(15, r1.3 - r3.3)
        }
    }

    /// Y = Aᵀ M A plus the bias, a 2x2 block of outputs per tile.
    func transformOutput(
        _ m: UnsafePointer<Float>, stride: Int, tiles: Range<Int>, into plane: UnsafeMutablePointer<Float>, bias: Float
    ) {
        typealias V8 = SIMD8<Float>
        eights(tiles) { ty, tx, lanes, offset in
            func at(_ e: Int) -> V8 {
                let source = m + e * stride + offset
                if lanes == 8 { return UnsafeRawPointer(source).loadUnaligned(as: V8.self) }
                var vector = V8()
                for lane in 0..<lanes { vector[lane] = source[lane] }
                return vector
            }
            // Aᵀ M: two rows of four, then times A.
            let m0 = (at(0), at(1), at(2), at(3)), m1 = (at(4), at(5), at(6), at(7))
            let m2 = (at(8), at(9), at(10), at(11)), m3 = (at(12), at(13), at(14), at(15))
            let top = (m0.0 + m1.0 + m2.0, m0.1 + m1.1 + m2.1, m0.2 + m1.2 + m2.2, m0.3 + m1.3 + m2.3)
            let bottom = (m1.0 - m2.0 - m3.0, m1.1 - m2.1 - m3.1, m1.2 - m2.2 - m3.2, m1.3 - m2.3 - m3.3)
            let shift = V8(repeating: bias)
            let y = ((top.0 + top.1 + top.2 + shift, top.1 - top.2 - top.3 + shift),
                     (bottom.0 + bottom.1 + bottom.2 + shift, bottom.1 - bottom.2 - bottom.3 + shift))
            for i in 0..<2 where 2 * ty + i < outH {
                let line = plane + (2 * ty + i) * outW
                let (left, right) = i == 0 ? y.0 : y.1
                for lane in 0..<lanes {
                    let ox = 2 * (tx + lane)
                    line[ox] = left[lane]
                    if ox + 1 < outW { line[ox + 1] = right[lane] }
                }
            }
        }
    }
}
