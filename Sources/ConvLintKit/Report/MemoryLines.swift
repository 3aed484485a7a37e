/// The memory part of the text and markdown reports: the PyTorch model's breakdown beside the
/// notes' rule of thumb, and the budget.
enum MemoryLines {
    static func lines(_ analysis: Analysis) -> [String] {
        guard let memory = analysis.memory else { return [] }
        let torch = memory.pytorch
        let notes = memory.training
        let phase = torch.trainingPhase == .backward ? "in the backward pass" : "in the optimizer step"
        let parts = torch.parts(of: torch.trainingPhase).map { "\($0.name) \($0.bytes.binary)" }
        var lines = [
            "Batch \(analysis.batch), \(analysis.dtype.rawValue): forward activations \(memory.forward.binary), "
                + "parameters \(memory.parameters.binary)",
            "Training step (\(notes.optimizer.rawValue)\(torch.checkpoint == .blocks ? ", checkpointing each block" : "")), "
                + "PyTorch on a CUDA GPU: \(torch.trainingPeak.binary) at its peak \(phase)",
            "  = " + parts.joined(separator: " + "),
            "  notes' rule of thumb (activations *2, parameters *\(2 + notes.optimizer.stateCopies)): \(notes.total.binary)",
            timelineLine(analysis, torch.timeline),
            "Training MACs per image: \(torch.trainingMACs.compact) "
                + "= forward \(analysis.totals.macs.compact) + backward \(torch.backwardMACs.compact) (input and weight gradients)",
            "Inference: \(torch.inferencePeak.binary) in PyTorch (weights and the busiest layer's activations and workspace); "
                + "\(memory.inferencePeak.binary) by liveness alone",
        ]
        if analysis.dtype == .float16 || analysis.dtype == .bfloat16 {
            lines.append(
                "  (\(analysis.dtype.rawValue) training assumes PyTorch's mixed precision: fp32 master weights, gradients and "
                    + "optimizer state; half-precision activations and weight copies)")
        }
        if !analysis.commonGPUs.isEmpty {
            let fits = analysis.commonGPUs.map { "\($0.largestBatch.map(String.init) ?? "none") on \($0.budget.binary)" }
            lines.append("Largest training batch (\(analysis.framework == .pytorch ? "PyTorch" : "notes' rule")): " + fits.joined(separator: ", "))
        }
        if let budget = analysis.budget {
            let model = budget.framework == .pytorch ? "PyTorch" : "the notes' rule"
            lines.append(
                "GPU memory \(budget.budget.binary): "
                    + (budget.largestBatch.map { "the largest batch whose training step fits is \($0) (\(model))" }
                        ?? "no batch fits a training step (\(model))"))
            if !budget.whatIf.isEmpty {
                lines.append(
                    "  what if: " + budget.whatIf.map { "\($0.flags) → \($0.largestBatch.map(String.init) ?? "none")" }
                        .joined(separator: "; "))
            }
        }
        return lines
    }

    /// Where the step's tensors peak, by the simulated autograd timeline.
    static func timelineLine(_ analysis: Analysis, _ peak: TrainingTimeline.Peak) -> String {
        let layer = analysis.layers[peak.layer].node
        let parts = [
            ("activations", peak.breakdown.activations), ("activation gradients", peak.breakdown.activationGradients),
            ("weight gradients", peak.breakdown.weightGradients), ("scratch", peak.breakdown.transient),
        ].filter { $0.1 > 0 }.map { "\($0.0) \(ByteCount($0.1).binary)" }
        return "  tensors (simulated autograd, without workspaces): \(ByteCount(peak.bytes).binary) at their peak "
            + "in the \(peak.phase.rawValue) pass at \(layer.label) (layer \(peak.layer), line \(layer.location.line)) = "
            + parts.joined(separator: " + ")
    }
}
