/// CONCAT and ADD: the merge row of a `( | )` or `( + )` group, reading every branch's output.
public struct MergeLayer: LayerOperation, Equatable {
    public enum Mode: Sendable, Equatable {
        /// Stacks the branches along the depth.
        case concat
        /// Sums them elementwise, into the first branch's buffer.
        case add
    }

    public var mode: Mode

    static let kinds = [
        KindDefinition(
            kind: .concat, parameters: [], isCallable: false, defaultsSummary: "CONCAT comes from ( | ) groups only.",
            make: { _ throws(Diagnostic) in .merge(MergeLayer(mode: .concat)) }),
        KindDefinition(
            kind: .add, parameters: [], isCallable: false, defaultsSummary: "ADD comes from ( + ) groups only.",
            make: { _ throws(Diagnostic) in .merge(MergeLayer(mode: .add)) }),
    ]

    var kind: LayerKind { mode == .concat ? .concat : .add }
    var label: String { kind.rawValue }
    var storage: OutputStorage { mode == .concat ? .own : .inPlace }
    var linearity: Linearity { .linear }
    var saved: SavedForBackward { .nothing }

    func output(of layer: LayerNode, inputs volumes: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume {
        let first = volumes[0]
        let isConcat = mode == .concat
        for (branch, other) in volumes.enumerated().dropFirst() {
            let agrees = isConcat ? (other.w == first.w && other.h == first.h) : other == first
            guard agrees else {
                let what = isConcat ? "width and height" : "all three dimensions"
                throw Diagnostic(
                    RuleID.branchMismatch,
                    "branch \(branch + 1) of this group outputs \(other), but branch 1 outputs \(first): "
                        + "\(isConcat ? "concatenation" : "a sum") needs \(what) to agree",
                    at: layer.location,
                    help: isConcat
                        ? "give every branch the same stride and 'same' padding so W and H agree"
                        : "make the branches end in the same volume, e.g. a 1x1 CONV(\(first.d)) with the same stride on the shortcut")
            }
        }
        guard isConcat else { return first }
        var depth = 0
        let checked = Checked(location: layer.location, what: "the depth of CONCAT")
        for volume in volumes { depth = try checked.add(depth, volume.d) }
        return try Volume.checked(first.w, first.h, depth, of: layer)
    }

    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = LayerCost()
        if mode == .add { cost.otherOps = try checked.multiply(output.elements, inputs.count - 1) }
        return cost
    }

    /// The widest field of the branches.
    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        ReceptiveField(
            size: (inputs.map(\.size.w).max()!, inputs.map(\.size.h).max()!),
            jump: (inputs.map(\.jump.w).max()!, inputs.map(\.jump.h).max()!))
    }
}

extension LayerKind {
    static let concat = LayerKind(declaring: "CONCAT")
    static let add = LayerKind(declaring: "ADD")
}
