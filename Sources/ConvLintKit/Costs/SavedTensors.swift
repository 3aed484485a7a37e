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
            func keep(_ index: Int) throws(Diagnostic) {
                let buffer = plan.owner[index]
                guard seen.insert(buffer).inserted else { return }
                bytes = try checked.add(bytes, try checked.multiply(layers[buffer].output.elements, activationBytes))
            }
            let node = layer.node
            let saved = node.operation.saved
            if saved.input { try keep(node.inputs[0]) }
            if saved.allInputs { for input in node.inputs { try keep(input) } }
            if saved.output { try keep(node.index) }
            bytes = try checked.add(
                bytes, try checked.multiply(layer.output.elements, saved.bytesPerOutputElement))
            bytes = try checked.add(bytes, saved.bytesPerImage)
            byLayer[node.index] = bytes
            total = try checked.add(total, bytes)
        }
        self.total = total
        self.byLayer = byLayer
    }
}
