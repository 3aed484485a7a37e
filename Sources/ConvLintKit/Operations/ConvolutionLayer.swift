/// CONV and DECONV (the transposed convolution): K filters of F×F×D/groups sliding over the input.
public struct ConvolutionLayer: LayerOperation, Equatable {
    public var filters: Int
    public var window: SlidingWindow
    public var groups: Int
    public var bias: Bool
    /// DECONV: each input value spreads a filter-sized patch over the output.
    public var transposed: Bool
    /// DECONV's extra rows and columns on one side (PyTorch's output_padding).
    public var outputPadding: Pair

    private static let filtersParameter = ParameterSpec(
        name: "filters", aliases: ["K"], form: .count,
        summary: "Number of filters K, which is the output depth. It is the positional argument: CONV(64) is CONV(filters=64). Required for CONV and DECONV, from the call or from here. Example: filters: 64")
    private static let groupsParameter = ParameterSpec(
        name: "groups", form: .count,
        summary: "Filter groups; must divide both the input depth D and the number of filters K (groups = D is a depthwise CONV). Default 1. Example: groups: 32")
    private static let outputPad = ParameterSpec(
        name: "output_pad", form: .pair(minimum: 0),
        summary: "Extra rows and columns on one side of a DECONV output (PyTorch's output_padding), smaller than the stride: N or WxH. Default 0. Example: output_pad: 1")
    private static let parameters = [
        filtersParameter, SlidingWindow.size, SlidingWindow.strideParameter, SlidingWindow.pad,
        SlidingWindow.dilationParameter, groupsParameter, ParameterSpec.bias, SlidingWindow.roundingParameter,
    ]

    static let kinds = [
        KindDefinition(
            kind: .conv, parameters: parameters,
            defaultsSummary: "Defaults for every CONV, and for the VGG paper's conv3-64 names: filters/K, size/F, stride/S, pad/P, dilation, groups, bias, rounding. Example: CONV: {size: 3, stride: 1, pad: 1}",
            argumentGroup: "convArguments",
            frameworkNames: ["Conv2d", "Conv2D", "Convolution2D", "Convolution"],
            make: { arguments throws(Diagnostic) in .convolution(try ConvolutionLayer(arguments, transposed: false)) }),
        KindDefinition(
            kind: .deconv, parameters: parameters + [outputPad],
            defaultsSummary: "Defaults for every DECONV (transposed convolution): CONV's arguments plus output_pad. Example: DECONV: {size: 4, stride: 2, pad: 1}",
            argumentGroup: "deconvArguments",
            frameworkNames: ["ConvTranspose2d", "Conv2DTranspose", "Deconvolution2D", "Deconvolution", "ConvTranspose"],
            make: { arguments throws(Diagnostic) in .convolution(try ConvolutionLayer(arguments, transposed: true)) }),
    ]

    private init(_ arguments: Arguments, transposed: Bool) throws(Diagnostic) {
        let name = arguments.kind.rawValue
        guard let filters = arguments.count("filters") else {
            throw Diagnostic(
                RuleID.badArgument, "\(name) needs a number of filters", at: arguments.callLocation,
                help: "write \(name)(64), or set 'defaults: {\(name): {filters: 64}}'")
        }
        guard let kernel = arguments.pair("size") else {
            throw Diagnostic(
                RuleID.badArgument, "\(name) needs a filter size", at: arguments.callLocation,
                help: "write \(name)(\(filters), F=3), or set 'defaults: {\(name): {size: 3}}'")
        }
        self.filters = filters
        window = try SlidingWindow(arguments, kernel: kernel, strideFollowsKernel: false)
        groups = arguments.count("groups") ?? 1
        bias = arguments.boolean("bias") ?? true
        self.transposed = transposed
        outputPadding = arguments.pair("output_pad") ?? .zero
    }

    var label: String {
        var label = "\(transposed ? "DECONV" : "CONV")\(window.kernel.text)-\(filters)"
        if window.stride != .one { label += "/\(window.stride.text)" }
        if window.dilation != .one { label += " d\(window.dilation.text)" }
        if groups > 1 { label += " g\(groups)" }
        return label
    }

    var storage: OutputStorage { .own }
    var linearity: Linearity { .affine }
    var saved: SavedForBackward { .inputOnly }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        let input = inputs[0]
        for (what, count) in [("input depth", input.d), ("filter count", filters)] where count % groups != 0 {
            throw Diagnostic(
                RuleID.invalidShape, "groups=\(groups) does not divide the \(what) \(count)",
                at: layer.location(of: "groups"),
                help: "use a divisor of both \(input.d) and \(filters), e.g. groups=\(Self.gcd(input.d, filters))")
        }
        guard transposed else { return try window.output(of: layer, input: input, depth: filters, context: &context) }
        let (stride, padding, kernel) = (window.stride, window.padding, window.effectiveKernel)
        guard outputPadding.w < stride.w, outputPadding.h < stride.h else {
            throw Diagnostic(
                RuleID.invalidShape, "output_pad \(outputPadding.text) must be smaller than the stride \(stride.text)",
                at: layer.location(of: "output_pad"), help: "use output_pad=\(stride.w - 1) or less")
        }
        let checked = Checked(location: layer.location, what: "the output size of \(layer.label)")
        func size(_ w: Int, _ s: Int, _ p: Int, _ f: Int, _ o: Int) throws(Diagnostic) -> Int {
            try checked.add(try checked.add(try checked.multiply(w - 1, s), f + o), -2 * p)
        }
        let w = try size(input.w, stride.w, padding.w, kernel.w, outputPadding.w)
        let h = try size(input.h, stride.h, padding.h, kernel.h, outputPadding.h)
        guard w >= 1, h >= 1 else {
            throw Diagnostic(
                RuleID.invalidShape,
                "\(layer.kind.rawValue) output would be \(w)x\(h): the padding \(padding.text) crops everything",
                at: layer.location(of: "pad"), help: "lower the padding")
        }
        return try Volume.checked(w, h, filters, of: layer)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        let input = inputs[0]
        let inputPerGroup = input.d / groups
        var cost = LayerCost()
        cost.weights = try checked.multiply(filters, inputPerGroup, window.kernel.w, window.kernel.h)
        cost.biases = bias ? filters : 0
        // CONV: each output value is a dot product over its window; DECONV: each *input*
        // value is spread over a window of the output (SPEC §5).
        let positions = transposed ? input.w * input.h : output.w * output.h
        cost.macs = try checked.multiply(positions, filters, window.kernel.w, window.kernel.h, inputPerGroup)
        cost.otherOps = bias ? output.elements : 0
        return cost
    }

    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        let previous = inputs[0]
        guard transposed else { return window.receptiveField(after: previous) }
        let kernel = window.effectiveKernel
        let jump = (w: previous.jump.w / Double(window.stride.w), h: previous.jump.h / Double(window.stride.h))
        return ReceptiveField(
            size: (previous.size.w + Double(kernel.w - 1) * jump.w, previous.size.h + Double(kernel.h - 1) * jump.h),
            jump: jump)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

extension LayerKind {
    static let conv = LayerKind(declaring: "CONV")
    static let deconv = LayerKind(declaring: "DECONV")
}
