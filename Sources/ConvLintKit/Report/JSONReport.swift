/// The machine-readable report of SPEC §6.
public enum JSONReport {
    public static func value(_ analysis: Analysis) -> JSONValue {
        var object: [(String, JSONValue)] = [
            ("file", .string(analysis.source.path)),
            ("name", .string(analysis.name)),
            ("valid", .bool(analysis.isValid)),
            ("input", analysis.input.map { ints($0.array) } ?? .null),
            ("batch", .int(analysis.batch)),
            ("dtype", .string(analysis.dtype.rawValue)),
            ("rounding", .string(analysis.rounding.rawValue)),
            ("layers", .array(analysis.layers.map { layer($0, saved: analysis.memory?.pytorch.savedPerImage) })),
            ("totals", totals(analysis)),
        ]
        object.append(("diagnostics", .array(analysis.diagnostics.map { diagnostic($0, file: analysis.source.path) })))
        return .object(object)
    }

    public static func render(_ analyses: [Analysis]) -> String {
        analyses.count == 1 ? value(analyses[0]).serialized() : JSONValue.array(analyses.map(value)).serialized()
    }

    static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }

    static func layer(_ layer: LayerReport, saved: [Int]?) -> JSONValue {
        let node = layer.node
        let cost = layer.cost
        let field = layer.receptiveField
        var object: [(String, JSONValue)] = [
            ("index", .int(node.index)),
            ("label", .string(node.label)),
            ("kind", .string(node.kind.rawValue)),
            ("line", .int(node.location.line)),
            ("column", .int(node.location.column)),
            ("input", ints(layer.input.array)),
            ("output", ints(layer.output.array)),
            ("activations", .int(cost.activations)),
            ("weights", .int(cost.weights)),
            ("biases", .int(cost.biases)),
            ("params", .int(cost.params)),
            ("buffers", .int(cost.buffers)),
            ("macs", .int(cost.macs)),
            ("flops", .int(cost.flops)),
            ("other_ops", .int(cost.otherOps)),
            ("receptive_field", .array([.double(field.size.w), .double(field.size.h)])),
            ("jump", .array([.double(field.jump.w), .double(field.jump.h)])),
        ]
        if let saved { object.append(("saved_for_backward_bytes_per_image", .int(saved[node.index]))) }
        if node.inputs.count > 1 || (node.inputs.first.map { $0 != node.index - 1 } ?? false) {
            object.append(("inputs", ints(node.inputs)))
        }
        if !node.calledFrom.isEmpty {
            object.append(
                ("called_from", .array(node.calledFrom.map { .object([("line", .int($0.line)), ("column", .int($0.column))]) })))
        }
        return .object(object)
    }

    static func totals(_ analysis: Analysis) -> JSONValue {
        let totals = analysis.totals
        var object: [(String, JSONValue)] = [
            ("activations", .int(totals.activations)),
            ("weights", .int(totals.weights)),
            ("biases", .int(totals.biases)),
            ("params", .int(totals.params)),
            ("buffers", .int(totals.buffers)),
            ("macs", .int(totals.macs)),
            ("flops", .int(totals.flops)),
            ("other_ops", .int(totals.otherOps)),
        ]
        guard let memory = analysis.memory else { return .object(object) }
        let notes = memory.training
        let torch = memory.pytorch
        let framework = analysis.framework
        object += [
            ("forward_bytes", .int(memory.forward.bytes)),
            ("param_bytes", .int(memory.parameters.bytes)),
            ("inference_peak_bytes", .int(memory.inferencePeak.bytes)),
            ("training_bytes", .int(memory.trainingPeak(framework).bytes)),
            ("training", .object([
                ("framework", .string(framework.rawValue)),
                ("optimizer", .string(notes.optimizer.rawValue)),
                ("peak_bytes", .int(torch.trainingPeak.bytes)),
                ("peak_phase", .string(torch.trainingPhase.rawValue)),
                ("weights_bytes", .int(torch.weights.bytes)),
                ("gradients_bytes", .int(torch.gradients.bytes)),
                ("optimizer_state_bytes", .int(torch.optimizerState.bytes)),
                ("input_bytes", .int(torch.input.bytes)),
                ("saved_activations_bytes", .int(torch.savedActivations.bytes)),
                ("kept_activations_bytes", .int(torch.keptActivations.bytes)),
                ("activation_gradients_bytes", .int(torch.activationGradients.bytes)),
                ("cast_weights_bytes", .int(torch.castWeights.bytes)),
                ("workspace_bytes", .int(torch.workspace.bytes)),
                ("step_temporaries_bytes", .int(torch.stepTemporaries.bytes)),
                ("backward_peak_bytes", .int(torch.backwardPeak.bytes)),
                ("step_peak_bytes", .int(torch.stepPeak.bytes)),
                ("tensor_timeline", .object([
                    ("peak_bytes", .int(torch.timeline.bytes)),
                    ("peak_phase", .string(torch.timeline.phase.rawValue)),
                    ("peak_layer", .int(torch.timeline.layer)),
                    ("peak_label", .string(analysis.layers[torch.timeline.layer].node.label)),
                    ("activations_bytes", .int(torch.timeline.breakdown.activations)),
                    ("activation_gradients_bytes", .int(torch.timeline.breakdown.activationGradients)),
                    ("weight_gradients_bytes", .int(torch.timeline.breakdown.weightGradients)),
                    ("transient_bytes", .int(torch.timeline.breakdown.transient)),
                ])),
                ("checkpoint", .string(torch.checkpoint.rawValue)),
                ("backward_macs_per_image", .int(torch.backwardMACs)),
                ("training_macs_per_image", .int(torch.trainingMACs)),
                ("notes_rule", .object([
                    ("weights_bytes", .int(notes.weights.bytes)),
                    ("gradients_bytes", .int(notes.gradients.bytes)),
                    ("optimizer_state_bytes", .int(notes.optimizerState.bytes)),
                    ("activations_bytes", .int(notes.activations.bytes)),
                    ("activation_gradients_bytes", .int(notes.activationGradients.bytes)),
                    ("total_bytes", .int(notes.total.bytes)),
                ])),
            ])),
            ("inference", .object([
                ("framework", .string("pytorch")),
                ("peak_bytes", .int(torch.inferencePeak.bytes)),
                ("weights_bytes", .int(torch.inferenceWeights.bytes)),
                ("activations_and_workspace_bytes", .int(torch.inferenceActivations.bytes)),
                ("tensors_peak_bytes", .int(torch.inferenceTensors.bytes)),
            ])),
        ]
        if !analysis.commonGPUs.isEmpty {
            object.append(
                ("largest_training_batch", .object(analysis.commonGPUs.map { check in
                    ("\(check.budget.bytes >> 30)GiB", check.largestBatch.map { .int($0) } ?? .null)
                })))
        }
        if let budget = analysis.budget {
            object.append(
                ("gpu_memory", .object([
                    ("budget_bytes", .int(budget.budget.bytes)),
                    ("framework", .string(budget.framework.rawValue)),
                    ("largest_batch", budget.largestBatch.map { .int($0) } ?? .null),
                    ("what_if", .array(budget.whatIf.map { option in
                        .object([("flags", .string(option.flags)), ("largest_batch", option.largestBatch.map { .int($0) } ?? .null)])
                    })),
                ])))
        }
        return .object(object)
    }

    static func diagnostic(_ diagnostic: Diagnostic, file: String) -> JSONValue {
        var object: [(String, JSONValue)] = [
            ("rule", .string(diagnostic.rule)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("message", .string(diagnostic.message)),
            ("file", .string(file)),
        ]
        if let location = diagnostic.location {
            object += [("line", .int(location.line)), ("column", .int(location.column))]
        }
        if let help = diagnostic.help { object.append(("help", .string(help))) }
        if !diagnostic.notes.isEmpty { object.append(("notes", .array(diagnostic.notes.map { .string($0) }))) }
        return .object(object)
    }
}
