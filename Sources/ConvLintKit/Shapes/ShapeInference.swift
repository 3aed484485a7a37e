/// Walks the expanded network in execution order and infers every output volume, rejecting
/// what SPEC §4 rejects. Stops at the first error, since later shapes would be guesses.
struct ShapeInference {
    let layers: [LayerNode]
    let rounding: Rounding
    /// Off while `ShapeFix` tries other inputs, so that a search does not search again.
    let suggestFixes: Bool
    /// Replaces the INPUT layer's shape, for `ShapeFix` to try other sizes without copying layers.
    let inputShape: [Int]?
    private(set) var outputs: [Volume] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(layers: [LayerNode], rounding: Rounding, suggestFixes: Bool, inputShape: [Int]?) {
        self.layers = layers
        self.rounding = rounding
        self.suggestFixes = suggestFixes
        self.inputShape = inputShape
    }

    /// Output volumes of the layers up to the first error, and the findings.
    static func run(
        _ layers: [LayerNode], rounding: Rounding, suggestFixes: Bool = true, inputShape: [Int]? = nil
    ) -> (outputs: [Volume], diagnostics: [Diagnostic]) {
        var inference = ShapeInference(
            layers: layers, rounding: rounding, suggestFixes: suggestFixes, inputShape: inputShape)
        for layer in layers {
            let before = inference.diagnostics.count
            do {
                inference.outputs.append(try inference.output(of: layer))
            } catch {
                inference.diagnostics.append(error)
            }
            // A layer inside a block is reported at the body's token; say which call made it.
            for index in before..<inference.diagnostics.count {
                inference.diagnostics[index].notes += layer.calledFrom.reversed().map {
                    "in the block called at line \($0.line), column \($0.column)"
                }
            }
            if inference.outputs.count <= layer.index { break }
        }
        return (inference.outputs, inference.diagnostics)
    }

    private func volume(_ w: Int, _ h: Int, _ d: Int, at layer: LayerNode) throws(Diagnostic) -> Volume {
        _ = try Checked(location: layer.location, what: "the output volume of \(layer.label)").multiply(w, h, d)
        guard w <= Saturating.limit, h <= Saturating.limit else {
            throw Checked(location: layer.location, what: "the output size of \(layer.label)").overflow
        }
        return Volume(w, h, d)
    }

    private mutating func output(of layer: LayerNode) throws(Diagnostic) -> Volume {
        let hyper = layer.hyper
        guard layer.kind != .input else {
            let shape = inputShape ?? hyper.shape
            return try volume(shape[0], shape[1], shape[2], at: layer)
        }
        let input = outputs[layer.inputs[0]]
        switch layer.kind {
        case .input:
            fatalError("unreachable: handled above")
        case .conv, .deconv, .pool, .maxPool, .avgPool:
            return try windowed(layer, input: input)
        case .gap:
            return Volume(1, 1, input.d)
        case .fc:
            let checked = Checked(location: layer.location, what: "the weights of \(layer.label)")
            _ = try checked.multiply(input.elements, hyper.units ?? 1)
            return try volume(1, 1, hyper.units ?? 1, at: layer)
        case .flatten:
            return Volume(1, 1, input.elements)
        case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .gelu, .softmax, .batchNorm, .layerNorm, .lrn, .dropout,
            .identity:
            return input
        case .concat, .add:
            return try merge(layer)
        }
    }

    private func merge(_ layer: LayerNode) throws(Diagnostic) -> Volume {
        let volumes = layer.inputs.map { outputs[$0] }
        let first = volumes[0]
        let isConcat = layer.kind == .concat
        for (branch, other) in volumes.enumerated().dropFirst() {
            let agrees = isConcat ? (other.w == first.w && other.h == first.h) : other == first
            guard agrees else {
                let what = isConcat ? "width and height" : "all three dimensions"
                throw Diagnostic(
                    RuleID.branchMismatch,
                    "branch \(branch + 1) of this group outputs \(other), but branch 1 outputs \(first): "
                        + "\(isConcat ? "concatenation" : "a sum") needs \(what) to agree",
                    at: layer.location,
                    help: isConcat
                        ? "give every branch the same stride and 'same' padding so W and H agree"
                        : "make the branches end in the same volume, e.g. a 1x1 CONV(\(first.d)) with the same stride on the shortcut")
            }
        }
        guard isConcat else { return first }
        var depth = 0
        let checked = Checked(location: layer.location, what: "the depth of CONCAT")
        for volume in volumes { depth = try checked.add(depth, volume.d) }
        return try self.volume(first.w, first.h, depth, at: layer)
    }

    private mutating func windowed(_ layer: LayerNode, input: Volume) throws(Diagnostic) -> Volume {
        let hyper = layer.hyper
        let kernel = hyper.effectiveKernel
        let stride = hyper.stride ?? Pair(1, 1)
        let padding = hyper.padding
        let rounding = hyper.rounding ?? self.rounding
        let name = layer.kind.rawValue
        var depth = input.d
        if layer.kind == .conv || layer.kind == .deconv {
            let filters = hyper.filters ?? 1
            for (what, count) in [("input depth", input.d), ("filter count", filters)] where count % hyper.groups != 0 {
                throw Diagnostic(
                    RuleID.invalidShape, "groups=\(hyper.groups) does not divide the \(what) \(count)",
                    at: layer.location(of: "groups"),
                    help: "use a divisor of both \(input.d) and \(filters), e.g. groups=\(Self.gcd(input.d, filters))")
            }
            depth = filters
        }
        if layer.kind == .deconv {
            let output = hyper.outputPadding
            guard output.w < stride.w, output.h < stride.h else {
                throw Diagnostic(
                    RuleID.invalidShape, "output_pad \(output.text) must be smaller than the stride \(stride.text)",
                    at: layer.location(of: "output_pad"), help: "use output_pad=\(stride.w - 1) or less")
            }
            let checked = Checked(location: layer.location, what: "the output size of \(layer.label)")
            func size(_ w: Int, _ s: Int, _ p: Int, _ f: Int, _ o: Int) throws(Diagnostic) -> Int {
                try checked.add(try checked.add(try checked.multiply(w - 1, s), f + o), -2 * p)
            }
            let w = try size(input.w, stride.w, padding.w, kernel.w, output.w)
            let h = try size(input.h, stride.h, padding.h, kernel.h, output.h)
            guard w >= 1, h >= 1 else {
                throw Diagnostic(
                    RuleID.invalidShape, "\(name) output would be \(w)x\(h): the padding \(padding.text) crops everything",
                    at: layer.location(of: "pad"), help: "lower the padding")
            }
            return try volume(w, h, depth, at: layer)
        }
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
            if rounding == .strict {
                throw Diagnostic(
                    RuleID.nonIntegerOutput,
                    "\(name) output \(which) \(both ? "are" : "is") not an integer: \(size.arithmetic) = \(size.exactText)",
                    at: layer.location,
                    help: suggestFixes
                        ? ShapeFix(layer: layer, axis: size, isWidth: axis == "width", bothAxes: both, network: layers, rounding: self.rounding).help()
                        : nil)
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
            diagnostics.append(
                Diagnostic(
                    RuleID.roundedOutput,
                    "\(name) output \(which) \(both ? "are" : "is") rounded: \(size.arithmetic) = \(size.exactText) → \(rounded) (\(effect))",
                    at: layer.location, severity: .warning,
                    help: suggestFixes
                        ? "for an exact fit, " + ShapeFix(layer: layer, axis: size, isWidth: axis == "width", bothAxes: both, network: layers, rounding: self.rounding).localFixes()
                        : nil))
        }
        let w = axes[0].1.size(rounding)
        let h = axes[1].1.size(rounding)
        guard w >= 1, h >= 1 else {
            throw Diagnostic(
                RuleID.invalidShape, "\(name) output would be \(w)x\(h)", at: layer.location,
                help: "the input is only \(input); remove a downsampling layer before this one")
        }
        return try volume(w, h, depth, at: layer)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
