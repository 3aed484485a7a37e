/// A stride-1 CONV whose padding does not keep W and H.
struct SizeChangingConv: LintRule {
    static let description = RuleDescription(
        id: "size-changing-conv", kind: .lint, severity: .warning,
        summary: "a stride-1 CONV whose padding does not keep W and H (P ≠ (F − 1)/2)",
        rationale: """
            The CS231n notes let CONV layers keep the spatial size (stride 1, P = (F − 1)/2, \
            'same') and leave downsampling to POOL layers. The architecture is then easier to reason \
            about: sizes change in one kind of layer only, and padding keeps the information at the \
            borders from washing out layer after layer. A stride-1 CONV without that padding shrinks \
            (or grows) the volume as a side effect. A CONV that stands in for an FC layer is not \
            flagged, and a deliberate 'valid' CONV (LeNet's) can be marked with \
            '# convlint: disable=size-changing-conv'.
            """,
        exemptions: """
            a CONV that stands in for an FC layer; strided CONVs, whose size change is the point; \
            and a deliberately unpadded CONV marked in the file with '# convlint: \
            disable=size-changing-conv' and its reason, as lenet5.yaml and inception-v3.yaml do.
            """,
        triggering: ["input: 32x32x3\nnetwork: CONV(16, F=5) -> RELU -> POOL"],
        nonTriggering: [
            "input: 32x32x3\nnetwork: CONV(16, F=5, P=2) -> RELU -> POOL",
            "input: 32x32x3\nnetwork: CONV(16, F=3, P=same) -> RELU -> CONV(8, F=1) -> RELU",
        ])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        network.layers.compactMap { layer in
            guard let window = layer.node.operation.forwardConvolution?.window, window.stride == Pair(1, 1),
                layer.output.w != layer.input.w || layer.output.h != layer.input.h, !network.isClassifierHead(layer)
            else { return nil }
            let extent = window.effectiveKernel
            let keeps = Pair((extent.w - 1) / 2, (extent.h - 1) / 2)
            let help =
                extent.w % 2 == 1 && extent.h % 2 == 1
                ? "P=\(keeps.text) (same) keeps \(layer.input.w)x\(layer.input.h), so that pooling alone downsamples"
                : "an even filter cannot keep the size with symmetric padding; use an odd one such as 3 or 5"
            return finding(
                "\(layer.node.label) with P=\(window.padding.text) changes \(layer.input.w)x\(layer.input.h) "
                    + "to \(layer.output.w)x\(layer.output.h) at stride 1",
                at: layer, help: help)
        }
    }
}
