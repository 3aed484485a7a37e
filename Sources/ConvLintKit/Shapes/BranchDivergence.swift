/// Why two branches of a group end at different widths and heights: the layer that set the
/// odd branch's size (the last one in it that changes W or H), and the change to that layer
/// that makes the branches agree, computed from its numbers.
struct BranchDivergence {
    /// The layer that set the size, and the size it must give instead.
    let culprit: LayerNode
    let wanted: (w: Int, h: Int)
    /// `P=1`, `output_pad=1`, `S=1`: the argument to set so that the culprit gives `wanted`;
    /// nil when no single argument does it.
    let fix: String?
    /// `(56 − 3 + 2·0)/1 + 1 = 54`: how the culprit arrived at its size.
    let arithmetic: String

    /// Between branch `odd` and branch `reference` of the merge `merge`.
    init?(merge: LayerNode, odd: Int, reference: Int, context: ShapeContext) {
        let outputs = context.outputs
        let network = context.network
        // Each branch: its layers from the end back to the group's input, the first layer that
        // both branches reach through first inputs.
        func ancestry(_ index: Int) -> [Int] {
            var chain = [index]
            while let next = network[chain.last!].inputs.first { chain.append(next) }
            return chain
        }
        let referenceAncestry = ancestry(merge.inputs[reference])
        let oddAncestry = ancestry(merge.inputs[odd])
        let shared = Set(referenceAncestry).intersection(oddAncestry)
        func branch(_ chain: [Int]) -> [Int] { Array(chain.prefix { !shared.contains($0) }.reversed()) }
        func size(_ index: Int) -> (w: Int, h: Int) { (outputs[index].w, outputs[index].h) }
        func changesSize(_ index: Int) -> Bool {
            guard let input = network[index].inputs.first else { return false }
            return size(input) != size(index)
        }
        // The branch whose size some layer changed to something the other does not have.
        for (own, other) in [(odd, reference), (reference, odd)] {
            let layers = branch(own == odd ? oddAncestry : referenceAncestry)
            guard let last = layers.last(where: changesSize) else { continue }
            let node = network[last]
            culprit = node
            wanted = size(merge.inputs[other])
            arithmetic = Self.arithmetic(of: node, input: outputs[node.inputs[0]], output: outputs[last])
            // Later layers of the branch keep W and H, so the culprit must give the other size.
            fix = Self.fix(for: node, input: outputs[node.inputs[0]], wanted: wanted, rounding: context.rounding)
            return
        }
        return nil
    }

    private static func arithmetic(of node: LayerNode, input: Volume, output: Volume) -> String {
        switch node.operation {
        case .convolution(let conv) where conv.transposed:
            let window = conv.window
            return "(\(input.w) − 1)·\(window.stride.w) − 2·\(window.padding.w) + \(window.effectiveKernel.w)"
                + (conv.outputPadding.w > 0 ? " + \(conv.outputPadding.w)" : "") + " = \(output.w)"
        case .convolution(let conv):
            return OutputSize(
                input: input.w, kernel: conv.window.effectiveKernel.w, padding: conv.window.padding.w, stride: conv.window.stride.w
            ).arithmetic + " = \(output.w)"
        case .pooling(let pool):
            return OutputSize(
                input: input.w, kernel: pool.window.effectiveKernel.w, padding: pool.window.padding.w, stride: pool.window.stride.w
            ).arithmetic + " = \(output.w)"
        case .input, .adaptivePooling, .dense, .flatten, .activation, .normalization, .dropout, .identity, .merge, .scale,
            .chunk, .shuffle, .upsample:
            return "\(input.w)x\(input.h) → \(output.w)x\(output.h)"
        }
    }

    /// The nearest padding (then stride) that gives `wanted` on both axes, or DECONV's
    /// output_pad; a resize's target size.
    private static func fix(for node: LayerNode, input: Volume, wanted: (w: Int, h: Int), rounding: Rounding) -> String? {
        let target = "\(wanted.w)x\(wanted.h)"
        switch node.operation {
        case .convolution(let conv) where conv.transposed:
            let window = conv.window
            func base(_ w: Int, _ s: Int, _ p: Int, _ f: Int) -> Int { (w - 1) * s - 2 * p + f }
            let extra = (
                wanted.w - base(input.w, window.stride.w, window.padding.w, window.effectiveKernel.w),
                wanted.h - base(input.h, window.stride.h, window.padding.h, window.effectiveKernel.h))
            guard extra.0 >= 0, extra.1 >= 0, extra.0 < window.stride.w, extra.1 < window.stride.h else { return nil }
            return "output_pad=\(extra.0 == extra.1 ? "\(extra.0)" : "\(extra.0)x\(extra.1)")"
        case .convolution(let conv):
            return windowFix(conv.window, input: input, wanted: wanted, rounding: conv.window.rounding ?? rounding)
        case .pooling(let pool):
            return windowFix(pool.window, input: input, wanted: wanted, rounding: pool.window.rounding ?? rounding)
        case .upsample, .adaptivePooling:
            return "size=\(target)"
        case .input, .dense, .flatten, .activation, .normalization, .dropout, .identity, .merge, .scale, .chunk, .shuffle:
            return nil
        }
    }

    private static func windowFix(
        _ window: SlidingWindow, input: Volume, wanted: (w: Int, h: Int), rounding: Rounding
    ) -> String? {
        let kernel = window.effectiveKernel
        func gives(_ size: Int, _ k: Int, _ p: Int, _ s: Int, _ want: Int) -> Bool {
            let axis = OutputSize(input: size, kernel: k, padding: p, stride: s)
            guard axis.numerator >= 0, rounding != .strict || axis.isExact else { return false }
            return axis.size(rounding) == want
        }
        func nearestPadding(_ size: Int, _ k: Int, _ p: Int, _ s: Int, _ want: Int) -> Int? {
            (0..<k).filter { gives(size, k, $0, s, want) }.min { abs($0 - p) < abs($1 - p) }
        }
        if let pw = nearestPadding(input.w, kernel.w, window.padding.w, window.stride.w, wanted.w),
            let ph = nearestPadding(input.h, kernel.h, window.padding.h, window.stride.h, wanted.h)
        {
            return "P=\(pw == ph ? "\(pw)" : "\(pw)x\(ph)")"
        }
        let strides = (1...max(1, 2 * max(window.stride.w, window.stride.h))).filter {
            gives(input.w, kernel.w, window.padding.w, $0, wanted.w) && gives(input.h, kernel.h, window.padding.h, $0, wanted.h)
        }
        return strides.first.map { "S=\($0)" }
    }

    /// `CONV3-256 (line 12, column 5)`.
    var name: String { "\(culprit.label) (line \(culprit.location.line), column \(culprit.location.column))" }
}
