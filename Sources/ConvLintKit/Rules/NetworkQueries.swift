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
