/// The input should be divisible by 2 as many times as the network halves it.
struct InputNotDivisible: LintRule {
    static let description = RuleDescription(
        id: "input-not-divisible", kind: .lint, severity: .warning,
        summary: "input W/H not divisible by the network's total stride, so some layers round",
        rationale: """
            The CS231n notes size inputs so that they can be halved many times (32, 64, 96, 224, 384, \
            512): with CONVs that keep W and H and POOLs that halve them, every layer then tiles its \
            input exactly. An input that is not divisible by the network's total stride leaves rows \
            and columns that some layer must drop (floor) or pad (ceil), so borders are treated \
            unevenly and sizes differ from what the table promises. The rule fires when the input \
            is not divisible and some layer rounds as a result; a network that fits exactly, such \
            as AlexNet at 227, is left alone.
            """,
        exemptions: """
            networks that fit exactly (AlexNet at 227), inputs where no layer rounds, and windows \
            over a 1x1 volume (a squeeze-excitation gate's 1x1 CONVs after GAP), which step over \
            nothing and do not count towards the total stride.
            """,
        triggering: [
            "input: 225x225x3\nrounding: floor\nnetwork: \"[CONV(16, F=3, P=1) -> RELU -> POOL]*3 -> FC(10)\""
        ],
        nonTriggering: [
            "input: 224x224x3\nrounding: floor\nnetwork: \"[CONV(16, F=3, P=1) -> RELU -> POOL]*3 -> FC(10)\"",
            "input: 227x227x3\nnetwork: CONV(96, F=11, S=4) -> RELU -> POOL(F=3, S=2) -> FC(10)",
        ])

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        guard let input = network.layers.first, network.diagnostics.contains(where: { $0.rule == RuleID.roundedOutput })
        else { return [] }
        let stride = network.totalStride
        let volume = input.output
        guard volume.w % stride.w != 0 || volume.h % stride.h != 0 else { return [] }
        let w = Self.nearest(volume.w, multipleOf: stride.w)
        let h = Self.nearest(volume.h, multipleOf: stride.h)
        return [
            finding(
                "input \(volume.w)x\(volume.h) is not divisible by the network's total stride \(stride.text), "
                    + "so layers drop or pad rows and columns",
                at: input,
                help: "an input of \(w)x\(h)x\(volume.d) is divisible by \(stride.text) and tiles every halving exactly")
        ]
    }

    /// The multiple of `step` closest to `value` (the larger one on a tie), at least `step`.
    static func nearest(_ value: Int, multipleOf step: Int) -> Int {
        let below = value / step * step
        let above = below + step
        return below >= step && value - below < above - value ? below : above
    }
}
