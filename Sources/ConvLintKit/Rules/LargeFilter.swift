/// A CONV larger than 5x5 past the first layer: a stack of 3x3 CONVs sees as far for less.
struct LargeFilter: LintRule {
    static let description = RuleDescription(
        id: "large-filter", kind: .lint, severity: .warning,
        summary: "a CONV larger than 5x5 anywhere but the first CONV",
        rationale: """
            The CS231n notes prefer a stack of small CONVs to one large one. Three 3x3 CONVs see a \
            7x7 region of their input, like one 7x7 CONV, but with nonlinearities between them the \
            stack can express more, and it needs 3·(C·3·3·C) = 27C² weights against 49C² for the \
            7x7. Large filters are kept for the first layer only (ZF Net's 7x7, AlexNet's 11x11), \
            where they trade expressiveness for memory at full resolution.
            """,
        exemptions: """
            a CONV that stands in for an FC layer (a 7x7 CONV over a 7x7 volume followed by 1x1 \
            CONVs, the notes' FC → CONV conversion); factorised filters with a side of 1 (Inception \
            v3's 1x7 and 7x1), which already are the cure: 7C² weights each, less than the 3x3 \
            stack's 27C²; and depthwise CONVs (groups = input depth, ConvNeXt's 7x7, \
            EfficientNet's 5x5), whose C·F² weights are not the notes' C²·F² and cost little.
            """,
        triggering: [
            "input: 56x56x64\nnetwork: INPUT -> CONV(64, F=3, P=1) -> RELU -> CONV(64, F=7, P=3) -> RELU",
        ],
        nonTriggering: [
            "input: 56x56x64\nnetwork: \"INPUT -> CONV(64, F=3, P=1) -> RELU -> [CONV(64, F=3, P=1) -> RELU]*3\"",
            "input: 17x17x128\nnetwork: INPUT -> CONV(128, F=3, P=1) -> RELU -> CONV(128, F=7x1, P=same) -> RELU -> CONV(128, F=1x7, P=same)",
            "input: 56x56x96\nnetwork: INPUT -> CONV(96, F=3, P=1) -> RELU -> CONV(96, F=7, P=3, groups=96)",
            "input: 224x224x3\nnetwork: INPUT -> CONV(64, F=7, S=2, P=3) -> RELU -> CONV(64, F=3, P=1)",
            "input: 7x7x512\nnetwork: CONV(64, F=3, P=1) -> CONV(4096, F=7, P=0) -> RELU -> CONV(1000, F=1)",
        ],
        parameters: [RuleParameter(name: "max_size", defaultValue: 5, summary: "the largest filter side allowed past the first CONV")])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        let limit = Int(parameters["max_size"] ?? 5)
        return network.layers.compactMap { layer in
            guard let conv = layer.node.operation.forwardConvolution else { return nil }
            let kernel = conv.window.kernel
            let isFactorised = min(kernel.w, kernel.h) == 1
            let isDepthwise = conv.groups > 1 && conv.groups == layer.input.d
            guard max(kernel.w, kernel.h) > limit, !isFactorised, !isDepthwise,
                layer.node.index != network.firstConvIndex, !network.isClassifierHead(layer)
            else { return nil }
            let side = max(kernel.w, kernel.h)
            let count = side / 2  // 3x3 layers whose stacked field 1 + 2n covers the filter
            let depth = layer.input.d / conv.groups
            let filters = conv.filters
            let stack = 9 * depth * filters + (count - 1) * 9 * filters * filters / conv.groups
            // Only where the stack saves weights (a 7x3 filter's 21C² beats it).
            guard stack < layer.cost.weights else { return nil }
            let field = 1 + 2 * count
            return finding(
                "\(layer.node.label) uses a \(kernel.area) filter past the first layer", at: layer,
                help: "\(count) stacked 3x3 CONVs (with RELUs between) see \(field)x\(field) with "
                    + "\(stack.grouped) weights instead of \(layer.cost.weights.grouped)"
                    + (kernel == Pair(7, 7) && depth == filters ? " (27C² versus 49C²)" : ""))
        }
    }
}
