/// One FC layer holding most of the parameters.
struct FCDominatesParams: LintRule {
    static let description = RuleDescription(
        id: "fc-dominates-params", kind: .lint, severity: .warning,
        summary: "one FC layer holds most of the network's parameters",
        rationale: """
            In VGG16 the first FC layer, looking at a 7x7x512 volume, holds 102.8M of the \
            network's 138M parameters, as the CS231n notes point out: memory and overfitting \
            concentrate in one layer that sees every position of the last feature map at once. \
            Later designs drop it: global average pooling (GoogLeNet, ResNet) reduces the volume to \
            1x1xD before a small classifier, with almost no loss in accuracy. Converting the FC to a \
            CONV (F = the volume's size) keeps the weights but lets the network slide over larger \
            inputs in one pass.
            """,
        exemptions: """
            an FC on a 1x1 volume (after GAP the classifier is small whatever its share), an FC \
            before the first CONV, and networks without CONVs, where the FCs are the network.
            """,
        triggering: ["input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL -> FC(256) -> RELU -> FC(10)"],
        nonTriggering: [
            "input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL -> GAP -> FC(10)",
            "input: 32x32x3\nnetwork: INPUT -> FC(10)",
        ],
        parameters: [RuleParameter(name: "threshold", defaultValue: 0.5, summary: "the share of all parameters one FC may hold")])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        let threshold = parameters["threshold"] ?? 0.5
        let total = network.totals.params
        guard total > 0, let firstConv = network.firstConvIndex else { return [] }
        return network.layers.compactMap { layer in
            let share = Double(layer.cost.params) / Double(total)
            guard case .dense(let dense) = layer.node.operation, layer.node.index > firstConv, share > threshold,
                layer.input.w * layer.input.h > 1
            else { return nil }
            let input = layer.input
            return finding(
                "\(layer.node.label) holds \(layer.cost.params.grouped) of the network's \(total.grouped) parameters "
                    + "(\(Int((share * 100).rounded()))%)",
                at: layer,
                help: "global average pooling (GAP) before it turns the \(input) volume into 1x1x\(input.d) and the FC into "
                    + "\((input.d * dense.units).grouped) weights; or write it as "
                    + "CONV(\(dense.units), F=\(Pair(input.w, input.h).text), P=0) to slide over larger inputs")
        }
    }
}
