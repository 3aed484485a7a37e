/// Questions several rules ask about a sized network.
extension Analysis {
    /// Layers with a sliding window over W and H.
    func isSpatial(_ layer: LayerReport) -> Bool { layer.node.operation.window != nil }

    /// The first CONV in execution order, which the notes allow a large filter.
    var firstConvIndex: Int? { layers.first { $0.node.operation.forwardConvolution != nil }?.node.index }

    /// A CONV that stands in for an FC layer: only 1x1 CONVs follow it, as in the notes'
    /// FC → CONV conversion (CONV F=7, then F=1 CONVs).
    func isClassifierHead(_ layer: LayerReport) -> Bool {
        let later = layers[(layer.node.index + 1)...]
        let hasSpatialWork = later.contains { next in
            switch next.node.operation {
            case .pooling: true
            case .convolution(let conv): conv.window.kernel != .one
            case .input, .adaptivePooling, .dense, .flatten, .activation, .normalization, .dropout, .identity, .merge, .scale, .chunk, .shuffle, .upsample: false
            }
        }
        let isFollowedByConvs = later.contains { $0.node.operation.forwardConvolution != nil }
        guard let conv = layer.node.operation.forwardConvolution else { return false }
        return isFollowedByConvs && !hasSpatialWork && conv.window.padding == .zero
    }

    /// The total stride from the input to the deepest spatial layer. A window over a 1x1 input
    /// (a squeeze-excitation FC written as a 1x1 CONV after GAP) steps over nothing.
    var totalStride: Pair {
        var stride = Pair(1, 1)
        // Clamped: a hostile file's jumps may pass what an Int holds.
        func whole(_ jump: Double) -> Int { Int(min(jump.rounded(), Double(Limits.saturatedSize))) }
        for layer in layers where isSpatial(layer) && (layer.input.w > 1 || layer.input.h > 1) {
            stride.w = max(stride.w, whole(layer.receptiveField.jump.w))
            stride.h = max(stride.h, whole(layer.receptiveField.jump.h))
        }
        return stride
    }
}
