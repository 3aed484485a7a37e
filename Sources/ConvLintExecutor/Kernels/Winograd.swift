import Dispatch
import Foundation

/// 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, 2016):
/// each 2x2 block of outputs comes from a 4x4 input tile in 16 multiplications per channel
/// pair instead of 36. Tiles are transformed (V = Bᵀ d B), multiplied by the transformed
/// filters (U = G g Gᵀ) as 16 GEMMs over channels, and transformed back (Y = Aᵀ M A).
/// The network's MACs stay the nominal ones; `multiplications` says what was performed.
struct Winograd {
    static func applies(to geometry: WindowGeometry) -> Bool {
        geometry.kernel == (3, 3) && geometry.stride == (1, 1) && geometry.dilation == (1, 1) && geometry.groups == 1
    }

    /// Tiles per pass, so that V and M (16 × channels × tiles) stay near 4 MiB.
    static func chunk(channels: Int) -> Int { max(64, (1 << 20) / (16 * channels)) }

    let geometry: WindowGeometry
    /// U: 16 matrices of K × C, built once with the network.
    let filters: Tensor
    /// Multiplications the GEMMs performed, and the nominal MACs of the convolution computed.
    private(set) var multiplications = 0
    private(set) var macs = 0

    /// Transforms `weights` (K × C × 3 × 3) into U.
    init(_ geometry: WindowGeometry, weights: UnsafePointer<Float>, channels: Int, arena: TensorArena) {
        self.geometry = geometry
        let k = geometry.filters
        filters = Tensor(batch: 1, depth: 16 * k * channels, height: 1, width: 1, arena: arena)
        let u = filters.base
        for f in 0..<k {
            for c in 0..<channels {
                let g = weights + (f * channels + c) * 9
                var t = [Float](repeating: 0, count: 12)  // G g: 4 × 3
                for j in 0..<3 {
                    t[j] = g[j]
                    t[3 + j] = (g[j] + g[3 + j] + g[6 + j]) / 2
                    t[6 + j] = (g[j] - g[3 + j] + g[6 + j]) / 2
                    t[9 + j] = g[6 + j]
                }
                for i in 0..<4 {  // (G g) Gᵀ: 4 × 4
                    let row = [t[i * 3], (t[i * 3] + t[i * 3 + 1] + t[i * 3 + 2]) / 2,
                               (t[i * 3] - t[i * 3 + 1] + t[i * 3 + 2]) / 2, t[i * 3 + 2]]
                    for j in 0..<4 { u[((i * 4 + j) * k + f) * channels + c] = row[j] }
                }
            }
        }
    }

    mutating func forward(_ input: Tensor, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM) {
        let channels = input.depth, k = geometry.filters
        let padding = geometry.padding
        let tilesH = (output.height + 1) / 2, tilesW = (output.width + 1) / 2
        let tiles = tilesH * tilesW
        let chunk = min(tiles, Self.chunk(channels: channels))
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * channels * chunk)
        let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * k * chunk)
        defer {
            v.deallocate()
            m.deallocate()
        }
        let workers = ProcessInfo.processInfo.activeProcessorCount
        for n in 0..<input.batch {
            nonisolated(unsafe) let source = UnsafePointer(input.image(n)), target = output.image(n)
            nonisolated(unsafe) let v = v, m = m
            let (height, width, outH, outW) = (input.height, input.width, output.height, output.width)
            nonisolated(unsafe) let bias = bias
            var start = 0
            while start < tiles {
                let first = start
                let count = min(chunk, tiles - first)
                // V = Bᵀ d B for every channel and tile of the pass.
                DispatchQueue.concurrentPerform(iterations: min(workers, channels)) { worker in
                    var c = worker
                    while c < channels {
                        let plane = source + c * height * width
                        for t in 0..<count {
                            let tile = first + t
                            let y0 = tile / tilesW * 2 - padding.h, x0 = tile % tilesW * 2 - padding.w
                            var d = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
                            func row(_ r: Int) -> SIMD4<Float> {
                                let y = y0 + r
                                guard y >= 0, y < height else { return SIMD4() }
                                var values = SIMD4<Float>()
                                for j in 0..<4 where x0 + j >= 0 && x0 + j < width { values[j] = plane[y * width + x0 + j] }
                                return values
                            }
                            d = (row(0), row(1), row(2), row(3))
                            func store(_ i: Int, _ r: SIMD4<Float>) {
                                let base = v + (i * 4 * channels + c) * count + t
                                let stride = channels * count
                                base[0] = r[0] - r[2]
                                base[stride] = r[1] + r[2]
                                base[2 * stride] = r[2] - r[1]
                                base[3 * stride] = r[1] - r[3]
                            }
                            store(0, d.0 - d.2)
                            store(1, d.1 + d.2)
                            store(2, d.2 - d.1)
                            store(3, d.1 - d.3)
                        }
                        c += workers
                    }
                }
                // M[ξν] = U[ξν] · V[ξν]: K × tiles from K × C and C × tiles.
                for element in 0..<16 {
                    gemm.multiply(
                        m: k, n: count, k: channels, a: filters.base + element * k * channels, transposeA: false,
                        b: v + element * channels * count, transposeB: false, c: m + element * k * count, accumulate: false)
                }
                multiplications += 16 * k * channels * count
                // Y = Aᵀ M A, a 2x2 block of outputs per tile.
                DispatchQueue.concurrentPerform(iterations: min(workers, k)) { worker in
                    var f = worker
                    while f < k {
                        let plane = target + f * outH * outW
                        let shift = bias?[f] ?? 0
                        for t in 0..<count {
                            func at(_ i: Int, _ j: Int) -> Float { m[((i * 4 + j) * k + f) * count + t] }
                            let tile = first + t
                            let oy = tile / tilesW * 2, ox = tile % tilesW * 2
                            for i in 0..<2 {
                                // Row i of Aᵀ M, then times A.
                                let a0 = i == 0 ? at(0, 0) + at(1, 0) + at(2, 0) : at(1, 0) - at(2, 0) - at(3, 0)
                                let a1 = i == 0 ? at(0, 1) + at(1, 1) + at(2, 1) : at(1, 1) - at(2, 1) - at(3, 1)
                                let a2 = i == 0 ? at(0, 2) + at(1, 2) + at(2, 2) : at(1, 2) - at(2, 2) - at(3, 2)
                                let a3 = i == 0 ? at(0, 3) + at(1, 3) + at(2, 3) : at(1, 3) - at(2, 3) - at(3, 3)
                                guard oy + i < outH else { continue }
                                plane[(oy + i) * outW + ox] = a0 + a1 + a2 + shift
                                if ox + 1 < outW { plane[(oy + i) * outW + ox + 1] = a1 - a2 - a3 + shift }
                            }
                        }
                        f += workers
                    }
                }
                start += count
            }
            macs += k * channels * 9 * outH * outW
        }
    }
}
