/// A 3x3 stride-2 pool that does not tile its input without padding.
struct OverlappingPoolFit: LintRule {
    static let description = RuleDescription(
        id: "overlapping-pool-fit", kind: .lint, severity: .warning,
        summary: "a 3x3/2 pool whose input needs padding to fit",
        rationale: """
            Overlapping 3x3 pooling with stride 2 (AlexNet's) tiles an input exactly only when \
            W − 3 + 2P is even, that is when W is odd: the CS231n notes' example is a 32x32 input, \
            which needs padding. Symmetric padding adds an even number, so only one extra row and \
            column on one side, or an odd input size, makes it fit. Otherwise the last row and \
            column are dropped (floor, PyTorch's default) or a window hangs over the edge (ceil \
            mode, Caffe), and the two frameworks disagree on the output size. The rule replaces \
            the general rounded-output warning at such a pool with this explanation.
            """,
        exemptions: """
            a pool whose dropped row and column are padding, not input (ResNet's and DenseNet's \
            stem pool, 3x3/2 with P=1 on 112: every input pixel is still read), and ceil rounding \
            (GoogLeNet's pools), whose extra window reads every pixel; the rounded-output warning \
            still says what the rounding does.
            """,
        triggering: ["input: 32x32x16\nrounding: floor\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL(F=3, S=2)"],
        nonTriggering: [
            "input: 33x33x16\nrounding: floor\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL(F=3, S=2)",
            "input: 112x112x64\nrounding: floor\nnetwork: POOL(F=3, S=2, P=1)",
            "input: 32x32x16\nrounding: ceil\nnetwork: CONV(16, F=3, P=1) -> RELU -> POOL(F=3, S=2)",
            "input: 55x55x16\nnetwork: POOL(F=3, S=2)",
        ])

    /// The rounded-output findings this rule explains better.
    static func supersedes(_ diagnostic: Diagnostic, _ findings: [Diagnostic]) -> Bool {
        diagnostic.rule == RuleID.roundedOutput && findings.contains { $0.location == diagnostic.location }
    }

    func check(_ network: Analysis, parameters: [String: Double]) -> [Diagnostic] {
        network.layers.compactMap { layer in
            guard case .pooling(let pool) = layer.node.operation else { return nil }
            let window = pool.window
            guard window.kernel == Pair(3, 3), window.stride == Pair(2, 2) else { return nil }
            // Only floor drops anything, and it drops the last row and column of the padded
            // input: a loss only when they are input, not padding.
            guard (window.rounding ?? network.rounding) == .floor else { return nil }
            let padding = window.padding.w
            let widths = [layer.input.w, layer.input.h]
            guard let size = widths.first(where: { ($0 - 3 + 2 * padding) % 2 > padding }) else { return nil }
            return finding(
                "\(layer.node.label) does not tile \(size): (\(size) − 3 + 2·\(padding))/2 + 1 = "
                    + OutputSize(input: size, kernel: 3, padding: padding, stride: 2).exactText,
                at: layer,
                help: "no symmetric padding fits, since \(size) − 3 + 2P is odd for every P; an input of "
                    + "\(size - 1) or \(size + 1) here fits, as does one extra row and column of padding on one side "
                    + "(what ceil mode does)")
        }
    }
}
