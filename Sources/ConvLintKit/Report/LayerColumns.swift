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
        switch layer.node.operation {
        case .convolution(let conv):
            let kernel = conv.window.kernel
            return "(\(kernel.w)*\(kernel.h)*\(layer.input.d / conv.groups))*\(conv.filters) = \(weights.grouped)"
        case .dense(let dense):
            let input = layer.input
            let volume = input.w == 1 && input.h == 1 ? "\(input.d)" : input.product
            return "\(volume)*\(dense.units) = \(weights.grouped)"
        case .input, .pooling, .adaptivePooling, .flatten, .activation, .normalization, .dropout, .identity, .merge, .scale, .chunk, .shuffle, .upsample:
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
        allLayers || !layer.node.isInPlaceActivation
    }
}

extension LayerNode {
    /// An activation that overwrites its input: the table hides its row unless asked.
    var isInPlaceActivation: Bool {
        if case .activation(let activation) = operation { return activation.inplace }
        return false
    }
}
