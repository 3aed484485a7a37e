import CKernels
import ConvLintKit
import Foundation

/// 3x3 stride-1 convolution by Winograd's minimal filtering F(m x m, 3x3) (Lavin & Gray, 2016):
/// each m x m block of outputs comes from an (m+2)² input tile in (m+2)² multiplications per
/// channel pair instead of 9m²: F(2x2, 3x3) performs 2.25x fewer than the direct convolution,
/// F(4x4, 3x3) 4x fewer. Tiles are transformed (V = Bᵀ d B), multiplied by the transformed
/// filters (U = G g Gᵀ) as (m+2)² GEMMs over channels, and transformed back (Y = Aᵀ M A).
/// Each core does all three for its own blocks of tiles, in its own scratch, so that V and M
/// stay in cache between the steps. The network's MACs stay the nominal ones;
/// `multiplications` says what was performed.
public struct Winograd {
    /// The output tile: F(2x2, 3x3) or F(4x4, 3x3).
    enum Tile: Int, Sendable, CaseIterable {
        case two = 2, four = 4

        var name: String { "Winograd F(\(rawValue)x\(rawValue), 3x3)" }
        /// Side of the input tile, and the elements of each transformed tile (one GEMM each).
        var side: Int { rawValue + 2 }
        var elements: Int { side * side }

        /// G, side × 3: the filter transform. F(4x4, 3x3) interpolates at 0, ±1, ±2 and ∞;
        /// its larger coefficients cost float32 about one more digit than F(2x2, 3x3).
        var g: [[Float]] {
            switch self {
            case .two: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
            case .four:
                [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6],
                 [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]]
            }
        }

        /// F(4x4, 3x3) where it measured faster, on outputs of 56x56 or more. Two VGG16-shaped
        /// layers at batch 1 on the built-in kernel, F(2x2) against F(4x4), fastest of 9 passes:
        /// 224x224x64 45 ms against 39, 112x112x128 36 against 36, 56x56x256 32 against 26,
        /// 28x28x512 32 against 32 (a tie, left to the more exact F(2x2)), and 14x14x512 11
        /// against 27: 16 tiles an image are too few columns for a GEMM.
        static func chosen(output: (height: Int, width: Int)) -> Tile {
            min(output.height, output.width) >= 56 ? .four : .two
        }
    }

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

    /// Where Winograd beat the GEMMs on this project's 2-core Zen 4 machine kind, each layer
    /// both ways at batch 1 (`--winograd on|off`, sum of each layer's fastest pass over 5 runs).
    /// - With the built-in kernel, which packs U once: outputs of 14x14 or more. ResNet-50's
    ///   3x3 layers 56x56x64 4.4 ms against 6.6, 28x28x128 4.3 against 5.1, 14x14x256 7.4
    ///   against 8.3, but 7x7x512 7.6 against 4.0; VGG16's 14x14x512 13.3 against 15.9;
    ///   AlexNet's 13x13 layers are mixed (2.0 against 1.8, 2.2 against 2.5), and stay on GEMM.
    /// - With a BLAS, which packs U with every product: once the layer is large, C·K·H·W ≥ 2²⁵,
    ///   as every VGG16 layer after the first is (conv1_2: 17 ms against 24; conv4_2: 13
    ///   against 24), not ResNet-50's (14x14x256: 2.0 ms against 1.6).
    static func pays(for geometry: WindowGeometry, channels: Int, output: (height: Int, width: Int), gemm: any GEMM) -> Bool {
        if gemm.packedCount(m: geometry.filters, k: channels) > 0 { return min(output.height, output.width) >= 14 }
        return channels * geometry.filters * output.height * output.width >= 1 << 25
    }

    /// Whether a forward convolution runs by Winograd under `use` on `gemm`: read once, by
    /// `CompiledNetwork`.
    static func chosen(
        _ use: Use, geometry: WindowGeometry, channels: Int, output: (height: Int, width: Int), gemm: any GEMM
    ) -> Bool {
        guard use != .off, applies(to: geometry, channels: channels) else { return false }
        return use == .on || pays(for: geometry, channels: channels, output: output, gemm: gemm)
    }

    let geometry: WindowGeometry
    let tile: Tile
    /// U: one K × C matrix per element of a tile, built once with the network, each as the
    /// backend packed it when it packs them (`packedStride` floats apart), else as stored.
    let filters: Tensor
    let packedStride: Int
    /// Multiplications the GEMMs performed, and the nominal MACs of the convolution computed.
    private(set) var multiplications = 0
    private(set) var macs = 0

    var name: String { tile.name }

    /// Floats of U held for the run, and of the scratch that building it takes beyond them
    /// (U as stored, before the backend packs it).
    static func filterFloats(_ tile: Tile, filters k: Int, channels: Int, gemm: any GEMM) -> (held: Int, building: Int) {
        let packed = gemm.packedCount(m: k, k: channels)
        let stored = tile.elements * k * channels
        return packed > 0 ? (tile.elements * packed, stored) : (stored, 0)
    }

    /// Transforms `weights` (K × 3 × 3 × C, as `Convolution` stores them) into U, packed for `gemm`.
    init(
        _ geometry: WindowGeometry, tile: Tile, weights: UnsafePointer<Float>, channels: Int, gemm: any GEMM,
        arena: TensorArena
    ) {
        self.geometry = geometry
        self.tile = tile
        let k = geometry.filters
        let stored = Tensor(batch: 1, depth: tile.elements * k * channels, height: 1, width: 1, arena: arena)
        Self.transform(weights, tile: tile, filters: k, channels: channels, into: stored.base)
        packedStride = gemm.packedCount(m: k, k: channels)
        guard packedStride > 0 else {
            filters = stored
            return
        }
        filters = Tensor(batch: 1, depth: tile.elements * packedStride, height: 1, width: 1, arena: arena)
        for element in 0..<tile.elements {
            gemm.pack(
                m: k, k: channels, a: stored.base + element * k * channels, lda: channels,
                into: filters.base + element * packedStride)
        }
    }

    /// U = G g Gᵀ for every filter and channel: element (i, j) of filter f and channel c at
    /// `u[((i · side + j) · K + f) · C + c]`, each element a sum of the nine taps weighted
    /// G[i][r] · G[j][s], over all channels at once.
    private static func transform(
        _ weights: UnsafePointer<Float>, tile: Tile, filters k: Int, channels: Int, into u: UnsafeMutablePointer<Float>
    ) {
        let g = tile.g
        for f in 0..<k {
            let taps = weights + f * 9 * channels
            for i in 0..<tile.side {
                for j in 0..<tile.side {
                    let target = u + ((i * tile.side + j) * k + f) * channels
                    target.update(repeating: 0, count: channels)
                    for r in 0..<3 {
                        for s in 0..<3 {
                            let weight = g[i][r] * g[j][s]
                            guard weight != 0 else { continue }
                            let row = taps + (r * 3 + s) * channels
                            for c in 0..<channels { target[c] += weight * row[c] }
                        }
                    }
                }
            }
        }
    }

    /// Where the tiles sit, how they are cut into blocks, and the scratch that takes.
    struct Tiling: Sendable {
        let tile: Tile
        let channels: Int, filters: Int
        let tilesH: Int, tilesW: Int
        /// Tiles per block, and blocks per image (a multiple of the cores).
        let size: Int, blocks: Int
        /// Each channel is copied into a zero-bordered plane, so tiles need no bounds checks;
        /// 48 columns of slack let the last vectors of a row load past its end.
        var paddedWidth: Int { tile.rawValue * tilesW + 2 + 48 }
        var paddedHeight: Int { tile.rawValue * tilesH + 2 }
        var plane: Int { paddedWidth * paddedHeight }
        var tiles: Int { tilesH * tilesW }
        /// A core's V (elements × C × size) and M (elements × K × size).
        var perCore: Int { tile.elements * (channels + filters) * size }
        /// Floats of scratch: the padded image, shared, and each core's V and M.
        var workspace: Int { channels * plane + Cores.count * perCore }

        init(_ tile: Tile, channels: Int, filters: Int, output: (height: Int, width: Int)) {
            self.tile = tile
            self.channels = channels
            self.filters = filters
            tilesH = (output.height + tile.rawValue - 1) / tile.rawValue
            tilesW = (output.width + tile.rawValue - 1) / tile.rawValue
            // F(2x2): 512 tiles with 64 channels in and out (V and M: 4 MiB), at least 256
            // with more: fewer made VGG16's 256- and 512-channel layers slower, more its
            // 64-channel ones. F(4x4) holds the same bytes in 16/36 as many tiles.
            let cap = max(256, 65536 / (channels + filters)) * 16 / tile.elements
            let tiles = tilesH * tilesW
            blocks = Cores.count * max(1, (tiles + Cores.count * cap - 1) / (Cores.count * cap))
            size = (tiles + blocks - 1) / blocks
        }
    }

    /// `epilogue`: the bias and what is fused after it. Scratch comes from `arena`, so that it
    /// counts among the live bytes.
    mutating func forward(
        _ input: Tensor, epilogue: Epilogue, into output: Tensor, gemm: any GEMM, arena: TensorArena
    ) {
        let (channels, k, elements) = (input.depth, geometry.filters, tile.elements)
        let tiling = Tiling(tile, channels: channels, filters: k, output: (output.height, output.width))
        let scratch = Tensor(workspace: tiling.workspace, arena: arena)
        nonisolated(unsafe) let (padded, u) = (scratch.base, UnsafePointer(filters.base))
        let packed = packedStride
        nonisolated(unsafe) let own = scratch.base + channels * tiling.plane
        let layout = TileLayout(
            tile: tile, isa: gemm.kernelISA, height: input.height, width: input.width, outH: output.height, outW: output.width,
            tilesW: tiling.tilesW, paddedWidth: tiling.paddedWidth, paddedHeight: tiling.paddedHeight,
            padding: geometry.padding)
        for n in 0..<input.batch {
            nonisolated(unsafe) let (source, target) = (UnsafePointer(input.image(n)), output.image(n))
            Cores.split(channels, grain: 1) { range in
                for c in range { layout.pad(source + c * layout.height * layout.width, into: padded + c * tiling.plane) }
            }
            Cores.deal(tiling.blocks, workers: gemm.workers) { block, core in
                let v = own + core * tiling.perCore
                let m = v + elements * channels * tiling.size
                let first = block * tiling.size
                let tiles = first..<min(tiling.tiles, first + tiling.size)
                let count = tiles.count
                guard count > 0 else { return }
                for c in 0..<channels {
                    layout.transformInput(padded + c * tiling.plane, tiles: tiles, into: v + c * count, stride: channels * count)
                }
                // M[ξν] = U[ξν] · V[ξν]: K × tiles from K × C and C × tiles.
                for element in 0..<elements {
                    let a: GEMMOperand =
                        packed > 0 ? .packed(u + element * packed) : .stored(u + element * k * channels, lda: channels)
                    gemm.multiply(
                        m: k, n: count, k: channels, a: a, b: v + element * channels * count, ldb: count, transposeB: false,
                        c: m + element * k * count, ldc: count, accumulate: false, epilogue: .none)
                }
                for f in 0..<k {
                    layout.transformOutput(
                        m + f * count, stride: k * count, tiles: tiles, into: target + f * layout.outH * layout.outW,
                        finish: epilogue.map(channel: f))
                }
            }
            multiplications += elements * k * channels * tiling.tiles
            macs += k * channels * 9 * output.height * output.width
        }
    }
}

/// Where tiles sit in a plane, and the two transforms over a range of tiles, in C
/// (`Sources/CKernels/winograd.c`) on the CPU's vector width: Swift's SIMD is held to the
/// baseline 128-bit registers.
private struct TileLayout {
    let tile: Winograd.Tile
    /// The C kernel's instruction set.
    let isa: Int32
    let height: Int, width: Int, outH: Int, outW: Int, tilesW: Int
    let paddedWidth: Int, paddedHeight: Int
    let padding: (w: Int, h: Int)

    /// The plane with `padding` zeros above and left of it and zeros to the end of the buffer.
    func pad(_ plane: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        copyZeroPadded(
            plane, height: height, width: width, into: target, stride: paddedWidth, count: paddedWidth * paddedHeight,
            top: padding.h, left: padding.w)
    }

    /// V = Bᵀ d B. Element e of tile t goes to `v[e * stride + t − first]`.
    func transformInput(_ plane: UnsafePointer<Float>, tiles: Range<Int>, into v: UnsafeMutablePointer<Float>, stride: Int) {
        ckernels_winograd_input(
            isa, Int32(tile.rawValue), plane, Int32(paddedWidth), Int32(tilesW), Int32(tiles.lowerBound), Int32(tiles.count), v,
            stride)
    }

    /// Y = Aᵀ M A through the epilogue (`finish`), an m x m block of outputs per tile.
    func transformOutput(
        _ m: UnsafePointer<Float>, stride: Int, tiles: Range<Int>, into plane: UnsafeMutablePointer<Float>,
        finish: ScaleShiftClamp
    ) {
        ckernels_winograd_output(
            isa, Int32(tile.rawValue), m, stride, Int32(tilesW), Int32(tiles.lowerBound), Int32(tiles.count), plane,
            Int32(outH), Int32(outW), finish.scale, finish.shift, finish.low, finish.high)
    }
}
