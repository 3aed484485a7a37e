import ConvLintKit

/// The checked network compiled for this CPU and GEMM backend, once: each convolution's
/// algorithm, the scratch and transformed or packed filters it needs, and the layers fused into
/// its output. The run executes these steps and `RunPlan` predicts its memory from the same
/// ones, so the two cannot disagree on a choice.
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
        /// A convolution's epilogue: what it applies to its output as it stores it.
        var fusion: Fusion?
        /// A layer fused into the output of the convolution at this index, which did its work.
        var fusedInto: Int?
    }

    /// The layers a convolution's epilogue does at inference: the BN that is its output's only
    /// reader; where it runs by GEMM (which stores the output, or copies its valid columns out
    /// through a C kernel when shifted), the residual ADD that is the only reader of that, its
    /// other operand computed before the convolution; and the ReLU or ReLU6 that is the only
    /// reader of the last of them (by GEMM, or in Winograd's output transform). An ADD not fused
    /// so clamps its ReLU as the sum is stored, in the same pass.
    struct Fusion: Sendable {
        var batchNorm: Int?
        /// The ADD, and the layer whose output it adds followed back through identities (ID)
        /// to one computed before the convolution: whichever of them holds the tensor then.
        var residual: (add: Int, operands: [Int])?
        var activation: Int?
        var clamp: (low: Float, high: Float)?
        var layers: [Int] { [batchNorm, residual?.add, activation].compactMap { $0 } }
    }

    let steps: [Step]

    /// `fuse`: fold each convolution's BN and ReLU into it, as inference may; not when every
    /// activation is kept, as training keeps each of them.
    public init(_ analysis: Analysis, winograd use: Winograd.Use, gemm: any GEMM, fuse: Bool) {
        var steps = analysis.layers.map { layer in
            guard case .convolution(let conv) = layer.node.operation else { return Step() }
            let geometry = WindowGeometry(conv)
            let (input, output) = (layer.input, layer.output)
            if conv.transposed {
                let deconv = Deconvolution(geometry)
                return Step(convolution: .transposed(deconv), workspace: deconv.workspace(input: (input.h, input.w)))
            }
            if Winograd.chosen(use, geometry: geometry, channels: input.d, output: (output.h, output.w), gemm: gemm) {
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
        guard fuse else {
            self.steps = steps
            return
        }
        for (index, fusion) in Self.fusions(analysis, steps: steps) {
            steps[index].fusion = fusion
            // A folded BN's per-channel scale and shift.
            if fusion.batchNorm != nil { steps[index].transformedWeights += 2 * analysis.layers[index].output.d }
            for layer in fusion.layers { steps[layer].fusedInto = index }
        }
        self.steps = steps
    }

    private static func fusions(_ analysis: Analysis, steps: [Step]) -> [(Int, Fusion)] {
        let readers = LayerReaders(analysis.layers)
        func soleReader(_ index: Int) -> LayerReport? { readers.sole(of: index).map { analysis.layers[$0] } }
        func clamp(after index: Int) -> (Int, (low: Float, high: Float))? {
            guard let reader = soleReader(index), case .activation(let activation) = reader.node.operation,
                case .elementwise(let kernel) = ActivationKernel(activation.function), let clamp = kernel.clamp
            else { return nil }
            return (reader.node.index, clamp)
        }
        // The ADD of two operands that is the only reader of `index`, the other computed before
        // `convolution` (a shortcut's ID after it passes on a tensor from before).
        func residual(after index: Int, convolution: Int) -> (add: Int, operands: [Int])? {
            let readersOfIndex = readers.all(of: index)
            guard readersOfIndex.count == 1, let reader = readersOfIndex.first.map({ analysis.layers[$0] }),
                case .merge(let merge) = reader.node.operation, merge.mode == .add,
                reader.node.inputs.count == 2, var operand = reader.node.inputs.first(where: { $0 != index })
            else { return nil }
            var operands = [operand]
            while operand > convolution, case .identity = analysis.layers[operand].node.operation {
                operand = analysis.layers[operand].node.inputs[0]
                operands.append(operand)
            }
            return operand < convolution ? (reader.node.index, operands) : nil
        }
        var fused = Set<Int>()
        var result = [(Int, Fusion)]()
        for index in steps.indices where !fused.contains(index) {
            let storesWithGEMM: Bool
            switch steps[index].convolution {
            case .gemm: storesWithGEMM = true
            case .winograd: storesWithGEMM = false
            case .transposed: continue
            case nil:
                guard case .merge(let merge) = analysis.layers[index].node.operation, merge.mode == .add,
                    let (activation, bounds) = clamp(after: index)
                else { continue }
                result.append((index, Fusion(activation: activation, clamp: bounds)))
                continue
            }
            var fusion = Fusion(), last = index
            if let reader = soleReader(last), case .normalization(let norm) = reader.node.operation, norm.method == .batch {
                fusion.batchNorm = reader.node.index
                last = reader.node.index
            }
            if storesWithGEMM, let sum = residual(after: last, convolution: index) {
                fusion.residual = sum
                last = sum.add
            }
            if let (activation, bounds) = clamp(after: last) { (fusion.activation, fusion.clamp) = (activation, bounds) }
            fused.formUnion(fusion.layers)
            if !fusion.layers.isEmpty { result.append((index, fusion)) }
        }
        return result
    }

    /// Layers fused into a convolution's epilogue.
    public var fusedLayers: Int { steps.count { $0.fusedInto != nil } }

    /// Layers that run by Winograd.
    public var winogradLayers: Int {
        steps.count { step in
            if case .winograd = step.convolution { return true }
            return false
        }
    }
}
