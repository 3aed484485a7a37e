import ConvLintKit
import Foundation

/// One node read into layers: the rule for its operator type, applied to its inputs' values.
/// ONNX's shape rules give each output's volume; convlint re-derives every volume from the file
/// it writes, and the import checks that the two agree.
struct NodeRule {
    let node: Onnx_NodeProto
    let inputs: [GraphValue?]
    let reader: GraphReader

    /// The operators read, for `--help` and messages.
    static let layerOperators = [
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean", "Gemm", "MatMul",
        "BatchNormalization", "LayerNormalization", "LRN", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "HardSigmoid",
        "HardSwish", "Gelu", "Mish", "PRelu", "Softmax", "Add", "Sum", "Mul", "Concat", "Split", "Slice", "Flatten", "Reshape",
        "Transpose", "Resize", "Upsample", "Dropout", "Identity", "SplitToSequence", "SequenceAt",
    ]

    /// The elements of the node's learnt tensors (BatchNormalization's running statistics are
    /// buffers, not parameters): the ONNX side of the import's check on parameter counts.
    var parameters: Int {
        let learnt: [Int]
        switch node.opType {
        case "Conv", "ConvTranspose", "Gemm", "BatchNormalization", "LayerNormalization": learnt = [1, 2]
        case "MatMul", "PRelu": learnt = [1]
        case "Add", "Mul": learnt = [0, 1]
        default: learnt = []
        }
        let counts = learnt.filter { $0 < inputs.count }.compactMap { inputs[$0]?.constant }.filter(\.learnt).map(\.count)
        return saturatedSum(counts)
    }

    func apply() throws(ImportProblem) -> [NodeResult] {
        if let constant = try ConstantFolding(node: node, inputs: inputs, batch: reader.batch).value() { return [.value(.constant(constant))] }
        switch node.opType {
        case "Identity", "Cast", "CastLike": return [.value(try value(0))]
        case "Dropout": return try dropout()
        case "Conv": return [try convolution(transposed: false)]
        case "ConvTranspose": return [try convolution(transposed: true)]
        case "MaxPool", "AveragePool": return try pool()
        case "GlobalAveragePool": return [try globalAverage()]
        case "ReduceMean": return [try reduceMean()]
        case "Gemm": return [try gemm()]
        case "MatMul": return [try matMul()]
        case "BatchNormalization":
            return [try same(LayerCall("BN"), layouts: [.channelsFirst, .flat])] + node.output.dropFirst().map { _ in .unused }
        case "LayerNormalization": return [try layerNorm()]
        case "LRN":
            return [try same(LayerCall("LRN", [CallArgument(name: "size", value: .int(node.int("size", 5)), fallback: .int(5))]))]
        case "Relu": return [try same(LayerCall("RELU"))]
        case "Sigmoid": return [try same(LayerCall("SIGMOID"))]
        case "Tanh": return [try same(LayerCall("TANH"))]
        case "HardSwish": return [try same(LayerCall("HARDSWISH"))]
        case "Mish": return [try same(LayerCall("MISH"))]
        case Peephole.silu: return [try same(LayerCall("SILU"))]
        case Peephole.gelu, "Gelu":
            guard node.string("approximate", "none") == "none" else { throw ImportProblem("Gelu with approximate='tanh'; convlint's GELU is the exact (erf) form") }
            return [try same(LayerCall("GELU"))]
        case "Clip": return [try clip()]
        case "LeakyRelu":
            try expect(node.float("alpha", 0.01), 0.01, "alpha", why: "convlint's LEAKYRELU has PyTorch's default slope")
            return [try same(LayerCall("LEAKYRELU"))]
        case "Elu":
            try expect(node.float("alpha", 1), 1, "alpha", why: "convlint's ELU has PyTorch's default alpha")
            return [try same(LayerCall("ELU"))]
        case "HardSigmoid":
            try expect(node.float("alpha", 0.2), 1 / 6, "alpha", why: "convlint's HARDSIGMOID is PyTorch's, relu6(x + 3) / 6")
            try expect(node.float("beta", 0.5), 0.5, "beta", why: "convlint's HARDSIGMOID is PyTorch's, relu6(x + 3) / 6")
            return [try same(LayerCall("HARDSIGMOID"))]
        case "PRelu": return [try prelu()]
        case "Softmax": return [try softmax()]
        case "Add", "Sum": return [try add()]
        case "Mul": return [try multiply()]
        case "Concat": return [try concat()]
        case "Split": return try split()
        case "SplitToSequence": return [try splitToSequence()]
        case "SequenceAt": return [try sequenceAt()]
        case "Slice": return [try slice()]
        case "Flatten": return [try flatten(axis: node.int("axis", 1))]
        case "Reshape": return [try reshape()]
        case "Transpose": return [try transpose()]
        case "Resize", "Upsample": return [try resize()]
        default:
            throw ImportProblem(
                "operator \(node.opType) has no convlint layer",
                help: "convlint reads \(Self.layerOperators.joined(separator: ", ")), and shape arithmetic on constants")
        }
    }

    // MARK: Operands

    private func value(_ index: Int) throws(ImportProblem) -> GraphValue {
        guard index < inputs.count, let value = inputs[index] else { throw ImportProblem("\(node.opType) needs input \(index + 1)") }
        return value
    }

    private func activation(_ index: Int) throws(ImportProblem) -> (layer: Int, volume: Volume, layout: Layout) {
        guard case .activation(let layer, let volume, let layout) = try value(index) else {
            throw ImportProblem("input \(index + 1) of \(node.opType) ('\(node.input[index])') is a constant, not computed from the image")
        }
        return (layer, volume, layout)
    }

    /// The first input, which must be laid out as one of `layouts`.
    private func image(_ layouts: [Layout] = [.channelsFirst]) throws(ImportProblem) -> (layer: Int, volume: Volume, layout: Layout) {
        let input = try activation(0)
        guard layouts.contains(input.layout) || (input.layout == .flat && input.volume.w * input.volume.h == 1 && layouts.contains(.channelsFirst))
        else { throw ImportProblem("\(node.opType) reads a tensor laid out \(input.layout.described), which convlint cannot place here") }
        return input
    }

    private func constant(_ index: Int) throws(ImportProblem) -> Constant {
        guard let constant = try value(index).constant else {
            throw ImportProblem("input \(index + 1) of \(node.opType) ('\(node.input[index])') must be a constant (a weight or a shape)")
        }
        return constant
    }

    private func ints(_ index: Int) throws(ImportProblem) -> [Int] {
        guard let values = try constant(index).ints else {
            throw ImportProblem("input \(index + 1) of \(node.opType) ('\(node.input[index])') must be constant integers")
        }
        return values
    }

    /// Whether optional input `index` is given (ONNX leaves it out, or names it "").
    private func given(_ index: Int) -> Bool { index < inputs.count && inputs[index] != nil }

    private func optionalInts(_ index: Int) throws(ImportProblem) -> [Int]? { given(index) ? try ints(index) : nil }

    /// Whether input `index` is a bias of the model's: not absent, and not zeros an exporter
    /// computed for a layer without one.
    private func hasBias(_ index: Int) throws(ImportProblem) -> Bool {
        guard given(index) else { return false }
        let bias = try constant(index)
        return bias.learnt || !bias.isZero
    }

    private func expect(_ value: Float, _ wanted: Float, _ name: String, why: String) throws(ImportProblem) {
        guard abs(value - wanted) <= 1e-6 * max(1, abs(wanted)) else { throw ImportProblem("\(node.opType) with \(name)=\(value): \(why) (\(name)=\(wanted))") }
    }

    /// A layer that keeps its input's volume and layout.
    private func same(_ call: LayerCall, layouts: [Layout] = [.channelsFirst, .channelsLast, .flat]) throws(ImportProblem) -> NodeResult {
        let input = try image(layouts)
        return .layer(.layer(call), inputs: [input.layer], volume: input.volume, layout: input.layout)
    }

    // MARK: Windows

    /// Strides, symmetric padding, dilation and effective kernel (dilated) of a 2-D window;
    /// `auto_pad` resolved.
    private func window(
        kernel: Pair, input: Volume
    ) throws(ImportProblem) -> (stride: Pair, padding: Pair, dilation: Pair, effective: Pair) {
        let strides = node.ints("strides") ?? [1, 1]
        let dilations = node.ints("dilations") ?? [1, 1]
        // Far beyond any real window, and small enough that its arithmetic cannot overflow.
        let bound = 1 << 20
        guard (strides + dilations + (node.ints("pads") ?? []) + (node.ints("output_padding") ?? [])).allSatisfy({ (0...bound).contains($0) }),
            kernel.w <= 1 << 40, kernel.h <= 1 << 40
        else {
            throw ImportProblem("\(node.opType) with a stride, dilation or padding outside 0…\(bound)")
        }
        guard strides.count == 2, dilations.count == 2 else { throw ImportProblem("\(node.opType) is not 2-D; convlint reads 2-D images") }
        let stride = Pair(strides[1], strides[0])
        let dilation = Pair(dilations[1], dilations[0])
        guard [stride.w, stride.h, dilation.w, dilation.h].allSatisfy({ $0 >= 1 }) else { throw ImportProblem("\(node.opType) with a stride or dilation below 1") }
        let effective = Pair(dilation.w * (kernel.w - 1) + 1, dilation.h * (kernel.h - 1) + 1)
        var pads = node.ints("pads") ?? [0, 0, 0, 0]
        switch node.string("auto_pad", "NOTSET") {
        case "SAME_UPPER", "SAME_LOWER":
            // The total that keeps ceil(W / S) outputs, split evenly when it can be.
            func total(_ size: Int, _ s: Int, _ f: Int) -> Int { max(0, ((size + s - 1) / s - 1) * s + f - size) }
            let (th, tw) = (total(input.h, stride.h, effective.h), total(input.w, stride.w, effective.w))
            pads = [th / 2, tw / 2, th - th / 2, tw - tw / 2]
        case "VALID": pads = [0, 0, 0, 0]
        default: break
        }
        guard pads.count == 4 else { throw ImportProblem("\(node.opType) with pads \(pads); convlint reads 2-D images") }
        guard pads[0] == pads[2], pads[1] == pads[3] else {
            throw ImportProblem(
                "\(node.opType) pads its sides unequally (pads=\(pads)); convlint's P pads both sides alike",
                help: "pad symmetrically, or pad with an explicit layer before it")
        }
        return (stride, Pair(pads[1], pads[0]), dilation, effective)
    }

    /// ONNX's output size of a window along one axis (floor, or ceil without a window that
    /// starts in the right padding, as PyTorch's `ceil_mode`).
    private static func extent(_ size: Int, kernel: Int, stride: Int, pad: Int, ceil: Bool) -> Int {
        let numerator = size + 2 * pad - kernel
        guard numerator >= 0 else { return 0 }
        var output = (ceil ? (numerator + stride - 1) / stride : numerator / stride) + 1
        if ceil, (output - 1) * stride >= size + pad { output -= 1 }
        return output
    }

    private func windowed(_ input: Volume, kernel: Pair, stride: Pair, padding: Pair, depth: Int, ceil: Bool = false) throws(ImportProblem) -> Volume {
        let w = Self.extent(input.w, kernel: kernel.w, stride: stride.w, pad: padding.w, ceil: ceil)
        let h = Self.extent(input.h, kernel: kernel.h, stride: stride.h, pad: padding.h, ceil: ceil)
        guard w >= 1, h >= 1 else { throw ImportProblem("\(node.opType)'s window does not fit its \(input) input") }
        return Volume(w, h, depth)
    }

    private func convolution(transposed: Bool) throws(ImportProblem) -> NodeResult {
        let input = try image()
        let weights = try constant(1)
        guard weights.dims.count == 4 else { throw ImportProblem("\(node.opType) with a \(weights.dims.count)-D weight; convlint reads 2-D convolutions") }
        let groups = node.int("group", 1)
        guard (1...(1 << 30)).contains(groups) else { throw ImportProblem("\(node.opType) with group=\(groups)") }
        let kernel = Pair(weights.dims[3], weights.dims[2])
        let (stride, padding, dilation, effective) = try window(kernel: kernel, input: input.volume)
        // The filters of a transposed convolution, the input channels of a forward one.
        guard let grouped = product([weights.dims[1], groups]) else {
            throw ImportProblem("\(node.opType)'s weight \(weights.dims) with group=\(groups) is too large")
        }
        let filters = transposed ? grouped : weights.dims[0]
        let perGroup = transposed ? weights.dims[0] : grouped
        guard perGroup == input.volume.d else {
            throw ImportProblem("\(node.opType)'s weight \(weights.dims) with group=\(groups) does not read \(input.volume.d) channels")
        }
        let bias = try hasBias(2)
        var arguments = [
            CallArgument(value: .int(filters)), CallArgument(name: "F", value: .pair(kernel)),
            CallArgument(name: "S", value: .pair(stride), fallback: .int(1)),
            CallArgument(name: "P", value: .pair(padding), fallback: .int(0)),
            CallArgument(name: "dilation", value: .pair(dilation), fallback: .int(1)),
            CallArgument(name: "groups", value: .int(groups), fallback: .int(1)),
        ]
        let volume: Volume
        if transposed {
            guard node.ints("output_shape") == nil else { throw ImportProblem("ConvTranspose with output_shape; give pads and output_padding instead") }
            let extra = node.ints("output_padding") ?? [0, 0]
            let outputPad = Pair(extra.count == 2 ? extra[1] : 0, extra.first ?? 0)
            arguments.append(CallArgument(name: "output_pad", value: .pair(outputPad), fallback: .int(0)))
            volume = Volume(
                (input.volume.w - 1) * stride.w - 2 * padding.w + effective.w + outputPad.w,
                (input.volume.h - 1) * stride.h - 2 * padding.h + effective.h + outputPad.h, filters)
        } else {
            volume = try windowed(input.volume, kernel: effective, stride: stride, padding: padding, depth: filters)
        }
        arguments.append(CallArgument(name: "bias", value: .word(bias ? "true" : "false"), fallback: .word("true")))
        return .layer(.layer(LayerCall(transposed ? "DECONV" : "CONV", arguments)), inputs: [input.layer], volume: volume, layout: .channelsFirst)
    }

    private func pool() throws(ImportProblem) -> [NodeResult] {
        let input = try image()
        guard let shape = node.ints("kernel_shape"), shape.count == 2 else { throw ImportProblem("\(node.opType) without a 2-D kernel_shape") }
        let kernel = Pair(shape[1], shape[0])
        let (stride, padding, dilation, _) = try window(kernel: kernel, input: input.volume)
        guard dilation == Pair(1, 1) else { throw ImportProblem("\(node.opType) with dilations; convlint's pools are not dilated") }
        let average = node.opType == "AveragePool"
        if average, padding != Pair(0, 0), node.int("count_include_pad", 0) == 0 {
            throw ImportProblem(
                "AveragePool that leaves the padding out of its averages (count_include_pad=0); convlint's AVGPOOL counts it, as PyTorch's default does",
                help: "export nn.AvgPool2d with count_include_pad=True")
        }
        let ceil = node.int("ceil_mode", 0) == 1
        var arguments = [
            CallArgument(name: "F", value: .pair(kernel)), CallArgument(name: "S", value: .pair(stride), fallback: .pair(kernel)),
            CallArgument(name: "P", value: .pair(padding), fallback: .int(0)),
        ]
        if ceil { arguments.append(CallArgument(name: "rounding", value: .word("ceil"))) }
        let volume = try windowed(input.volume, kernel: kernel, stride: stride, padding: padding, depth: input.volume.d, ceil: ceil)
        let call = LayerCall(average ? "AVGPOOL" : "MAXPOOL", arguments)
        return [.layer(.layer(call), inputs: [input.layer], volume: volume, layout: .channelsFirst)] + node.output.dropFirst().map { _ in .unused }
    }

    private func globalAverage() throws(ImportProblem) -> NodeResult {
        let input = try image()
        return .layer(.layer(LayerCall("GAP")), inputs: [input.layer], volume: Volume(1, 1, input.volume.d), layout: .channelsFirst)
    }

    /// A mean over height and width: a global average pool.
    private func reduceMean() throws(ImportProblem) -> NodeResult {
        let given = try optionalInts(1)
        let axes = node.ints("axes") ?? given ?? []
        guard Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3] else {
            throw ImportProblem("ReduceMean over axes \(axes); convlint reads a mean over height and width (axes 2 and 3) as GAP")
        }
        let result = try globalAverage()
        guard node.int("keepdims", 1) == 0, case .layer(let step, let inputs, let volume, _) = result else { return result }
        return .layer(step, inputs: inputs, volume: volume, layout: .flat)
    }

    // MARK: Fully connected

    private func fullyConnected(fanIn: Int, units: Int, bias: Bool, perPixel: Bool) throws(ImportProblem) -> NodeResult {
        let input = try activation(0)
        let arguments = [
            CallArgument(value: .int(units)), CallArgument(name: "bias", value: .word(bias ? "true" : "false"), fallback: .word("true")),
            CallArgument(name: "per_pixel", value: .word(perPixel ? "true" : "false"), fallback: .word("false")),
        ]
        let expected = perPixel ? input.volume.d : input.volume.elements
        guard fanIn == expected else { throw ImportProblem("\(node.opType) reads \(fanIn) values where its \(input.volume) input has \(expected)") }
        let volume = perPixel ? Volume(input.volume.w, input.volume.h, units) : Volume(1, 1, units)
        return .layer(.layer(LayerCall("FC", arguments)), inputs: [input.layer], volume: volume, layout: perPixel ? .channelsLast : .flat)
    }

    private func gemm() throws(ImportProblem) -> NodeResult {
        _ = try image([.flat])
        guard node.int("transA", 0) == 0 else { throw ImportProblem("Gemm with transA=1; convlint reads x·Wᵀ + b") }
        try expect(node.float("alpha", 1), 1, "alpha", why: "an FC layer is x·Wᵀ + b")
        let weights = try constant(1)
        guard weights.dims.count == 2 else { throw ImportProblem("Gemm with a \(weights.dims.count)-D weight") }
        let transposed = node.int("transB", 0) == 1
        let (units, fanIn) = transposed ? (weights.dims[0], weights.dims[1]) : (weights.dims[1], weights.dims[0])
        return try fullyConnected(fanIn: fanIn, units: units, bias: hasBias(2), perPixel: false)
    }

    /// x·W with W a constant: an FC over channels-last positions (ConvNeXt's Linear) or a flat vector.
    private func matMul() throws(ImportProblem) -> NodeResult {
        let input = try image([.flat, .channelsLast])
        let weights = try constant(1)
        guard weights.dims.count == 2 else { throw ImportProblem("MatMul with a \(weights.dims.count)-D constant; convlint reads x·W as an FC layer") }
        return try fullyConnected(fanIn: weights.dims[0], units: weights.dims[1], bias: false, perPixel: input.layout == .channelsLast)
    }

    // MARK: Elementwise

    private func clip() throws(ImportProblem) -> NodeResult {
        let low = given(1) ? try constant(1).scalar : node.attribute("min")?.f
        let high = given(2) ? try constant(2).scalar : node.attribute("max")?.f
        switch (low, high) {
        case (0?, 6?): return try same(LayerCall("RELU6"))
        case (0?, nil): return try same(LayerCall("RELU"))
        default:
            throw ImportProblem("Clip to [\(low.map { "\($0)" } ?? "-∞"), \(high.map { "\($0)" } ?? "∞")]; convlint reads Clip(0, 6) as RELU6 and Clip(0) as RELU")
        }
    }

    private func prelu() throws(ImportProblem) -> NodeResult {
        let input = try image([.channelsFirst, .flat])
        let slopes = try constant(1).count
        guard slopes == 1 || slopes == input.volume.d else { throw ImportProblem("PRelu with \(slopes) slopes on \(input.volume.d) channels") }
        let call = LayerCall("PRELU", [CallArgument(name: "per_channel", value: .word(slopes == 1 ? "false" : "true"), fallback: .word("false"))])
        return .layer(.layer(call), inputs: [input.layer], volume: input.volume, layout: input.layout)
    }

    private func softmax() throws(ImportProblem) -> NodeResult {
        let input = try image([.channelsFirst, .flat])
        let axis = node.int("axis", -1)
        guard axis == 1 || (input.layout == .flat && axis == -1) else { throw ImportProblem("Softmax over axis \(axis); convlint's SOFTMAX is over the channels") }
        return try same(LayerCall("SOFTMAX"))
    }

    private func dropout() throws(ImportProblem) -> [NodeResult] {
        let rate = try given(1) ? constant(1).scalar ?? 0.5 : node.float("ratio", 0.5)
        let call = LayerCall("DROPOUT", [CallArgument(name: "rate", value: .word(Self.decimal(rate)), fallback: .word("0.5"))])
        return [try same(call)] + node.output.dropFirst().map { _ in .unused }
    }

    static func decimal(_ value: Float) -> String {
        let text = String(format: "%.6g", Double(value))
        return text.contains(".") ? text : text + ".0"
    }

    /// The activations among the inputs, which must share a layout.
    private func merged(_ merge: Merge) throws(ImportProblem) -> NodeResult {
        var sources: [(layer: Int, volume: Volume, layout: Layout)] = []
        for index in inputs.indices { sources.append(try activation(index)) }
        let layout = sources[0].layout
        guard sources.allSatisfy({ $0.layout == layout }), layout == .channelsFirst || layout == .channelsLast else {
            throw ImportProblem("\(node.opType) of tensors laid out differently")
        }
        let volumes = sources.map(\.volume)
        let volume: Volume
        switch merge {
        case .concat:
            guard Set(volumes.map { Pair($0.w, $0.h) }).count == 1 else { throw ImportProblem("Concat of sizes \(volumes.map(\.description))") }
            volume = Volume(volumes[0].w, volumes[0].h, saturatedSum(volumes.map(\.d)))
        case .sum, .product:
            volume = Volume(volumes.map(\.w).max()!, volumes.map(\.h).max()!, volumes.map(\.d).max()!)
        }
        if sources.count == 1 { return .value(.activation(layer: sources[0].layer, volume: volume, layout: layout)) }
        return .layer(.merge(merge), inputs: sources.map(\.layer), volume: volume, layout: layout)
    }

    private func add() throws(ImportProblem) -> NodeResult {
        guard let (offset, bias) = constantOperand() else { return try merged(.sum) }
        // A bias after a bias-free MatMul or Conv that nothing else reads: the layer's own.
        let input = try activation(1 - offset)
        guard case .layer(var call) = reader.layers[input.layer].step, call.argument("bias") == .word("false"), reader.readOnce(node.input[1 - offset]),
            bias.count == input.volume.d
        else {
            throw ImportProblem("Add of a constant \(bias.dims) to an activation; convlint has no layer that adds a fixed tensor")
        }
        call.set("bias", .word("true"))
        return .replace(layer: input.layer, call: call, layout: input.layout)
    }

    private func multiply() throws(ImportProblem) -> NodeResult {
        guard let (offset, factor) = constantOperand() else { return try merged(.product) }
        let input = try activation(1 - offset)
        let perChannel =
            input.layout == .channelsLast
            ? factor.dims.last == input.volume.d : factor.dims.drop { $0 == 1 }.first == input.volume.d && factor.dims.suffix(2) == [1, 1]
        guard factor.count == input.volume.d, perChannel else {
            throw ImportProblem("Mul of an activation by a constant \(factor.dims); convlint reads a per-channel factor as SCALE")
        }
        return .layer(.layer(LayerCall("SCALE")), inputs: [input.layer], volume: input.volume, layout: input.layout)
    }

    /// The constant operand of a binary node, with its position.
    private func constantOperand() -> (Int, Constant)? {
        guard inputs.count == 2 else { return nil }
        for offset in 0..<2 { if let constant = inputs[offset]?.constant { return (offset, constant) } }
        return nil
    }

    // MARK: Channels and layout

    private func concat() throws(ImportProblem) -> NodeResult {
        let axis = node.int("axis", 1)
        let layout = try activation(0).layout
        guard axis == 1 && layout == .channelsFirst || (axis == -1 || axis == 3) && layout == .channelsLast else {
            throw ImportProblem("Concat along axis \(axis); convlint concatenates along the channels")
        }
        return try merged(.concat)
    }

    private func chunk(_ input: (layer: Int, volume: Volume, layout: Layout), parts: Int, index: Int) -> NodeResult {
        let call = LayerCall(
            "CHUNK", [CallArgument(name: "parts", value: .int(parts), fallback: .int(2)), CallArgument(name: "index", value: .int(index), fallback: .int(0))])
        let volume = Volume(input.volume.w, input.volume.h, input.volume.d / parts)
        return .layer(.layer(call), inputs: [input.layer], volume: volume, layout: .channelsFirst)
    }

    private func split() throws(ImportProblem) -> [NodeResult] {
        let input = try image()
        guard node.int("axis", 0) == 1 else { throw ImportProblem("Split along axis \(node.int("axis", 0)); convlint splits the channels") }
        let parts = node.output.count
        let given = try optionalInts(1)
        let sizes = node.ints("split") ?? given ?? Array(repeating: input.volume.d / parts, count: parts)
        guard Set(sizes).count == 1, sizes.reduce(0, &+) == input.volume.d else {
            throw ImportProblem("Split of \(input.volume.d) channels into \(sizes); convlint's CHUNK splits into equal parts")
        }
        return node.output.indices.map { index in
            reader.unread(node.output[index]) ? .unused : chunk(input, parts: parts, index: index)
        }
    }

    /// `x.chunk(n, dim=1)` as the dynamo exporter writes it: the parts, for `SequenceAt` to take.
    private func splitToSequence() throws(ImportProblem) -> NodeResult {
        let input = try image()
        let depth = input.volume.d
        let sizes = try optionalInts(1) ?? [1]
        guard node.int("axis", 0) == 1, sizes.count == 1 || Set(sizes).count == 1, let size = sizes.first, size >= 1, depth % size == 0,
            sizes.count == 1 || sizes.count * size == depth
        else {
            throw ImportProblem("SplitToSequence of \(depth) channels into \(sizes) along axis \(node.int("axis", 0)); convlint's CHUNK splits the channels into equal parts")
        }
        return .value(.parts(layer: input.layer, volume: input.volume, count: depth / size))
    }

    private func sequenceAt() throws(ImportProblem) -> NodeResult {
        guard case .parts(let layer, let volume, let count) = try value(0) else { throw ImportProblem("SequenceAt of something other than SplitToSequence's parts") }
        guard let index = try ints(1).first, (-count..<count).contains(index) else { throw ImportProblem("SequenceAt outside the \(count) parts") }
        return chunk((layer, volume, .channelsFirst), parts: count, index: (index + count) % count)
    }

    /// A slice of whole channels, an equal part of them: CHUNK.
    private func slice() throws(ImportProblem) -> NodeResult {
        let input = try image()
        let (starts, ends) = (try ints(1), try ints(2))
        let axes = try optionalInts(3) ?? [0]
        let steps = try optionalInts(4) ?? [1]
        let depth = input.volume.d
        guard axes == [1], steps == [1], let start = starts.first, let end = ends.first.map({ min($0, depth) }), start >= 0, end > start,
            depth % (end - start) == 0, start % (end - start) == 0
        else {
            throw ImportProblem("Slice \(starts)..<\(ends) along axes \(axes); convlint reads a slice of an equal part of the channels as CHUNK")
        }
        return chunk(input, parts: depth / (end - start), index: start / (end - start))
    }

    /// A flatten that the FC after it does itself, or a FLATTEN layer.
    private func flatten(axis: Int) throws(ImportProblem) -> NodeResult {
        let input = try image([.channelsFirst, .flat])
        guard axis == 1 else { throw ImportProblem("Flatten from axis \(axis); convlint flattens each image (axis 1)") }
        if input.volume.w * input.volume.h == 1 || reader.readOnlyBy(node.output[0], ["Gemm", "MatMul"]) {
            return .value(.activation(layer: input.layer, volume: input.volume, layout: .flat))
        }
        return .layer(.layer(LayerCall("FLATTEN")), inputs: [input.layer], volume: Volume(1, 1, input.volume.elements), layout: .flat)
    }

    private func reshape() throws(ImportProblem) -> NodeResult {
        let input = try activation(0)
        var shape = try ints(1)
        let dims = input.layout.dims(input.volume, batch: reader.batch)
        for (index, size) in shape.enumerated() where size == 0 && node.int("allowzero", 0) == 0 && index < dims.count { shape[index] = dims[index] }
        guard let total = product(dims) else { throw ImportProblem("Reshape of \(dims)") }
        if let unknown = shape.firstIndex(of: -1) {
            guard let known = product(shape.enumerated().filter { $0.offset != unknown }.map(\.element)), known > 0, total % known == 0 else {
                throw ImportProblem("Reshape to \(shape) of \(dims)")
            }
            shape[unknown] = total / known
        }
        // At batch 1 an exporter may leave the batch axis out (`[768]` for 1×768×1×1).
        if reader.batch == 1, shape.first != 1, product(shape) == total { shape.insert(1, at: 0) }
        let volume = input.volume
        let (c, h, w) = (volume.d, volume.h, volume.w)
        switch (input.layout, shape.dropFirst().map { $0 }) {
        case (.channelsFirst, [volume.elements]), (.flat, [volume.elements]):
            return try flatten(axis: 1)
        case (.flat, [volume.elements, 1, 1]) where h * w == 1, (.channelsFirst, [c, h, w]):
            return .value(.activation(layer: input.layer, volume: volume, layout: .channelsFirst))
        case (.channelsFirst, let split) where split.count == 4 && product(Array(split[0...1])) == c && split[2] == h && split[3] == w:
            return .value(.activation(layer: input.layer, volume: volume, layout: .grouped(split[0])))
        case (.swapped(let groups), [c, h, w]):
            let call = LayerCall("SHUFFLE", [CallArgument(name: "groups", value: .int(groups), fallback: .int(2))])
            return .layer(.layer(call), inputs: [input.layer], volume: volume, layout: .channelsFirst)
        default:
            throw ImportProblem("Reshape of \(dims) to \(shape); convlint reads a flatten, and a channel shuffle's reshapes")
        }
    }

    private func transpose() throws(ImportProblem) -> NodeResult {
        let input = try activation(0)
        let perm = node.ints("perm") ?? []
        let layout: Layout
        switch (input.layout, perm) {
        case (.channelsFirst, [0, 2, 3, 1]): layout = .channelsLast
        case (.channelsLast, [0, 3, 1, 2]): layout = .channelsFirst
        case (.grouped(let groups), [0, 2, 1, 3, 4]): layout = .swapped(groups)
        default: throw ImportProblem("Transpose with perm=\(perm) of a tensor laid out \(input.layout.described)")
        }
        return .value(.activation(layer: input.layer, volume: input.volume, layout: layout))
    }

    private func resize() throws(ImportProblem) -> NodeResult {
        let input = try image()
        let mode = node.string("mode", "nearest")
        let transform = node.string("coordinate_transformation_mode", "half_pixel")
        let kind: String
        switch (mode, transform) {
        case ("nearest", "asymmetric"): kind = "nearest"
        case ("linear", "half_pixel"), ("linear", "pytorch_half_pixel"), ("bilinear", _): kind = "bilinear"
        default:
            throw ImportProblem(
                "Resize with mode=\(mode), coordinate_transformation_mode=\(transform); convlint reads PyTorch's nearest and bilinear (align_corners=False)")
        }
        let (w, h): (Int, Int)
        if node.opType == "Resize", given(3) {
            let sizes = try ints(3)
            guard sizes.count == 4 else { throw ImportProblem("Resize to sizes \(sizes)") }
            (w, h) = (sizes[3], sizes[2])
        } else {
            let scales = try constant(node.opType == "Resize" ? 2 : 1).floats ?? []
            guard scales.count == 4, scales[0] == 1, scales[1] == 1, scales[2...].allSatisfy({ $0 > 0 && $0 <= 1024 }) else {
                throw ImportProblem("Resize with scales \(scales)")
            }
            (w, h) = (Int((Float(input.volume.w) * scales[3]).rounded(.down)), Int((Float(input.volume.h) * scales[2]).rounded(.down)))
        }
        let scale = w % input.volume.w == 0 && w / input.volume.w == h / input.volume.h && h % input.volume.h == 0 ? w / input.volume.w : nil
        let size = scale == nil ? [CallArgument(name: "size", value: .pair(Pair(w, h)))] : [CallArgument(name: "scale", value: .int(scale!), fallback: .int(2))]
        let call = LayerCall("UPSAMPLE", size + [CallArgument(name: "mode", value: .word(kind), fallback: .word("nearest"))])
        return .layer(.layer(call), inputs: [input.layer], volume: Volume(w, h, input.volume.d), layout: .channelsFirst)
    }

    private func layerNorm() throws(ImportProblem) -> NodeResult {
        let input = try image([.channelsLast])
        guard [-1, 3].contains(node.int("axis", -1)) else {
            throw ImportProblem("LayerNormalization over axis \(node.int("axis", -1)); convlint reads a LayerNorm over each position's channels (LN(over=channels))")
        }
        let call = LayerCall("LN", [CallArgument(name: "over", value: .word("channels"), fallback: .word("image"))])
        return .layer(.layer(call), inputs: [input.layer], volume: input.volume, layout: input.layout)
    }
}

extension Layout {
    var described: String {
        switch self {
        case .channelsFirst: "N×C×H×W"
        case .channelsLast: "N×H×W×C"
        case .flat: "N×F"
        case .grouped(let groups): "N×\(groups)×(C/\(groups))×H×W"
        case .swapped(let groups): "N×(C/\(groups))×\(groups)×H×W"
        }
    }

    /// The tensor's dimensions, batch first.
    func dims(_ volume: Volume, batch: Int) -> [Int] {
        switch self {
        case .channelsFirst: [batch, volume.d, volume.h, volume.w]
        case .channelsLast: [batch, volume.h, volume.w, volume.d]
        case .flat: [batch, volume.elements]
        case .grouped(let groups): [batch, groups, volume.d / groups, volume.h, volume.w]
        case .swapped(let groups): [batch, volume.d / groups, groups, volume.h, volume.w]
        }
    }
}
