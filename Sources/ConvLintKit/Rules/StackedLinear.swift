/// Two CONV/FC layers with no nonlinearity between them.
struct StackedLinear: LintRule {
    static let description = RuleDescription(
        id: "stacked-linear", kind: .lint, severity: .warning,
        summary: "two CONV/FC layers with no nonlinearity between them (BN is not one)",
        rationale: """
            A CONV or FC layer is a linear map, and so are BN (at inference), average pooling, \
            dropout and flattening. Two such layers with only linear layers between them compose \
            into one linear map: the second adds parameters and compute but no expressive power, \
            as the CS231n notes point out. Put an activation such as RELU between them, or merge \
            them into one layer. A factorisation is different: a depthwise CONV followed by a \
            pointwise one, a 1x7 followed by a 7x1, or a bottleneck no wider than the layers around it \
            composes into a map that would need more parameters as one layer, which is why \
            MobileNet, ShuffleNet and EfficientNet build them on purpose.
            """,
        exemptions: """
            factorisations: a grouped or depthwise CONV on either side (separable convolutions), \
            a 1xN CONV and an Nx1 CONV, and a layer no wider than both the input of the first and \
            the output of the second (MobileNetV2's and EfficientNet's linear bottlenecks, also the \
            blocks with an expansion factor of 1, whose projection keeps the width); layers \
            separated by LN or LRN, which normalise by each sample's own statistics and so are not \
            linear; and a sum or concatenation whose branches do not all come from the same layer \
            (a residual shortcut or a U-Net skip), since the second layer then also reads the other \
            branch and the two cannot be merged.
            """,
        triggering: [
            "input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> BN -> CONV(16, F=3, P=1) -> RELU",
            "input: 8x8x16\nnetwork: GAP -> FC(64) -> DROPOUT(0.5) -> FC(10)",
        ],
        nonTriggering: [
            "input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> BN -> RELU -> CONV(16, F=3, P=1) -> RELU",
            "input: 8x8x16\nnetwork: (CONV(16, F=3, P=1) -> BN -> RELU -> CONV(16, F=3, P=1) -> BN + ID) -> RELU -> CONV(8, F=1)",
            "input: 28x28x32\nnetwork: CONV(32, F=3, P=1, groups=32) -> BN -> CONV(64, F=1) -> BN -> RELU",
            "input: 14x14x96\nnetwork: CONV(24, F=1) -> BN -> CONV(144, F=1) -> BN -> RELU",
            "input: 16x16x64\nnetwork: CONV(64, F=3, P=1) -> LN(over=channels) -> FC(256, per_pixel=true) -> GELU",
            "input: 16x16x8\nnetwork: CONV(8, F=3, P=1) -> RELU -> (ID | CONV(8, F=3, P=1) -> BN) -> CONV(8, F=3, P=1) -> RELU",
        ])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        // The CONV/FC whose output reaches each layer through linear layers only, if any; a
        // merge passes one on only when every branch carries the same one.
        var linearSource = [Int?](repeating: nil, count: network.layers.count)
        var findings = [Diagnostic]()
        for layer in network.layers {
            let node = layer.node
            let sources = node.inputs.map { linearSource[$0] }
            let source = sources.first.flatMap { first in sources.allSatisfy { $0 == first } ? first : nil }
            switch node.operation.linearity {
            case .affine:
                if let source, !Self.isFactorisation(network.layers[source], then: layer) {
                    let previous = network.layers[source]
                    findings.append(
                        finding(
                            "\(node.label) follows \(previous.node.label) (line \(previous.node.location.line)) "
                                + "with no nonlinearity between: the two compose into one linear map",
                            at: layer,
                            help: "add a RELU after \(previous.node.label), or merge the two layers into one"))
                }
                linearSource[node.index] = node.index
            case .linear:
                linearSource[node.index] = source
            case .nonlinear:
                break
            }
        }
        return findings
    }

    /// Whether two affine layers factorise a larger map on purpose: separable (grouped or
    /// depthwise), spatially factorised (1xN then Nx1), or a bottleneck no wider than both ends.
    static func isFactorisation(_ first: LayerReport, then second: LayerReport) -> Bool {
        func grouped(_ layer: LayerReport) -> Bool {
            if case .convolution(let conv) = layer.node.operation { return conv.groups > 1 }
            return false
        }
        func kernel(_ layer: LayerReport) -> Pair? { layer.node.operation.window?.kernel }
        if grouped(first) || grouped(second) { return true }
        if let a = kernel(first), let b = kernel(second), a.w == 1 || a.h == 1, b.w == 1 || b.h == 1,
            a != b, a != .one, b != .one
        {
            return true
        }
        let inputWidth = first.node.operation.isFlattening ? first.input.elements : first.input.d
        return first.output.d <= min(inputWidth, second.output.d)
    }
}
