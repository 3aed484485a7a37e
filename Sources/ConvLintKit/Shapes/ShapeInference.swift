/// Walks the expanded network in execution order and infers every output volume, rejecting
/// what SPEC §4 rejects. Stops at the first error, since later shapes would be guesses.
enum ShapeInference {
    /// Output volumes of the layers up to the first error, and the findings. `inputShape`
    /// replaces the INPUT layer's shape, for `ShapeFix` to try other sizes without copying layers.
    static func run(
        _ layers: [LayerNode], rounding: Rounding, suggestFixes: Bool = true, inputShape: [Int]? = nil
    ) -> (outputs: [Volume], diagnostics: [Diagnostic]) {
        var context = ShapeContext(network: layers, rounding: rounding, suggestFixes: suggestFixes)
        for layer in layers {
            let before = context.diagnostics.count
            do {
                var operation = layer.operation
                if let inputShape, case .input = operation { operation = .input(InputLayer(shape: inputShape)) }
                let inputs = layer.inputs.map { context.outputs[$0] }
                context.outputs.append(try operation.body.output(of: layer, inputs: inputs, context: &context))
            } catch {
                context.diagnostics.append(error)
            }
            // A layer inside a block is reported at the body's token; say which call made it.
            for index in before..<context.diagnostics.count {
                context.diagnostics[index].notes += layer.calledFrom.reversed().map {
                    "in the block called at line \($0.line), column \($0.column)"
                }
            }
            if context.outputs.count <= layer.index { break }
        }
        return (context.outputs, context.diagnostics)
    }
}
