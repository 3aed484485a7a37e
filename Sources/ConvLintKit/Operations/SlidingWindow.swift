/// A width-and-height pair, for kernel sizes, strides, paddings and dilations.
public struct Pair: Hashable, Sendable, Codable {
    public var w: Int
    public var h: Int

    public init(_ w: Int, _ h: Int) {
        self.w = w
        self.h = h
    }

    public init(square value: Int) { self.init(value, value) }

    static let one = Pair(1, 1)
    static let zero = Pair(0, 0)

    var isSquare: Bool { w == h }
    /// `3` or `1x7`, as labels and arguments write it.
    var text: String { isSquare ? "\(w)" : "\(w)x\(h)" }
    /// `3x3`, as an area.
    var area: String { "\(w)x\(h)" }
}

/// Padding as written: explicit, or resolved from the kernel.
enum PaddingSpec: Equatable, Sendable {
    case explicit(Pair)
    /// P = (F_eff − 1)/2, keeping W and H at stride 1.
    case same
    /// P = 0.
    case valid
}

/// The window of a CONV, DECONV or pool: its size, step, zero padding and tap spacing, and
/// how it rounds a size that does not divide (SPEC §3–4).
public struct SlidingWindow: Sendable, Equatable {
    public var kernel: Pair
    public var stride: Pair
    public var padding: Pair
    public var dilation: Pair
    /// Overrides the file's rounding for this layer.
    public var rounding: Rounding?

    /// Effective kernel extent with dilation: d·(F − 1) + 1.
    public var effectiveKernel: Pair {
        Pair(
            Saturating.multiply(dilation.w, kernel.w - 1) + 1, Saturating.multiply(dilation.h, kernel.h - 1) + 1)
    }

    // MARK: Arguments

    static let size = ParameterSpec(
        name: "size", aliases: ["F"], form: .pair(minimum: 1),
        summary: "Window (filter) size F: N, or WxH for a rectangle. Required for CONV and DECONV; pools default to 2. Examples: size: 3, F: 1x7")
    static let strideParameter = ParameterSpec(
        name: "stride", aliases: ["S"], form: .pair(minimum: 1),
        summary: "Step S between windows: N or WxH. CONV and DECONV default to 1; a pool's stride follows its size unless set. Example: stride: 2")
    static let pad = ParameterSpec(
        name: "pad", aliases: ["P"], form: .padding,
        summary: "Zero padding P on each side: N, WxH, same ((Fe - 1)/2, which keeps W and H at stride 1; odd effective size Fe only) or valid (0). Default 0. Examples: pad: 1, P: same")
    static let dilationParameter = ParameterSpec(
        name: "dilation", form: .pair(minimum: 1),
        summary: "Spacing d between filter taps: N or WxH. The effective size is Fe = d*(F - 1) + 1. Default 1. Example: dilation: 2")
    static let roundingParameter = ParameterSpec(
        name: "rounding", form: .rounding,
        summary: "This layer's rounding, overriding the file's 'rounding' and --rounding: strict, floor or ceil. Example: rounding: floor")

    /// `kernel`: the size, given or defaulted by the caller; `strideFollowsKernel`: pools step
    /// by their size unless a stride is given.
    init(_ arguments: Arguments, kernel: Pair, strideFollowsKernel: Bool) throws(Diagnostic) {
        self.kernel = kernel
        stride = arguments.pair("stride") ?? (strideFollowsKernel ? kernel : .one)
        dilation = arguments.pair("dilation") ?? .one
        rounding = arguments.rounding("rounding")
        padding = .zero
        switch arguments.padding("pad") ?? .explicit(.zero) {
        case .explicit(let pair): padding = pair
        case .valid: padding = .zero
        case .same:
            let extent = effectiveKernel
            guard extent.w % 2 == 1, extent.h % 2 == 1 else {
                throw Diagnostic(
                    RuleID.badArgument,
                    "P=same needs an odd effective filter size, but it is \(extent.text)",
                    at: arguments.location(of: "pad"),
                    help: "use an odd filter size such as 3 or 5, or give P as a number")
            }
            padding = Pair((extent.w - 1) / 2, (extent.h - 1) / 2)
        }
    }

    // MARK: Shapes

    /// The output size of a forward window over `input` (SPEC §4): rejected when a padding
    /// reaches past the filter, the filter is larger than the padded input, or, with strict
    /// rounding, the division is not exact; a rounded size is a warning.
    func output(of layer: LayerNode, input: Volume, depth: Int, context: inout ShapeContext) throws(Diagnostic) -> Volume {
        let kernel = effectiveKernel
        let rounding = self.rounding ?? context.rounding
        let name = layer.kind.rawValue
        for (axis, p, f) in [("width", padding.w, kernel.w), ("height", padding.h, kernel.h)] where p >= f {
            throw Diagnostic(
                RuleID.paddingExceedsKernel,
                "\(name) padding \(p) is not smaller than its \(f == 1 ? "" : "effective ")filter \(axis) \(f): "
                    + "some outputs would see only zeros",
                at: layer.location(of: "pad"), help: "use P=\((f - 1) / 2) to keep the size ('same'), or P=0")
        }
        let axes = [
            ("width", OutputSize(input: input.w, kernel: kernel.w, padding: padding.w, stride: stride.w)),
            ("height", OutputSize(input: input.h, kernel: kernel.h, padding: padding.h, stride: stride.h)),
        ]
        for (axis, size) in axes where size.numerator < 0 {
            throw Diagnostic(
                RuleID.invalidShape,
                "\(name) filter \(axis) \(size.kernel) is larger than the padded input \(axis) "
                    + "\(size.input) + 2·\(size.padding) = \(size.input + 2 * size.padding)",
                at: layer.location,
                help: "the input has shrunk to \(input); remove a downsampling layer before this one, use a smaller filter, or pad more")
        }
        let failing = axes.filter { !$0.1.isExact }
        if let (axis, size) = failing.first {
            let both = failing.count == 2 && failing[0].1.arithmetic == failing[1].1.arithmetic
            let which = both ? "width and height" : axis
            let fix = ShapeFix(
                layer: layer, axis: size, isWidth: axis == "width", bothAxes: both, network: context.network,
                rounding: context.rounding)
            if rounding == .strict {
                throw Diagnostic(
                    RuleID.nonIntegerOutput,
                    "\(name) output \(which) \(both ? "are" : "is") not an integer: \(size.arithmetic) = \(size.exactText)",
                    at: layer.location,
                    help: context.suggestFixes ? fix.help() : nil)
            }
            let rounded = size.size(rounding)
            let effect: String
            func lines(_ count: Int) -> String {
                let (one, many) =
                    both ? ("row and column", "rows and columns") : axis == "width" ? ("column", "columns") : ("row", "rows")
                return "\(count) \(count == 1 ? one : many)"
            }
            if rounding == .floor {
                effect = "floor ignores the last \(lines(size.remainder)) of the padded input"
            } else {
                let added = (rounded - 1) * size.stride + size.kernel - size.input - 2 * size.padding
                effect = added > 0
                    ? "ceil pads \(lines(added)) more implicitly"
                    : "ceil adds no window here: PyTorch drops one that would start in the padding"
            }
            context.diagnostics.append(
                Diagnostic(
                    RuleID.roundedOutput,
                    "\(name) output \(which) \(both ? "are" : "is") rounded: \(size.arithmetic) = \(size.exactText) → \(rounded) (\(effect))",
                    at: layer.location, severity: .warning,
                    help: context.suggestFixes ? "for an exact fit, " + fix.localFixes() : nil))
        }
        let w = axes[0].1.size(rounding)
        let h = axes[1].1.size(rounding)
        guard w >= 1, h >= 1 else {
            throw Diagnostic(
                RuleID.invalidShape, "\(name) output would be \(w)x\(h)", at: layer.location,
                help: "the input is only \(input); remove a downsampling layer before this one")
        }
        return try Volume.checked(w, h, depth, of: layer)
    }

    /// The receptive field after a forward window.
    func receptiveField(after previous: ReceptiveField) -> ReceptiveField {
        let kernel = effectiveKernel
        return ReceptiveField(
            size: (previous.size.w + Double(kernel.w - 1) * previous.jump.w,
                   previous.size.h + Double(kernel.h - 1) * previous.jump.h),
            jump: (previous.jump.w * Double(stride.w), previous.jump.h * Double(stride.h)))
    }
}

extension Volume {
    /// A layer's output volume, rejected when its element count or a side overflows.
    static func checked(_ w: Int, _ h: Int, _ d: Int, of layer: LayerNode) throws(Diagnostic) -> Volume {
        _ = try Checked(location: layer.location, what: "the output volume of \(layer.label)").multiply(w, h, d)
        guard w <= Limits.saturatedSize, h <= Limits.saturatedSize else {
            throw Checked(location: layer.location, what: "the output size of \(layer.label)").overflow
        }
        return Volume(w, h, d)
    }
}
