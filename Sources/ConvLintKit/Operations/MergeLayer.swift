/// CONCAT, ADD and MUL: the merge row of a `( | )`, `( + )` or `( * )` group, reading every
/// branch's output.
public struct MergeLayer: LayerOperation, Equatable {
    public enum Mode: Sendable, Equatable {
        /// Stacks the branches along the depth.
        case concat
        /// Sums them elementwise, into the first branch's buffer.
        case add
        /// Multiplies them elementwise into a new tensor, a branch of 1x1xC scaling every
        /// position of WxHxC (squeeze-excitation's gate), as `x * scale` does in PyTorch.
        case multiply
    }

    public var mode: Mode

    static let kinds = [
        KindDefinition(
            kind: .concat, parameters: [], isCallable: false, defaultsSummary: "CONCAT comes from ( | ) groups only.",
            frameworkNames: ["Concatenate", "Concat", "Cat"],
            make: { _ throws(Diagnostic) in .merge(MergeLayer(mode: .concat)) }),
        KindDefinition(
            kind: .add, parameters: [], isCallable: false, defaultsSummary: "ADD comes from ( + ) groups only.",
            frameworkNames: ["Add", "Sum"],
            make: { _ throws(Diagnostic) in .merge(MergeLayer(mode: .add)) }),
        KindDefinition(
            kind: .multiply, parameters: [], isCallable: false, defaultsSummary: "MUL comes from ( * ) groups only.",
            frameworkNames: ["Multiply", "Mul", "SqueezeExcitation"],
            make: { _ throws(Diagnostic) in .merge(MergeLayer(mode: .multiply)) }),
    ]

    var kind: LayerKind {
        switch mode {
        case .concat: .concat
        case .add: .add
        case .multiply: .multiply
        }
    }

    var label: String { kind.rawValue }

    var storage: OutputStorage {
        switch mode {
        case .concat, .multiply: .own
        case .add: .inPlace
        }
    }

    /// A product of two branches is bilinear, not linear.
    var linearity: Linearity { mode == .multiply ? .nonlinear : .linear }
    /// A product's gradient with respect to each factor is the other factor.
    var saved: SavedForBackward { mode == .multiply ? SavedForBackward(allInputs: true) : .nothing }

    func output(of layer: LayerNode, inputs volumes: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        if mode == .multiply { return try broadcast(volumes, at: layer) }
        let first = volumes[0]
        let isConcat = mode == .concat
        for (branch, other) in volumes.enumerated().dropFirst() {
            let sameSize = other.w == first.w && other.h == first.h
            guard sameSize && (isConcat || other.d == first.d) else {
                let what = isConcat ? "width and height" : "all three dimensions"
                var diagnostic = Diagnostic(
                    RuleID.branchMismatch,
                    "branch \(branch + 1) of this group outputs \(other), but branch 1 outputs \(first): "
                        + "\(isConcat ? "concatenation" : "a sum") needs \(what) to agree",
                    at: layer.location,
                    help: "end branch \(branch + 1) in \(first.d) channels, e.g. with a 1x1 CONV(\(first.d)) (a projection shortcut)")
                if !sameSize {
                    diagnostic.help = "give every branch the same stride and 'same' padding so W and H agree"
                    if let divergence = BranchDivergence(merge: layer, odd: branch, reference: 0, context: context) {
                        diagnostic.notes.append("the sizes part at \(divergence.name): \(divergence.arithmetic)")
                        if let fix = divergence.fix {
                            diagnostic.help = "set \(fix) on \(divergence.name): it then gives "
                                + "\(divergence.wanted.w)x\(divergence.wanted.h), as the other branch does"
                        }
                    }
                }
                throw diagnostic
            }
        }
        guard isConcat else { return first }
        var depth = 0
        let checked = Checked(location: layer.location, what: "the depth of CONCAT")
        for volume in volumes { depth = try checked.add(depth, volume.d) }
        return try Volume.checked(first.w, first.h, depth, of: layer)
    }

    /// The volume the branches broadcast to: each side is the largest, and every branch has it
    /// or 1 there (the depth must agree), as PyTorch broadcasts `x * scale`.
    private func broadcast(_ volumes: [Volume], at layer: LayerNode) throws(Diagnostic) -> Volume {
        let result = Volume(volumes.map(\.w).max()!, volumes.map(\.h).max()!, volumes.map(\.d).max()!)
        for (branch, volume) in volumes.enumerated() {
            let fits = (volume.w == result.w || volume.w == 1) && (volume.h == result.h || volume.h == 1) && volume.d == result.d
            guard fits else {
                let widest = volumes.firstIndex { $0 == result } ?? 0
                throw Diagnostic(
                    RuleID.branchMismatch,
                    "branch \(branch + 1) of this product outputs \(volume), which does not broadcast against "
                        + "\(result): a product needs each side equal or 1, and the depths equal",
                    at: layer.location,
                    help: volume.d != result.d
                        ? "end branch \(branch + 1) in \(result.d) channels, e.g. CONV(\(result.d), F=1) before its SIGMOID"
                        : "make branch \(branch + 1) keep \(result.w)x\(result.h) (branch \(widest + 1)'s), or end it in GAP for a per-channel gate")
            }
        }
        return result
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        switch mode {
        case .concat: break
        case .add, .multiply: cost.otherOps = try checked.multiply(output.elements, inputs.count - 1)
        }
        return cost
    }

    /// The widest field of the branches. A product's outputs lie on its full-size branch's
    /// grid, the finest of its branches (a gate's GAP sees the whole input, with the largest
    /// jump); a sum's or concatenation's branches share one grid, so the largest jump is theirs.
    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        let (w, h) = (inputs.map(\.jump.w), inputs.map(\.jump.h))
        return ReceptiveField(
            size: (inputs.map(\.size.w).max()!, inputs.map(\.size.h).max()!),
            jump: mode == .multiply ? (w.min()!, h.min()!) : (w.max()!, h.max()!))
    }
}

extension LayerKind {
    static let concat = LayerKind(declaring: "CONCAT")
    static let add = LayerKind(declaring: "ADD")
    static let multiply = LayerKind(declaring: "MUL")
}
