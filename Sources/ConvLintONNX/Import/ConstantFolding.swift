import Foundation

/// The shape arithmetic exporters write around a reshape (`Shape → Gather → Unsqueeze → Concat`),
/// evaluated: a node whose inputs are all constants (or a `Shape` of an activation, whose
/// dimensions are known) gives a constant. Values are kept for small tensors only
/// (`Constant.valueLimit`); a weight passed through `Identity` keeps its dimensions.
struct ConstantFolding {
    let node: Onnx_NodeProto
    let inputs: [GraphValue?]
    let batch: Int

    /// The node's constant output, or nil when the node computes on activations.
    func value() throws(ImportProblem) -> Constant? {
        switch node.opType {
        case "Constant": return try constantAttribute()
        case "Shape": return shape()
        // The cast of a constant to an activation's element type, which is float throughout.
        case "CastLike": return inputs.first??.constant
        default: break
        }
        let constants = inputs.compactMap { $0 }
        guard !constants.isEmpty, constants.allSatisfy({ $0.constant != nil }) else { return nil }
        let operands = inputs.map { $0?.constant }
        let first = operands[0]
        switch node.opType {
        case "Identity", "Cast": return first
        case "Unsqueeze", "Squeeze", "Reshape", "Flatten":
            guard var reshaped = first else { return nil }
            reshaped.dims = [reshaped.count]
            return reshaped
        case "Expand":
            // A scalar broadcast to a shape: dynamo's zero bias of a bias-free convolution.
            guard let constant = first, let shape = operands[1]?.ints, shape.allSatisfy({ $0 >= 1 && $0 <= 1 << 40 }) else { return nil }
            var expanded = Constant(dims: shape)
            if constant.count == 1, expanded.count <= Constant.valueLimit {
                expanded.ints = constant.ints.map { Array(repeating: $0[0], count: expanded.count) }
                expanded.floats = constant.floats.map { Array(repeating: $0[0], count: expanded.count) }
            }
            return expanded
        case "Transpose":
            guard let constant = first else { return nil }
            let perm = node.ints("perm") ?? Array(constant.dims.indices.reversed())
            guard perm.sorted() == Array(constant.dims.indices) else { throw ImportProblem("Transpose with perm=\(perm) of a constant \(constant.dims)") }
            // A weight's values are never kept; a small constant's would need moving.
            var transposed = Constant(dims: perm.map { constant.dims[$0] }, ints: constant.dims.count <= 1 ? constant.ints : nil)
            transposed.learnt = constant.learnt
            return transposed
        case "Gather":
            guard let data = first?.ints, let indices = operands[1]?.ints else { return nil }
            let picked = indices.map { $0 < 0 ? $0 + data.count : $0 }
            guard picked.allSatisfy({ data.indices.contains($0) }) else { throw ImportProblem("Gather index out of range of \(data)") }
            return Constant(dims: operands[1]!.dims, ints: picked.map { data[$0] })
        case "Concat":
            let parts = operands.compactMap { $0?.ints }
            guard parts.count == operands.count else { return nil }
            let joined = parts.flatMap { $0 }
            return Constant(dims: [joined.count], ints: joined)
        case "Slice":
            guard let data = first?.ints, let starts = operands[1]?.ints, let ends = operands[2]?.ints, starts.count == 1, ends.count == 1 else { return nil }
            let step = operands.count > 4 ? operands[4]?.ints?.first ?? 1 : 1
            func clamp(_ index: Int) -> Int { min(max(index < 0 ? index + data.count : index, 0), data.count) }
            guard step == 1 else { return nil }
            let (low, high) = (clamp(starts[0]), clamp(ends[0]))
            let values = low < high ? Array(data[low..<high]) : []
            return Constant(dims: [values.count], ints: values)
        case "Add", "Sub", "Mul", "Div":
            guard let left = first?.ints, let right = operands[1]?.ints, left.count == right.count || left.count == 1 || right.count == 1 else { return nil }
            let count = max(left.count, right.count)
            var values: [Int] = []
            for index in 0..<count {
                let (a, b) = (left[left.count == 1 ? 0 : index], right[right.count == 1 ? 0 : index])
                switch node.opType {
                case "Add": values.append(a &+ b)
                case "Sub": values.append(a &- b)
                case "Mul": values.append(a &* b)
                default:
                    let (quotient, overflow) = a.dividedReportingOverflow(by: b)
                    guard b != 0, !overflow else { throw ImportProblem("division by zero or overflow in the graph's shape arithmetic") }
                    values.append(quotient)
                }
            }
            return Constant(dims: [count], ints: values)
        case "ConstantOfShape":
            guard let dims = first?.ints, dims.allSatisfy({ $0 >= 0 && $0 <= 1 << 40 }) else { return nil }
            let fill = try node.attribute("value").map { tensor throws(ImportProblem) in try Constant(tensor.t) }
            var result = Constant(dims: dims)
            if result.count <= Constant.valueLimit {
                result.ints = fill?.ints.map { Array(repeating: $0.first ?? 0, count: result.count) } ?? Array(repeating: 0, count: result.count)
            }
            return result
        default:
            return nil
        }
    }

    private func constantAttribute() throws(ImportProblem) -> Constant {
        if let tensor = node.attribute("value") { return try Constant(tensor.t) }
        if let value = node.attribute("value_int") { return Constant(dims: [], ints: [Int(value.i)]) }
        if let value = node.attribute("value_ints") { return Constant(dims: [value.ints.count], ints: value.ints.map(Int.init)) }
        if let value = node.attribute("value_float") { return Constant(dims: [], floats: [value.f]) }
        if let value = node.attribute("value_floats") { return Constant(dims: [value.floats.count], floats: value.floats) }
        throw ImportProblem("Constant without a value this reader knows (value, value_int(s), value_float(s))")
    }

    /// The dimensions of an activation or a constant, optionally a range of them.
    private func shape() -> Constant? {
        let dims: [Int]
        switch inputs.first ?? nil {
        case .activation(_, let volume, let layout)?: dims = layout.dims(volume, batch: batch)
        case .constant(let constant)?: dims = constant.dims
        case .parts?, nil: return nil
        }
        func clamp(_ index: Int) -> Int { min(max(index < 0 ? index + dims.count : index, 0), dims.count) }
        let (start, end) = (clamp(node.int("start", 0)), clamp(node.int("end", dims.count)))
        let picked = start < end ? Array(dims[start..<end]) : []
        return Constant(dims: [picked.count], ints: picked)
    }
}
