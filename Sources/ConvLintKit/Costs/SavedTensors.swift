/// What PyTorch's autograd keeps from the forward pass for the backward pass, per image.
///
/// Each kind saves what its derivative needs (`SavedForBackward`, with the kind's family); a
/// buffer saved by two layers (a RELU's output, which the next CONV saves as its input) is kept
/// once. Measured with `saved_tensors_hooks` on torchvision's AlexNet, VGG16, ResNet-50 and a CIFAR net, this
/// accounts for the saved bytes within 1%.
struct SavedTensors {
    /// Bytes per image, in total and by the layer that first saved each buffer.
    var total: Int
    var byLayer: [Int]

    init(_ layers: [LayerReport], plan: BufferPlan, activationBytes: Int, checked: Checked) throws(Diagnostic) {
        var seen = Set<Int>()
        var byLayer = [Int](repeating: 0, count: layers.count)
        var total = 0
        for layer in layers {
            var bytes = 0
            let node = layer.node
            for buffer in Self.buffers(savedBy: layer, owner: plan.owner, outputOwner: plan.owner[node.index])
            where seen.insert(buffer).inserted {
                bytes = try checked.add(bytes, try checked.multiply(layers[buffer].output.elements, activationBytes))
            }
            let saved = node.operation.saved
            bytes = try checked.add(
                bytes, try checked.multiply(layer.output.elements, saved.bytesPerOutputElement))
            bytes = try checked.add(bytes, saved.bytesPerImage)
            byLayer[node.index] = bytes
            total = try checked.add(total, bytes)
        }
        self.total = total
        self.byLayer = byLayer
    }

    /// The buffers `layer` saves, its output living in `outputOwner`'s.
    static func buffers(savedBy layer: LayerReport, owner: [Int], outputOwner: Int) -> [Int] {
        let saved = layer.node.operation.saved
        var buffers = [Int]()
        // A few buffers at most, each kept once (a layer may save one buffer twice over aliases).
        func keep(_ buffer: Int) { if !buffers.contains(buffer) { buffers.append(buffer) } }
        if saved.input || saved.allInputs, let first = layer.node.inputs.first { keep(owner[first]) }
        if saved.allInputs { for input in layer.node.inputs.dropFirst() { keep(owner[input]) } }
        if saved.output { keep(outputOwner) }
        return buffers
    }
}
