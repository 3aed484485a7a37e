/// The notes' way of writing a row's figures, shared by the text and markdown tables.
enum LayerColumns {
    /// `224*224*64=3.2M`.
    static func memory(_ layer: LayerReport) -> String {
        guard layer.cost.activations > 0 else { return "0" }
        if layer.output.w == 1, layer.output.h == 1 { return layer.cost.activations.notesStyle }
        return "\(layer.output.product)=\(layer.cost.activations.notesStyle)"
    }

    /// `(3*3*3)*64 = 1,728`, or `7*7*512*4096 = 102,760,448` for FC.
    static func weights(_ layer: LayerReport) -> String {
        let weights = layer.cost.weights
        guard weights > 0 else { return "0" }
        let hyper = layer.node.hyper
        switch layer.node.kind {
        case .conv, .deconv:
            let kernel = hyper.kernel ?? Pair(1, 1)
            let filters = hyper.filters ?? 1
            let depth = layer.input.d / hyper.groups
            return "(\(kernel.w)*\(kernel.h)*\(depth))*\(filters) = \(weights.grouped)"
        case .fc:
            let input = layer.input
            let volume = input.w == 1 && input.h == 1 ? "\(input.d)" : input.product
            return "\(volume)*\(hyper.units ?? 1) = \(weights.grouped)"
        default:
            return weights.grouped
        }
    }

    /// `7` or `7x3`, and fractions only where a DECONV made them.
    static func receptiveField(_ layer: LayerReport) -> String {
        let size = layer.receptiveField.size
        return size.w == size.h ? number(size.w) : "\(number(size.w))x\(number(size.h))"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Rows a table shows: in-place activations change nothing a reader of the table needs.
    static func isShown(_ layer: LayerReport, allLayers: Bool) -> Bool {
        allLayers || !(layer.node.kind.isActivation && layer.node.hyper.inplace)
    }
}
