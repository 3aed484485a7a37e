import ConvLintKit
import Foundation

/// Builds the analysed network with real tensors and runs one forward pass on random input:
/// a loop over the expanded layers, one operation per kind, each activation freed after its
/// last reader (unless `keepActivations`, as training would keep them).
public final class Executor {
    public struct Options: Sendable {
        public var seed: UInt64 = 0
        public var keepActivations = false
        /// Which 3x3 stride-1 convolutions run by Winograd instead of GEMM.
        public var winograd = Winograd.Use.auto
        public init() {}
    }

    public let analysis: Analysis
    public let options: Options
    public let gemm: any GEMM
    /// Each layer's algorithm and scratch, chosen once from the options.
    public let compiled: CompiledNetwork
    /// What the run will hold, predicted from `compiled` (nil without a memory estimate).
    public let plan: RunPlan?
    /// Holds every tensor; it never holds more than `plan` predicts.
    public let arena: TensorArena
    private var random: SeededRandom
    /// Per layer: weight, bias and the per-channel vectors of BN/LN.
    private var parameters: [[Tensor]] = []
    /// BN's running mean and variance, by layer: buffers, not parameters.
    private var buffers: [Int: (mean: Tensor, variance: Tensor)] = [:]
    /// 3x3 stride-1 convolutions with their filters transformed for Winograd, by layer.
    private var winograd: [Int: Winograd] = [:]
    /// The other convolutions' filters packed for the GEMM backend, by layer (when it packs them).
    private var packedFilters: [Int: Tensor] = [:]
    /// Each convolution's epilogue, by layer; a folded BN's scale and shift are in the tensor.
    private var epilogues: [Int: (Epilogue, Tensor?)] = [:]

    public init(analysis: Analysis, options: Options = Options(), gemm: any GEMM = GEMMBackend.best()) {
        self.analysis = analysis
        self.options = options
        self.gemm = gemm
        let compiled = CompiledNetwork(analysis, winograd: options.winograd, gemm: gemm, fuse: !options.keepActivations)
        self.compiled = compiled
        let plan = analysis.memory.map {
            RunPlan(analysis: analysis, memory: $0, keepActivations: options.keepActivations, compiled: compiled)
        }
        self.plan = plan
        self.arena = TensorArena(limit: plan?.predicted.bytes)
        self.random = SeededRandom(seed: options.seed)
    }

    private func vector(_ count: Int, _ value: Float) -> Tensor {
        let tensor = Tensor(batch: 1, depth: count, height: 1, width: 1, arena: arena)
        tensor.storage.initialize(repeating: value)
        return tensor
    }

    /// Layer `index`'s parameters as `run` uses them, drawn from the seed on the first call (as
    /// `run` draws them): CONV and DECONV weight (K × Kh × Kw × C/g, and C × K/g × Kh × Kw when
    /// transposed) then bias; FC weight (units × inputs) then bias; BN and LN scale then shift;
    /// PRELU's slopes; SCALE's factors. Valid while the executor lives.
    public func parameters(of index: Int) -> [UnsafeBufferPointer<Float>] {
        makeParameters()
        return parameters[index].map { UnsafeBufferPointer($0.storage) }
    }

    /// A BN layer's running mean and variance, as `parameters(of:)` draws them.
    public func runningStatistics(of index: Int) -> (mean: UnsafeBufferPointer<Float>, variance: UnsafeBufferPointer<Float>)? {
        makeParameters()
        return buffers[index].map { (UnsafeBufferPointer($0.mean.storage), UnsafeBufferPointer($0.variance.storage)) }
    }

    /// Weights drawn He-normal (std √(2/fan-in)) for CONV and DECONV, Glorot-normal for FC;
    /// biases zero; BN's scale 1, shift 0, running mean 0 and variance 1. Once: the input is
    /// drawn after them.
    private func makeParameters() {
        guard parameters.isEmpty else { return }
        parameters = analysis.layers.map { layer in
            let input = layer.input
            switch layer.node.operation {
            case .convolution(let conv):
                let (kernel, filters) = (conv.window.kernel, conv.filters)
                let fanIn = input.d / conv.groups * kernel.w * kernel.h
                let count = conv.transposed ? input.d * filters / conv.groups * kernel.w * kernel.h : filters * fanIn
                let weights = Tensor(batch: 1, depth: count, height: 1, width: 1, arena: arena)
                random.fillNormal(weights.storage, standardDeviation: (2 / Float(fanIn)).squareRoot())
                return conv.bias ? [weights, vector(filters, 0)] : [weights]
            case .dense(let dense):
                let (units, fanIn) = (dense.units, dense.perPixel ? input.d : input.elements)
                let weights = Tensor(batch: 1, depth: units * fanIn, height: 1, width: 1, arena: arena)
                random.fillNormal(weights.storage, standardDeviation: (2 / Float(fanIn + units)).squareRoot())
                return dense.bias ? [weights, vector(units, 0)] : [weights]
            case .normalization(let norm):
                switch norm.method {
                case .batch:
                    buffers[layer.node.index] = (vector(input.d, 0), vector(input.d, 1))
                    return [vector(input.d, 1), vector(input.d, 0)]
                case .layer: return [vector(input.d, 1), vector(input.d, 0)]
                case .localResponse: return []
                }
            case .activation(let activation):
                // PyTorch's initial PReLU slope.
                return activation.function == .prelu ? [vector(activation.perChannel ? input.d : 1, 0.25)] : []
            case .scale:
                return [vector(input.d, 1)]
            case .input, .pooling, .adaptivePooling, .flatten, .dropout, .identity, .merge, .chunk, .shuffle,
                .upsample:
                return []
            }
        }
    }

    /// Convolution `index`'s bias and what is fused after it: a BN folded with the bias into one
    /// scale and shift per channel (held in the tensor), and a ReLU's clamp.
    private func epilogue(_ index: Int, fusion: CompiledNetwork.Fusion?) -> (Epilogue, Tensor?) {
        let bias = parameters[index].count > 1 ? parameters[index][1].base : nil
        guard let fusion else { return (Epilogue(bias: bias), nil) }
        guard let norm = fusion.batchNorm else {
            return (Epilogue(scale: nil, shift: bias, clamp: fusion.clamp), nil)
        }
        let channels = analysis.layers[index].output.d
        let folded = Tensor(batch: 1, depth: 2 * channels, height: 1, width: 1, arena: arena)
        let (gamma, beta, statistics) = (parameters[norm][0].base, parameters[norm][1].base, buffers[norm]!)
        for c in 0..<channels {
            let (scale, shift) = batchNormScaleShift(gamma, beta, statistics.mean.base, statistics.variance.base, channel: c)
            folded.base[c] = scale
            folded.base[channels + c] = shift + scale * (bias?[c] ?? 0)
        }
        return (Epilogue(scale: folded.base, shift: folded.base + channels, clamp: fusion.clamp), folded)
    }

    /// Where a run is, for a progress line.
    public struct Progress: Sendable {
        public var pass: Int, passes: Int
        public var layer: Int, layers: Int
        public var label: String
        /// Seconds since the run began.
        public var elapsed: Double
    }

    /// Runs `passes` forward passes on the same weights and keeps the fastest: the first pays
    /// for touching fresh memory, as a framework's warm-up pass does. `output` and `input`, when
    /// given, receive the last layer's output and the input of the first pass.
    public func run(
        passes: Int = 1, output: ((UnsafeBufferPointer<Float>) -> Void)? = nil,
        input: ((UnsafeBufferPointer<Float>) -> Void)? = nil, progress: ((Progress) -> Void)? = nil
    ) -> RunMeasurement {
        makeParameters()
        for (index, step) in compiled.steps.enumerated() {
            let (weights, channels) = (parameters[index].first?.base, analysis.layers[index].input.d)
            switch step.convolution {
            case .winograd(let geometry, let tiling):
                winograd[index] = Winograd(
                    geometry, tile: tiling.tile, weights: weights!, channels: channels, gemm: gemm, arena: arena)
            case .gemm(let convolution):
                packedFilters[index] = convolution.pack(weights!, channels: channels, gemm: gemm, arena: arena)
            case .transposed, nil:
                continue
            }
            epilogues[index] = epilogue(index, fusion: step.fusion)
        }
        let clock = ContinuousClock()
        let start = clock.now
        var fastest = [LayerMeasurement]()
        var times = [Double]()
        for pass in 0..<max(1, passes) {
            let layers = forward(output: pass == 0 ? output : nil, input: pass == 0 ? input : nil) { layer, label in
                progress?(Progress(pass: pass, passes: passes, layer: layer, layers: self.analysis.layers.count, label: label,
                                   elapsed: (clock.now - start).seconds))
            }
            // The forward pass proper: drawing the random input is not part of it.
            let seconds = layers.dropFirst().reduce(0) { $0 + $1.seconds }
            if times.isEmpty || seconds < times.min()! { fastest = layers }
            times.append(seconds)
        }
        return RunMeasurement(
            batch: analysis.batch, backend: gemm.name, layers: fastest, passes: times,
            peakBytes: ByteCount(arena.peakBytes), maxRSS: ByteCount(ResourceUsage.maxRSS()))
    }

    /// One forward pass, layer by layer.
    private func forward(
        output last: ((UnsafeBufferPointer<Float>) -> Void)?, input first: ((UnsafeBufferPointer<Float>) -> Void)?,
        progress: (Int, String) -> Void
    ) -> [LayerMeasurement] {
        let layers = analysis.layers
        let batch = analysis.batch
        let readers = LayerReaders(layers).counts
        var remaining = readers
        var outputs = [Tensor?](repeating: nil, count: layers.count)
        // Reads still to come of each live tensor, over every layer whose output it is: ID passes
        // its input on as its output, so a layer may write in place only when no other reads wait.
        var pending = [ObjectIdentifier: Int]()
        var measured = [LayerMeasurement]()
        let clock = ContinuousClock()
        for layer in layers {
            let began = clock.now
            var work = KernelWork()
            let output: Tensor
            if case .input = layer.node.operation {
                let volume = layer.output
                output = Tensor(batch: batch, depth: volume.d, height: volume.h, width: volume.w, arena: arena)
                random.fillNormal(output.storage, standardDeviation: 1)
                first?(UnsafeBufferPointer(output.storage))
            } else {
                let inputs = layer.node.inputs.map { outputs[$0]! }
                let sole = pending[ObjectIdentifier(inputs[0])] == 1
                let residual = compiled.steps[layer.node.index].fusion?.residual.map { sum in
                    sum.operands.lazy.compactMap { outputs[$0] }.first!
                }
                output = run(layer, inputs: inputs, inputIsSole: sole, residual: residual, work: &work)
            }
            for input in layer.node.inputs {
                let tensor = ObjectIdentifier(outputs[input]!)
                pending[tensor]! -= 1
                if pending[tensor] == 0 { pending[tensor] = nil }
                remaining[input] -= 1
                if remaining[input] == 0, !options.keepActivations { outputs[input] = nil }
            }
            outputs[layer.node.index] = output
            pending[ObjectIdentifier(output), default: 0] += readers[layer.node.index]
            let seconds = (clock.now - began).seconds
            let params = parameters[layer.node.index].reduce(0) { $0 + $1.count }
            measured.append(
                LayerMeasurement(
                    output: Volume(output.width, output.height, output.depth), params: params, macs: work.macs / batch,
                    multiplications: (work.multiplications ?? work.macs) / batch, algorithm: work.algorithm,
                    seconds: seconds))
            progress(layer.node.index, layer.node.label)
        }
        if let last, let final = outputs[layers.count - 1] { last(UnsafeBufferPointer(final.storage)) }
        return measured
    }

    private func tensor(like volume: Volume) -> Tensor {
        Tensor(batch: analysis.batch, depth: volume.d, height: volume.h, width: volume.w, arena: arena)
    }

    /// `residual`: the tensor a convolution's epilogue adds (its fused ADD's other operand).
    private func run(
        _ layer: LayerReport, inputs: [Tensor], inputIsSole: Bool, residual: Tensor?, work: inout KernelWork
    ) -> Tensor {
        let input = inputs[0]
        let weights = parameters[layer.node.index]
        if let owner = compiled.steps[layer.node.index].fusedInto {
            // Done by the convolution's epilogue or the sum's store: its output is this layer's,
            // the input that comes from the convolution (an ADD's other operand was added).
            work.algorithm = compiled.steps[owner].convolution == nil ? Epilogue.fusedIntoSum : Epilogue.fused
            let chain = layer.node.inputs.firstIndex { $0 == owner || compiled.steps[$0].fusedInto == owner }
            return inputs[chain ?? 0]
        }
        switch layer.node.operation {
        case .input:
            return input
        case .convolution:
            let output = tensor(like: layer.output)
            let bias = weights.count > 1 ? weights[1].base : nil
            switch compiled.steps[layer.node.index].convolution! {
            case .winograd:
                var fast = winograd[layer.node.index]!
                fast.forward(input, epilogue: epilogues[layer.node.index]!.0, into: output, gemm: gemm, arena: arena)
                work = KernelWork(macs: fast.macs, multiplications: fast.multiplications, algorithm: fast.name)
            case .gemm(var kernel):
                var epilogue = epilogues[layer.node.index]!.0
                if let residual { (epilogue.addend, epilogue.addendStride) = (UnsafePointer(residual.base), output.height * output.width) }
                kernel.forward(
                    input, weights: weights[0].base, packed: packedFilters[layer.node.index],
                    epilogue: epilogue, into: output, gemm: gemm, arena: arena)
                work = KernelWork(macs: kernel.macs, multiplications: kernel.multiplications, algorithm: kernel.method.rawValue)
            case .transposed(var deconv):
                deconv.forward(input, weights: weights[0].base, bias: bias, into: output, gemm: gemm, arena: arena)
                work = KernelWork(macs: deconv.macs, algorithm: Deconvolution.name)
            }
            return output
        case .pooling(let pool):
            let output = tensor(like: layer.output)
            let window = pool.window
            Pooling(
                kernel: (window.kernel.w, window.kernel.h), stride: (window.stride.w, window.stride.h),
                padding: (window.padding.w, window.padding.h), isMax: pool.mode == .max, isa: gemm.kernelISA
            ).forward(input, into: output)
            return output
        case .adaptivePooling(let pool):
            let output = tensor(like: layer.output)
            if pool.isGlobal {
                globalAveragePool(input, into: output)
            } else {
                adaptiveAveragePool(input, into: output, window: AdaptivePoolingLayer.window)
            }
            return output
        case .dense(let dense) where dense.perPixel:
            // Each position's channels times the weights: the 1x1 convolution's GEMM per image.
            let output = tensor(like: layer.output)
            let positions = input.height * input.width
            for n in 0..<input.batch {
                gemm.multiplyOnAllCores(
                    m: dense.units, n: positions, k: input.depth, a: weights[0].base, transposeA: false, b: input.image(n),
                    transposeB: false, c: output.image(n), accumulate: false)
                if weights.count > 1 { addBias(weights[1].base, to: output.image(n), channels: dense.units, positions: positions) }
            }
            work.macs = input.batch * dense.units * input.depth * positions
            return output
        case .dense(let dense):
            let output = tensor(like: layer.output)
            gemm.multiplyOnAllCores(
                m: input.batch, n: dense.units, k: input.imageSize, a: input.base, transposeA: false, b: weights[0].base,
                transposeB: true, c: output.base, accumulate: false)
            work.macs = input.batch * dense.units * input.imageSize
            if weights.count > 1 {
                for n in 0..<input.batch { addBias(weights[1].base, to: output.image(n), channels: dense.units, positions: 1) }
            }
            return output
        case .scale:
            let output = tensor(like: layer.output)
            scaleChannels(input, into: output, by: weights[0].base)
            return output
        case .chunk(let slice):
            let output = tensor(like: layer.output)
            chunk(input, into: output, index: slice.index)
            return output
        case .shuffle(let shuffle):
            let output = tensor(like: layer.output)
            shuffleChannels(input, into: output, groups: shuffle.groups)
            return output
        case .upsample(let resize):
            let output = tensor(like: layer.output)
            upsample(input, into: output, bilinear: resize.mode == .bilinear)
            return output
        case .flatten, .dropout:
            // They copy: FLATTEN reshapes to 1x1xD; DROPOUT and DROPPATH are the identity at inference.
            let output = tensor(like: layer.output)
            output.base.update(from: input.base, count: input.count)
            return output
        case .identity:
            return input
        case .activation(let activation):
            switch ActivationKernel(activation.function) {
            case .elementwise(let kernel):
                let output = activation.inplace && inputIsSole ? input : tensor(like: layer.output)
                kernel.apply(input.base, output.base, count: input.count)
                return output
            case .softmax:
                let output = tensor(like: layer.output)
                softmax(input, into: output)
                return output
            case .prelu:
                let output = tensor(like: layer.output)
                prelu(input, into: output, slopes: weights[0].base, perChannel: activation.perChannel)
                return output
            }
        case .normalization(let norm):
            let output = tensor(like: layer.output)
            switch norm.method {
            case .batch:
                let statistics = buffers[layer.node.index]!
                batchNorm(
                    input, into: output, gamma: weights[0].base, beta: weights[1].base, mean: statistics.mean.base,
                    variance: statistics.variance.base)
            case .layer(let overChannels):
                layerNorm(input, into: output, gamma: weights[0].base, beta: weights[1].base, overChannels: overChannels)
            case .localResponse(let size):
                localResponseNorm(input, into: output, size: size)
            }
            return output
        case .merge(let merge):
            switch merge.mode {
            case .add:
                let output = inputIsSole ? input : tensor(like: layer.output)
                if output !== input { output.base.update(from: input.base, count: input.count) }
                let clamp = compiled.steps[layer.node.index].fusion?.clamp
                for (offset, other) in inputs.dropFirst().enumerated() {
                    let last = offset == inputs.count - 2
                    Elementwise.add(other.base, into: output.base, count: output.count, clamp: last ? clamp : nil)
                }
                return output
            case .concat:
                let output = tensor(like: layer.output)
                for n in 0..<output.batch {
                    var offset = 0
                    for part in inputs {
                        (output.image(n) + offset).update(from: part.image(n), count: part.imageSize)
                        offset += part.imageSize
                    }
                }
                return output
            case .multiply:
                let output = tensor(like: layer.output)
                broadcastMultiply(inputs, into: output)
                return output
            }
        }
    }
}

/// What a layer's kernel counted: the nominal multiply-accumulates, the multiplications its
/// algorithm performed where they differ, and the algorithm's name where there is a choice.
private struct KernelWork {
    var macs = 0
    var multiplications: Int?
    var algorithm: String?
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
