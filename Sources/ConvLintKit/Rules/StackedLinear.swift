/// Two CONV/FC layers with no nonlinearity between them.
struct StackedLinear: LintRule {
    static let description = RuleDescription(
        id: "stacked-linear", kind: .lint, severity: .warning,
        summary: "two CONV/FC layers with no nonlinearity between them (BN is not one)",
        rationale: """
            A CONV or FC layer is a linear map, and so are BN (at inference), average pooling, \
            dropout, flattening and the sum or concatenation of branches. Two such layers with \
            only linear layers between them compose into one linear map: the second adds \
            parameters and compute but no expressive power, as the CS231n notes point out. Put an \
            activation such as RELU between them, or merge them into one layer.
            """,
        triggering: [
            "input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> BN -> CONV(16, F=3, P=1) -> RELU",
            "input: 8x8x16\nnetwork: GAP -> FC(64) -> DROPOUT(0.5) -> FC(10)",
        ],
        nonTriggering: [
            "input: 32x32x3\nnetwork: CONV(16, F=3, P=1) -> BN -> RELU -> CONV(16, F=3, P=1) -> RELU",
            "input: 8x8x16\nnetwork: (CONV(16, F=3, P=1) -> BN -> RELU -> CONV(16, F=3, P=1) -> BN + ID) -> RELU -> CONV(8, F=1)",
        ])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        // The CONV/FC whose output reaches each layer through linear layers only, if any.
        var linearSource = [Int?](repeating: nil, count: network.layers.count)
        var findings = [Diagnostic]()
        for layer in network.layers {
            let node = layer.node
            let source = node.inputs.lazy.compactMap { linearSource[$0] }.first
            switch node.operation.linearity {
            case .affine:
                if let source {
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
}
