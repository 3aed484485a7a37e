/// A pooling window above 3: too destructive.
struct DestructivePool: LintRule {
    static let description = RuleDescription(
        id: "destructive-pool", kind: .lint, severity: .warning,
        summary: "a pooling window larger than 3x3",
        rationale: """
            The CS231n notes see two pooling settings in practice: 2x2 windows with stride 2, which \
            already discard 75% of the activations, and overlapping 3x3 windows with stride 2. \
            Larger windows throw away too much of the spatial information at once. Pooling over the \
            whole volume is a different thing, global average pooling, and is not flagged; write it \
            as GAP.
            """,
        exemptions: """
            global pooling, a window as large as the volume (write it as GAP), and 3x3 windows \
            (AlexNet's overlapping pools).
            """,
        triggering: ["input: 32x32x16\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL(F=4, S=4) -> FC(10)"],
        nonTriggering: [
            "input: 32x32x16\nnetwork: \"[CONV(16, F=3, P=1) -> RELU -> POOL]*2 -> FC(10)\"",
            "input: 7x7x512\nnetwork: AVGPOOL(7) -> FC(10)",
        ],
        parameters: [RuleParameter(name: "max_size", defaultValue: 3, summary: "the largest pooling window side")])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        let limit = Int(parameters["max_size"] ?? 3)
        return network.layers.compactMap { layer in
            guard case .pooling(let pool) = layer.node.operation else { return nil }
            let kernel = pool.window.kernel
            let isGlobal = kernel.w >= layer.input.w && kernel.h >= layer.input.h
            guard max(kernel.w, kernel.h) > limit, !isGlobal else { return nil }
            return finding(
                "\(layer.node.label) pools \(kernel.area) windows, larger than \(limit)x\(limit)", at: layer,
                help: "pool 2x2 with stride 2 (or 3x3 with stride 2) and repeat it, with CONVs between, to downsample further")
        }
    }
}
