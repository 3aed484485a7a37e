/// Spatial layers that work on a volume already reduced to a line, or mostly on padding.
struct SpatialCollapse: LintRule {
    static let description = RuleDescription(
        id: "spatial-collapse", kind: .lint, severity: .warning,
        summary: "W or H has reached 1 while CONV/POOL layers follow, or a filter sees mostly padding",
        rationale: """
            Once downsampling has shrunk W or H to 1, a CONV with a larger filter or a POOL has \
            nothing left to slide over: its window covers one real value and zero padding, so its \
            weights along that axis multiply zeros. The same holds, less starkly, when the padding \
            alone is larger than the input it surrounds. The network downsamples too often for its \
            input: remove a POOL or strided layer, or feed a larger input.
            """,
        exemptions: """
            1x1 windows, which slide over nothing, and transposed CONVs, which grow their input.
            """,
        triggering: [
            "input: 32x32x3\nnetwork: \"[CONV(16, F=3, P=1) -> RELU -> POOL]*5 -> CONV(16, F=3, P=1) -> FC(10)\"",
        ],
        nonTriggering: [
            "input: 32x32x3\nnetwork: \"[CONV(16, F=3, P=1) -> RELU -> POOL]*4 -> CONV(16, F=1) -> FC(10)\"",
        ])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        network.layers.compactMap { layer in
            guard let window = layer.node.operation.forwardWindow else { return nil }
            let kernel = window.effectiveKernel
            let input = layer.input
            let collapsed = (input.w == 1 && kernel.w > 1) || (input.h == 1 && kernel.h > 1)
            let padded = 2 * window.padding.w > input.w || 2 * window.padding.h > input.h
            guard collapsed || padded else { return nil }
            let message =
                collapsed
                ? "\(layer.node.label) slides a \(kernel.area) window over a \(input.w)x\(input.h) input"
                : "\(layer.node.label) pads a \(input.w)x\(input.h) input by \(window.padding.text) on each side: "
                    + "its windows see mostly padding"
            return finding(
                message, at: layer,
                help: "the network downsamples too often for its input; remove a POOL or strided layer before this "
                    + "one, use a larger input, or a 1x1 filter here")
        }
    }
}
