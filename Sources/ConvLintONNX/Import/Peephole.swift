import Foundation

/// Activations that exporters write as several nodes, fused back into one before the graph is
/// read: SiLU as `x · Sigmoid(x)`, GELU as `x · (1 + Erf(x / √2)) · 0.5`, Mish as
/// `x · Tanh(Softplus(x))`, HardSwish as `x · HardSigmoid(x)`. A fusion needs every node but
/// the last read by the next one only.
struct Peephole {
    /// The fused nodes' operator types (not ONNX's; they never leave the import).
    static let silu = "convlint.SiLU"
    static let gelu = "convlint.GELU"

    private var nodes: [Onnx_NodeProto?]
    private var producers: [String: Int] = [:]
    private var readers: [String: Int] = [:]
    /// Scalars of initializers and `Constant` nodes: the 1, 0.5 and √2 of a GELU.
    private var scalars: [String: Float] = [:]

    static func fuse(_ graph: Onnx_GraphProto) -> [Onnx_NodeProto] {
        var peephole = Peephole(graph)
        for index in peephole.nodes.indices { peephole.fuse(at: index) }
        return peephole.nodes.compactMap { $0 }
    }

    private init(_ graph: Onnx_GraphProto) {
        nodes = graph.node
        for (index, node) in graph.node.enumerated() {
            for output in node.output { producers[output] = index }
            for input in node.input { readers[input, default: 0] += 1 }
            if node.opType == "Constant", let tensor = node.attribute("value"), let constant = try? Constant(tensor.t),
                let scalar = constant.scalar
            {
                scalars[node.output[0]] = scalar
            }
        }
        for output in graph.output { readers[output.name, default: 0] += 1 }
        for tensor in graph.initializer { if let constant = try? Constant(tensor), let scalar = constant.scalar { scalars[tensor.name] = scalar } }
    }

    private func producer(_ name: String, _ op: String) -> (index: Int, node: Onnx_NodeProto)? {
        guard let index = producers[name], let node = nodes[index], node.opType == op, readers[name] == 1 else { return nil }
        return (index, node)
    }

    private func isScalar(_ name: String, _ value: Float) -> Bool {
        scalars[name].map { abs($0 - value) <= 1e-4 * max(1, abs(value)) } ?? false
    }

    /// The operand of a binary `node` other than `name`, when `name` is one of its two.
    private func other(_ node: Onnx_NodeProto, than name: String) -> String? {
        guard node.input.count == 2 else { return nil }
        if node.input[0] == name { return node.input[1] }
        if node.input[1] == name { return node.input[0] }
        return nil
    }

    private mutating func replace(_ index: Int, with op: String, input: String, removing removed: [Int]) {
        var fused = nodes[index]!
        fused.opType = op
        fused.input = [input]
        fused.attribute = []
        fused.domain = "convlint"
        nodes[index] = fused
        for gone in removed { nodes[gone] = nil }
    }

    private mutating func fuse(at index: Int) {
        guard let node = nodes[index], node.opType == "Mul", node.input.count == 2 else { return }
        for (x, gate) in [(node.input[0], node.input[1]), (node.input[1], node.input[0])] {
            if let sigmoid = producer(gate, "Sigmoid"), sigmoid.node.input == [x] {
                return replace(index, with: Self.silu, input: x, removing: [sigmoid.index])
            }
            if let hard = producer(gate, "HardSigmoid"), hard.node.input == [x], abs(hard.node.float("alpha", 0.2) - 1 / 6) < 1e-6,
                hard.node.float("beta", 0.5) == 0.5
            {
                return replace(index, with: "HardSwish", input: x, removing: [hard.index])
            }
            if let tanh = producer(gate, "Tanh"), let softplus = producer(tanh.node.input[0], "Softplus"), softplus.node.input == [x] {
                return replace(index, with: "Mish", input: x, removing: [tanh.index, softplus.index])
            }
            if let gelu = geluParts(product: node, x: x, half: gate) { return replace(index, with: Self.gelu, input: gelu.x, removing: gelu.removed) }
        }
    }

    /// `Mul(Mul(x, 1 + Erf(x / √2)), 0.5)`, or `Mul(Mul(x, 0.5), 1 + Erf(x / √2))`.
    private func geluParts(product: Onnx_NodeProto, x inner: String, half: String) -> (x: String, removed: [Int])? {
        // Mul(Mul(x, erf1), 0.5)
        if isScalar(half, 0.5), let mul = producer(inner, "Mul") {
            for (x, erf1) in [(mul.node.input[0], mul.node.input[1]), (mul.node.input[1], mul.node.input[0])] {
                if let parts = erfPlusOne(erf1, of: x) { return (x, [mul.index] + parts) }
            }
        }
        // Mul(Mul(x, 0.5), erf1)
        if let mul = producer(inner, "Mul"), let x = mul.node.input.first(where: { !isScalar($0, 0.5) }), other(mul.node, than: x).map({ isScalar($0, 0.5) }) == true,
            let parts = erfPlusOne(half, of: x)
        {
            return (x, [mul.index] + parts)
        }
        return nil
    }

    /// The nodes of `1 + Erf(x / √2)` (or `x · (1/√2)`) producing `name`.
    private func erfPlusOne(_ name: String, of x: String) -> [Int]? {
        guard let add = producer(name, "Add") else { return nil }
        for erfName in add.node.input {
            guard let erf = producer(erfName, "Erf"), other(add.node, than: erfName).map({ isScalar($0, 1) }) == true else { continue }
            let scaled = erf.node.input[0]
            if let div = producer(scaled, "Div"), div.node.input.count == 2, div.node.input[0] == x, isScalar(div.node.input[1], Float(2).squareRoot()) {
                return [add.index, erf.index, div.index]
            }
            if let mul = producer(scaled, "Mul"), let factor = other(mul.node, than: x), isScalar(factor, 1 / Float(2).squareRoot()) {
                return [add.index, erf.index, mul.index]
            }
        }
        return nil
    }
}
