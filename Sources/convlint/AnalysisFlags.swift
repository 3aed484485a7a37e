import ArgumentParser
import ConvLintKit
import Foundation

/// The settings that override an architecture file's and choose the memory model, shared by
/// `check` and `sweep`.
struct AnalysisFlags: ParsableArguments {
    @Option(help: "Images per batch, for memory figures (overrides the file's 'batch:').")
    var batch: Int?

    @Option(help: "Element type: float32, float16, bfloat16, float64 or int8 (overrides 'dtype:').")
    var dtype: String?

    @Option(help: ArgumentHelp("Input volume W x H x D, e.g. 384x384x3 (overrides 'input:').", valueName: "WxHxD"))
    var input: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Set a variable, as in 'vars:'; repeatable. E.g. --set N=3 --set 'F=[64, 128]'.", valueName: "NAME=VALUE"))
    var variables: [String] = []

    @Option(help: "Non-integer output sizes: strict (error, the notes' rule), floor (PyTorch) or ceil (Caffe).")
    var rounding: String?

    @Option(help: "Optimizer for the training-memory figures: sgd, momentum, adam or adamw.")
    var optimizer: String = "momentum"

    @Option(help: ArgumentHelp(
        "Activation checkpointing for the training-memory figures: none, or blocks (torch.utils.checkpoint around each call of a top-level block: only its input is kept, its forward runs again in backward).",
        valueName: "none|blocks"))
    var checkpoint: String = "none"

    @Option(help: "Training-memory model: pytorch (PyTorch on a CUDA GPU, calibrated) or notes (the CS231n rule of thumb).")
    var framework: String = "pytorch"

    @Option(
        name: .customLong("gpu-memory"),
        help: ArgumentHelp("GPU memory to fit a training step into, e.g. 16GiB or 80GB: reports the largest batch that fits, and an error when --batch does not.", valueName: "SIZE"))
    var gpuMemory: String?

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        _ = try options()
    }

    func options() throws -> AnalysisOptions {
        var options = AnalysisOptions()
        options.batch = batch
        options.dtype = try dtype.map { try choice($0, flag: "--dtype") }
        options.rounding = try rounding.map { try choice($0, flag: "--rounding") }
        options.optimizer = try choice(optimizer, flag: "--optimizer")
        options.checkpoint = try choice(checkpoint, flag: "--checkpoint")
        options.framework = try choice(framework, flag: "--framework")
        if let gpuMemory {
            guard let size = MemorySize.parse(gpuMemory) else {
                throw ValidationError("--gpu-memory takes a size with a unit, e.g. 16GiB, 24 GB or 512MiB; got '\(gpuMemory)'")
            }
            options.gpuMemory = size
        }
        if let input {
            guard let dims = InputShape.parse(input) else {
                throw ValidationError("--input must be W x H x D, e.g. 224x224x3, got '\(input)'")
            }
            options.input = dims
        }
        for assignment in variables {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw ValidationError("--set takes NAME=VALUE, e.g. --set N=3; got '\(assignment)'")
            }
            let name = String(assignment[..<equals])
            let value = String(assignment[assignment.index(after: equals)...])
            do {
                _ = try VariableOverride.parse(name: name, text: value)
            } catch {
                throw ValidationError(error.message + (error.help.map { " (\($0))" } ?? ""))
            }
            options.variables.append((name, value))
        }
        return options
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(_ text: String, flag: String) throws -> Choice
    where Choice.RawValue == String {
        if let value = Choice.named(text) { return value }
        throw ValidationError("\(flag) must be one of \(Choice.names), got '\(text)'")
    }
}
