/// The arguments each layer kind takes (SPEC §3), and how a value is checked and stored.
struct ParameterSpec {
    enum Form {
        /// A positive integer.
        case count
        /// N or WxH, at least `minimum` on each axis.
        case pair(minimum: Int)
        /// An integer ≥ 0, WxH, `same` or `valid`.
        case padding
        case boolean
        case rounding
        /// A decimal in [0, 1).
        case rate
        case shape
    }

    var name: String
    var aliases: [String]
    var form: Form
    /// What the argument means, for `docs/convlint.schema.json`'s editor hovers.
    var summary: String

    var names: [String] { [name] + aliases }

    func matches(_ label: String) -> Bool {
        names.contains { $0.caseInsensitiveEquals(label) }
    }

    /// Built once: an expansion may resolve a million calls.
    private static let tables: [LayerKind: [ParameterSpec]] = Dictionary(
        uniqueKeysWithValues: LayerKind.allCases.map { ($0, makeTable(for: $0)) })

    static func table(for kind: LayerKind) -> [ParameterSpec] { tables[kind] ?? [] }

    private static func makeTable(for kind: LayerKind) -> [ParameterSpec] {
        let filters = ParameterSpec(
            name: "filters", aliases: ["K"], form: .count,
            summary: "Number of filters K, which is the output depth. It is the positional argument: CONV(64) is CONV(filters=64). Required for CONV and DECONV, from the call or from here. Example: filters: 64")
        let size = ParameterSpec(
            name: "size", aliases: ["F"], form: .pair(minimum: 1),
            summary: "Window (filter) size F: N, or WxH for a rectangle. Required for CONV and DECONV; pools default to 2. Examples: size: 3, F: 1x7")
        let stride = ParameterSpec(
            name: "stride", aliases: ["S"], form: .pair(minimum: 1),
            summary: "Step S between windows: N or WxH. CONV and DECONV default to 1; a pool's stride follows its size unless set. Example: stride: 2")
        let pad = ParameterSpec(
            name: "pad", aliases: ["P"], form: .padding,
            summary: "Zero padding P on each side: N, WxH, same ((Fe - 1)/2, which keeps W and H at stride 1; odd effective size Fe only) or valid (0). Default 0. Examples: pad: 1, P: same")
        let dilation = ParameterSpec(
            name: "dilation", aliases: [], form: .pair(minimum: 1),
            summary: "Spacing d between filter taps: N or WxH. The effective size is Fe = d*(F - 1) + 1. Default 1. Example: dilation: 2")
        let groups = ParameterSpec(
            name: "groups", aliases: [], form: .count,
            summary: "Filter groups; must divide both the input depth D and the number of filters K (groups = D is a depthwise CONV). Default 1. Example: groups: 32")
        let bias = ParameterSpec(
            name: "bias", aliases: [], form: .boolean,
            summary: "Whether the layer has a bias per filter or unit (counted in params). Default true; often false when BN follows. Example: bias: false")
        let rounding = ParameterSpec(
            name: "rounding", aliases: [], form: .rounding,
            summary: "This layer's rounding, overriding the file's 'rounding' and --rounding: strict, floor or ceil. Example: rounding: floor")
        switch kind {
        case .input:
            return [ParameterSpec(name: "shape", aliases: [], form: .shape, summary: "The input volume W x H x D. Example: INPUT(224x224x3)")]
        case .conv: return [filters, size, stride, pad, dilation, groups, bias, rounding]
        case .deconv:
            return [filters, size, stride, pad, dilation, groups, bias, rounding,
                    ParameterSpec(
                        name: "output_pad", aliases: [], form: .pair(minimum: 0),
                        summary: "Extra rows and columns on one side of a DECONV output (PyTorch's output_padding), smaller than the stride: N or WxH. Default 0. Example: output_pad: 1")]
        case .pool, .maxPool, .avgPool: return [size, stride, pad, rounding]
        case .fc:
            return [ParameterSpec(
                        name: "units", aliases: [], form: .count,
                        summary: "Number of outputs of the FC layer, which flattens its input to 1x1x(W*H*D) first. Required, from the call or from here. Example: units: 10"),
                    bias]
        case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu, .softmax:
            return [ParameterSpec(
                name: "inplace", aliases: [], form: .boolean,
                summary: "Whether the activation overwrites its input, so it counts no activations of its own. Default true (SOFTMAX: false). Example: inplace: false")]
        case .lrn:
            return [ParameterSpec(
                name: "size", aliases: [], form: .count,
                summary: "LRN neighbourhood: how many adjacent channels each value is normalised over. Default 5 (LRN's size has no alias F). Example: size: 5")]
        case .dropout:
            return [ParameterSpec(
                name: "rate", aliases: [], form: .rate,
                summary: "Fraction of values dropped in training, a decimal in [0, 1). Default 0.5. Example: rate: 0.2")]
        case .gap, .flatten, .batchNorm, .layerNorm, .identity, .concat, .add: return []
        }
    }
}

/// Merges built-in defaults, `defaults`, a paper name's preset and the call's arguments
/// into `Hyperparameters`, checking each value where it was written.
struct ArgumentResolver {
    let kind: LayerKind
    let specs: [ParameterSpec]
    var hyper = Hyperparameters()
    var padding: PaddingSpec = .explicit(Pair(0, 0))
    /// Where each parameter got its value, for diagnostics about it.
    var locations: [String: SourceLocation] = [:]

    init(kind: LayerKind) {
        self.kind = kind
        self.specs = ParameterSpec.table(for: kind)
        hyper.inplace = kind.isActivation && kind != .softmax
        if kind.isPool { hyper.kernel = Pair(2, 2) }
    }

    func spec(labelled label: String?, at location: SourceLocation, positionalIndex: Int) throws(Diagnostic) -> ParameterSpec {
        guard let label else {
            guard positionalIndex == 0, let first = specs.first else {
                let help = specs.isEmpty
                    ? "\(kind.rawValue) takes no arguments"
                    : "name it, e.g. \(specs.dropFirst().first.map { "\($0.aliases.first ?? $0.name)=…" } ?? "\(specs[0].name)=…"); only the first argument may be positional"
                throw Diagnostic(
                    RuleID.badArgument, "\(kind.rawValue) takes \(specs.isEmpty ? "no" : "only one") positional argument",
                    at: location, help: help)
            }
            return first
        }
        if let spec = specs.first(where: { $0.matches(label) }) { return spec }
        let names = specs.flatMap(\.names)
        throw Diagnostic(
            RuleID.badArgument,
            "\(kind.rawValue) has no argument '\(label)'\(Suggestion.phrase(for: label, among: names))",
            at: location,
            help: names.isEmpty ? "\(kind.rawValue) takes no arguments" : "its arguments are: \(names.joined(separator: ", "))")
    }

    mutating func apply(_ spec: ParameterSpec, _ value: Value, at location: SourceLocation) throws(Diagnostic) {
        func fail(_ expected: String, help: String? = nil) -> Diagnostic {
            Diagnostic(
                RuleID.badArgument,
                "\(kind.rawValue) \(spec.name) must be \(expected), but it is '\(value.text)'",
                at: location, help: help)
        }
        switch spec.form {
        case .count:
            guard case .integer(let number) = value, number >= 1 else { throw fail("a whole number of at least 1") }
            switch spec.name {
            case "filters": hyper.filters = number
            case "units": hyper.units = number
            case "groups": hyper.groups = number
            default: hyper.lrnSize = number
            }
        case .pair(let minimum):
            let pair: Pair
            switch value {
            case .integer(let number): pair = Pair(square: number)
            case .dimensions(let values) where values.count == 2: pair = Pair(values[0], values[1])
            default: throw fail("N or WxH, e.g. 3 or 1x7")
            }
            guard pair.w >= minimum, pair.h >= minimum else {
                throw fail("at least \(minimum)", help: spec.name == "stride"
                    ? "a stride of 1 moves the window one pixel at a time, 2 halves W and H" : nil)
            }
            switch spec.name {
            case "size": hyper.kernel = pair
            case "stride": hyper.stride = pair
            case "dilation": hyper.dilation = pair
            default: hyper.outputPadding = pair
            }
        case .padding:
            switch value {
            case .integer(let number) where number >= 0: padding = .explicit(Pair(square: number))
            case .dimensions(let values) where values.count == 2 && values.allSatisfy { $0 >= 0 }:
                padding = .explicit(Pair(values[0], values[1]))
            case .keyword("same"): padding = .same
            case .keyword("valid"): padding = .valid
            default: throw fail("a number ≥ 0, WxH, same or valid")
            }
        case .boolean:
            guard case .boolean(let flag) = value else { throw fail("true or false") }
            if spec.name == "bias" { hyper.bias = flag } else { hyper.inplace = flag }
        case .rounding:
            guard case .keyword(let word) = value, let rounding = Rounding(rawValue: word) else {
                throw fail("strict, floor or ceil")
            }
            hyper.rounding = rounding
        case .rate:
            let rate: Double
            switch value {
            case .decimal(let number): rate = number
            case .integer(0): rate = 0
            default: throw fail("a decimal in [0, 1), e.g. 0.5")
            }
            guard rate >= 0, rate < 1 else { throw fail("a decimal in [0, 1), e.g. 0.5") }
            hyper.rate = rate
        case .shape:
            guard case .dimensions(let values) = value, values.count == 3, values.allSatisfy({ $0 >= 1 }) else {
                throw fail("a shape W x H x D, e.g. 224x224x3")
            }
            hyper.shape = values
        }
        locations[spec.name] = location
    }

    /// Checks that required values are present and resolves `same`/`valid` padding.
    mutating func finish(at callLocation: SourceLocation) throws(Diagnostic) -> Hyperparameters {
        switch kind {
        case .conv, .deconv:
            guard hyper.filters != nil else {
                throw Diagnostic(
                    RuleID.badArgument, "\(kind.rawValue) needs a number of filters", at: callLocation,
                    help: "write \(kind.rawValue)(64), or set 'defaults: {\(kind.rawValue): {filters: 64}}'")
            }
            guard hyper.kernel != nil else {
                throw Diagnostic(
                    RuleID.badArgument, "\(kind.rawValue) needs a filter size", at: callLocation,
                    help: "write \(kind.rawValue)(\(hyper.filters!), F=3), or set 'defaults: {\(kind.rawValue): {size: 3}}'")
            }
        case .fc:
            guard hyper.units != nil else {
                throw Diagnostic(
                    RuleID.badArgument, "FC needs a number of units", at: callLocation,
                    help: "write FC(10), or FC-10 as the VGG paper does")
            }
        default: break
        }
        if hyper.stride == nil { hyper.stride = kind.isPool ? hyper.kernel : Pair(1, 1) }
        switch padding {
        case .explicit(let pair): hyper.padding = pair
        case .valid: hyper.padding = Pair(0, 0)
        case .same:
            let extent = hyper.effectiveKernel
            guard extent.w % 2 == 1, extent.h % 2 == 1 else {
                throw Diagnostic(
                    RuleID.badArgument,
                    "P=same needs an odd effective filter size, but it is \(extent.text)",
                    at: locations["pad"] ?? callLocation,
                    help: "use an odd filter size such as 3 or 5, or give P as a number")
            }
            hyper.padding = Pair((extent.w - 1) / 2, (extent.h - 1) / 2)
        }
        return hyper
    }
}
