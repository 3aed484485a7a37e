import ConvLintKit

/// The checked network compiled for this CPU and GEMM backend, once: each convolution's
/// algorithm and the scratch and transformed or packed filters it needs. The run executes these steps and `RunPlan`
/// predicts its memory from the same ones, so the two cannot disagree on a choice.
public struct CompiledNetwork: Sendable {
    /// How a CONV or DECONV runs.
    enum ConvolutionAlgorithm: Sendable {
        case gemm(Convolution)
        case winograd(WindowGeometry, tiling: Winograd.Tiling)
        case transposed(Deconvolution)
    }

    struct Step: Sendable {
        /// Nil for layers without a choice of algorithm.
        var convolution: ConvolutionAlgorithm?
        /// Floats of scratch the layer takes from the arena while it runs (or while it is built).
        var workspace = 0
        /// Floats held for the whole run besides the weights: Winograd's transformed filters, or
        /// the filters packed for the backend's GEMM.
        var transformedWeights = 0
    }

    let steps: [Step]

    public init(_ analysis: Analysis, winograd use: Winograd.Use, gemm: any GEMM) {
        steps = analysis.layers.map { layer in
            guard case .convolution(let conv) = layer.node.operation else { return Step() }
            let geometry = WindowGeometry(conv)
            let (input, output) = (layer.input, layer.output)
            if conv.transposed {
                let deconv = Deconvolution(geometry)
                return Step(convolution: .transposed(deconv), workspace: deconv.workspace(input: (input.h, input.w)))
            }
            if Winograd.chosen(use, geometry: geometry, channels: input.d, output: (output.h, output.w)) {
                let tile = Winograd.Tile.chosen(output: (output.h, output.w))
                let tiling = Winograd.Tiling(tile, channels: input.d, filters: output.d, output: (output.h, output.w))
                let filters = Winograd.filterFloats(tile, filters: output.d, channels: input.d, gemm: gemm)
                return Step(
                    convolution: .winograd(geometry, tiling: tiling), workspace: max(tiling.workspace, filters.building),
                    transformedWeights: filters.held)
            }
            let convolution = Convolution(geometry, input: (input.d, input.h, input.w), output: (output.h, output.w), gemm: gemm)
            return Step(
                convolution: .gemm(convolution), workspace: convolution.blocks.workspace,
                transformedWeights: convolution.packedCount)
        }
    }

    /// Layers that run by Winograd.
    public var winogradLayers: Int {
        steps.count { step in
            if case .winograd = step.convolution { return true }
            return false
        }
    }
}
