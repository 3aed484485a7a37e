/// Per-layer costs and receptive fields from the inferred volumes.
enum CostModel {
    static func cost(of layer: LayerNode, input: Volume, output: Volume) throws(Diagnostic) -> LayerCost {
        let hyper = layer.hyper
        let checked = Checked(location: layer.location, what: "the cost of \(layer.label)")
        var cost = LayerCost()
        let keepsOutput: Bool =
            switch layer.kind {
            case .identity, .add: false
            case let kind where kind.isActivation: !hyper.inplace
            default: true
            }
        cost.activations = keepsOutput ? output.elements : 0
        switch layer.kind {
        case .conv, .deconv:
            let kernel = hyper.kernel ?? Pair(1, 1)
            let filters = hyper.filters ?? 1
            let inputPerGroup = input.d / hyper.groups
            cost.weights = try checked.multiply(filters, inputPerGroup, kernel.w, kernel.h)
            cost.biases = hyper.bias ? filters : 0
            // CONV: each output value is a dot product over its window; DECONV: each *input*
            // value is spread over a window of the output (SPEC §5).
            let positions = layer.kind == .conv ? output.w * output.h : input.w * input.h
            cost.macs = try checked.multiply(positions, filters, kernel.w, kernel.h, inputPerGroup)
            cost.otherOps = hyper.bias ? output.elements : 0
        case .fc:
            let units = hyper.units ?? 1
            cost.weights = try checked.multiply(input.elements, units)
            cost.biases = hyper.bias ? units : 0
            cost.macs = cost.weights
            cost.otherOps = cost.biases
        case .pool, .maxPool, .avgPool:
            let kernel = hyper.kernel ?? Pair(1, 1)
            cost.otherOps = try checked.multiply(output.elements, kernel.w, kernel.h)
        case .gap:
            cost.otherOps = input.elements
        case .batchNorm:
            cost.normParameters = 2 * input.d
            cost.buffers = 2 * input.d
            cost.otherOps = try checked.multiply(output.elements, 2)
        case .layerNorm:
            cost.normParameters = 2 * input.d
            cost.otherOps = try checked.multiply(output.elements, 2)
        case .softmax:
            cost.otherOps = try checked.multiply(output.elements, 3)
        case .lrn:
            cost.otherOps = try checked.multiply(output.elements, hyper.lrnSize)
        case .add:
            cost.otherOps = try checked.multiply(output.elements, layer.inputs.count - 1)
        case let kind where kind.isActivation:
            cost.otherOps = output.elements
        default:
            break
        }
        return cost
    }

    /// The receptive field after `layer`, from those of its inputs.
    static func receptiveField(
        of layer: LayerNode, inputs: [ReceptiveField], input: Volume
    ) -> ReceptiveField {
        guard let previous = inputs.first else { return .pixel }
        switch layer.kind {
        case .conv, .pool, .maxPool, .avgPool:
            let kernel = layer.hyper.effectiveKernel
            let stride = layer.hyper.stride ?? Pair(1, 1)
            return ReceptiveField(
                size: (previous.size.w + Double(kernel.w - 1) * previous.jump.w,
                       previous.size.h + Double(kernel.h - 1) * previous.jump.h),
                jump: (previous.jump.w * Double(stride.w), previous.jump.h * Double(stride.h)))
        case .deconv:
            let kernel = layer.hyper.effectiveKernel
            let stride = layer.hyper.stride ?? Pair(1, 1)
            let jump = (w: previous.jump.w / Double(stride.w), h: previous.jump.h / Double(stride.h))
            return ReceptiveField(
                size: (previous.size.w + Double(kernel.w - 1) * jump.w,
                       previous.size.h + Double(kernel.h - 1) * jump.h),
                jump: jump)
        case .fc, .gap, .flatten:
            // Every output sees the whole input volume.
            return ReceptiveField(
                size: (previous.size.w + Double(input.w - 1) * previous.jump.w,
                       previous.size.h + Double(input.h - 1) * previous.jump.h),
                jump: (previous.jump.w * Double(input.w), previous.jump.h * Double(input.h)))
        case .concat, .add:
            return ReceptiveField(
                size: (inputs.map(\.size.w).max()!, inputs.map(\.size.h).max()!),
                jump: (inputs.map(\.jump.w).max()!, inputs.map(\.jump.h).max()!))
        default:
            return previous
        }
    }
}
