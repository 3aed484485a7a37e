/// Questions several rules ask about a sized network.
extension Analysis {
    /// Layers with a sliding window over W and H.
    func isSpatial(_ layer: LayerReport) -> Bool { layer.node.kind.isWindowed }

    /// The first CONV in execution order, which the notes allow a large filter.
    var firstConvIndex: Int? { layers.first { $0.node.kind == .conv }?.node.index }

    /// A CONV that stands in for an FC layer: only 1x1 CONVs follow it, as in the notes'
    /// FC → CONV conversion (CONV F=7, then F=1 CONVs).
    func isClassifierHead(_ layer: LayerReport) -> Bool {
        let later = layers[(layer.node.index + 1)...]
        let hasSpatialWork = later.contains { next in
            next.node.kind.isPool || ((next.node.kind == .conv || next.node.kind == .deconv)
                && next.node.hyper.kernel != Pair(1, 1))
        }
        let isFollowedByConvs = later.contains { $0.node.kind == .conv }
        return layer.node.kind == .conv && isFollowedByConvs && !hasSpatialWork && layer.node.hyper.padding == Pair(0, 0)
    }

    /// The total stride from the input to the deepest spatial layer.
    var totalStride: Pair {
        var stride = Pair(1, 1)
        for layer in layers where isSpatial(layer) {
            stride.w = max(stride.w, Int(layer.receptiveField.jump.w.rounded()))
            stride.h = max(stride.h, Int(layer.receptiveField.jump.h.rounded()))
        }
        return stride
    }
}

extension LayerKind {
    /// Kinds whose output is a linear function of their input (at inference), which lets two
    /// CONV/FC layers around them collapse into one.
    var isLinear: Bool {
        switch self {
        case .batchNorm, .layerNorm, .avgPool, .gap, .dropout, .flatten, .identity, .concat, .add: true
        default: false
        }
    }

    var isAffine: Bool { self == .conv || self == .deconv || self == .fc }
}
