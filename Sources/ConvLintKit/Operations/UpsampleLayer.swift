/// UPSAMPLE: parameter-free resizing by a whole scale or to a size, by nearest neighbour or
/// bilinear interpolation (PyTorch's `F.interpolate`, `align_corners=False`).
public struct UpsampleLayer: LayerOperation, Equatable {
    public enum Mode: String, Sendable, Equatable { case nearest, bilinear }
    public enum Target: Sendable, Equatable {
        case scale(Int)
        case size(Pair)
    }

    public var target: Target
    public var mode: Mode

    static let kinds = [
        KindDefinition(
            kind: .upsample,
            parameters: [
                ParameterSpec(
                    name: "scale", form: .count,
                    summary: "Whole factor on W and H; the positional argument. Default 2 unless size is given. Example: UPSAMPLE(2)"),
                ParameterSpec(
                    name: "size", form: .pair(minimum: 1),
                    summary: "Output W and H instead of a scale: N or WxH. Example: UPSAMPLE(size=224, mode=bilinear)"),
                ParameterSpec(
                    name: "mode", form: .choice([Mode.nearest.rawValue, Mode.bilinear.rawValue]),
                    summary: "nearest (PyTorch's default) or bilinear (align_corners=False). Example: mode: bilinear"),
            ],
            defaultsSummary: "Defaults for UPSAMPLE: scale, size, mode (default nearest). Example: UPSAMPLE: {mode: bilinear}",
            argumentGroup: "upsampleArguments",
            frameworkNames: ["UpSampling2D", "Interpolate", "UpsamplingBilinear2d", "UpsamplingNearest2d", "Resize"],
            make: { arguments throws(Diagnostic) in
                let mode = arguments.choice("mode").flatMap(Mode.init(rawValue:)) ?? .nearest
                switch (arguments.count("scale"), arguments.pair("size")) {
                case (.some, .some):
                    throw Diagnostic(
                        RuleID.badArgument, "UPSAMPLE takes a scale or a size, not both", at: arguments.location(of: "size"),
                        help: "keep one: UPSAMPLE(2) doubles W and H, UPSAMPLE(size=224) resizes to 224x224")
                case (let scale?, nil): return .upsample(UpsampleLayer(target: .scale(scale), mode: mode))
                case (nil, let size?): return .upsample(UpsampleLayer(target: .size(size), mode: mode))
                case (nil, nil): return .upsample(UpsampleLayer(target: .scale(2), mode: mode))
                }
            }),
    ]

    var label: String {
        let suffix = mode == .bilinear ? " bilinear" : ""
        switch target {
        case .scale(let scale): return "UPSAMPLE\(scale)x\(suffix)"
        case .size(let size): return "UPSAMPLE-\(size.area)\(suffix)"
        }
    }

    var storage: OutputStorage { .own }
    var linearity: Linearity { .linear }
    /// Its backward needs only the sizes.
    var saved: SavedForBackward { .nothing }

    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        let input = inputs[0]
        switch target {
        case .scale(let scale):
            let checked = Checked(location: layer.location, what: "the output size of \(layer.label)")
            return try Volume.checked(try checked.multiply(input.w, scale), try checked.multiply(input.h, scale), input.d, of: layer)
        case .size(let size):
            return try Volume.checked(size.w, size.h, input.d, of: layer)
        }
    }

    /// Bilinear interpolation weighs four neighbours for each output value.
    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        cost.otherOps = mode == .bilinear ? try checked.multiply(output.elements, 4) : 0
        return cost
    }

    /// Outputs step by a fraction of the input's step; bilinear reads one more input pixel.
    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        let previous = inputs[0]
        let (w, h): (Double, Double) =
            switch target {
            case .scale(let scale): (Double(scale), Double(scale))
            case .size(let size): (Double(size.w) / Double(input.w), Double(size.h) / Double(input.h))
            }
        let extra = mode == .bilinear ? 1.0 : 0.0
        return ReceptiveField(
            size: (previous.size.w + extra * previous.jump.w, previous.size.h + extra * previous.jump.h),
            jump: (previous.jump.w / w, previous.jump.h / h))
    }
}

extension LayerKind {
    static let upsample = LayerKind(declaring: "UPSAMPLE")
}
