/// A CONV with stride above 1: worth knowing, fine when it replaces pooling.
struct StridedConv: LintRule {
    static let description = RuleDescription(
        id: "strided-conv", kind: .lint, severity: .info,
        summary: "a CONV with stride > 1 (fine when it replaces pooling)",
        rationale: """
            The CS231n notes' default design keeps CONVs at stride 1 and downsamples with POOL. \
            Some designs downsample with strided CONVs instead (the All-Convolutional Net, GANs, \
            VAEs, ResNet), which is fine and saves a layer; a stride-S CONV computes 1/S² of the \
            positions a stride-1 CONV would. This note marks where the network downsamples that \
            way, so that it is a choice and not an accident.
            """,
        exemptions: """
            anything it would be wrong to mark: it is an info note, not a warning, so that every \
            downsampling by a strided CONV (ResNet's stem, EfficientNet's depthwise stages) is \
            visibly a choice; turn it off with 'strided-conv: off' in .convlint.yml.
            """,
        triggering: ["input: 32x32x3\nnetwork: CONV(16, F=2, S=2) -> RELU"],
        nonTriggering: ["input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL"])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        network.layers.compactMap { layer in
            guard let stride = layer.node.operation.forwardConvolution?.window.stride, stride != Pair(1, 1) else {
                return nil
            }
            return finding(
                "\(layer.node.label) downsamples \(layer.input.w)x\(layer.input.h) to "
                    + "\(layer.output.w)x\(layer.output.h) with stride \(stride.text)",
                at: layer)
        }
    }
}
