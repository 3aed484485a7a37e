import ArgumentParser
import ConvLintKit
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, sarif, github
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check architecture files and print their layer tables (the default command).")

    @Argument(help: "Architecture files (YAML). See architectures/ for examples.")
    var files: [String]

    @Option(
        name: .shortAndLong,
        help: """
            Output format: text (a VGG-style table), json (the full report), markdown (pastes into a PR), \
            sarif (GitHub code scanning) or github (annotations in GitHub Actions).
            """)
    var format: OutputFormat = .text

    @Option(help: "Configuration file (default: the nearest .convlint.yml from each file's folder upward).")
    var config: String?

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

    @Flag(help: "Treat warnings as errors (exit 1).")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print only diagnostics, no tables.")
    var quiet = false

    @Flag(help: "Show in-place activation rows, which the table hides by default.")
    var allLayers = false

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
            let parts = input.lowercased().split(separator: "x").map { Int($0) }
            guard parts.count == 3, let dims = parts as? [Int], dims.allSatisfy({ $0 >= 1 && $0 <= Limits.integerLiteral }) else {
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
        if let value = Choice(rawValue: text.lowercased()) { return value }
        throw ValidationError("\(flag) must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
    }

    func run() throws {
        let options = try options()
        let analyses = try files.map { file in
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            let configuration = try ConfigurationLoader.load(explicit: config, near: folder)
            return Checker.check(path: file, options: options, configuration: configuration)
        }
        let renderer = DiagnosticRenderer(color: Terminal.supportsColor(fileDescriptor: 2))
        switch format {
        case .json:
            print(JSONReport.render(analyses))
        case .sarif:
            print(SARIFReport.render(analyses))
        case .github:
            let annotations = GitHubReport.render(analyses)
            if !annotations.isEmpty { print(annotations) }
        case .markdown:
            if !quiet { print(analyses.map { MarkdownReport(allLayers: allLayers).render($0) }.joined(separator: "\n\n")) }
            if quiet { printDiagnostics(analyses, renderer) }
        case .text:
            printDiagnostics(analyses, renderer)
            if !quiet {
                print(analyses.map { TextReport(allLayers: allLayers).render($0) }.joined(separator: "\n\n"))
            }
        }
        throw ExitCode(ExitStatus.code(for: analyses, strict: strict))
    }

    private func printDiagnostics(_ analyses: [Analysis], _ renderer: DiagnosticRenderer) {
        for analysis in analyses {
            for diagnostic in analysis.diagnostics {
                Terminal.printError(renderer.render(diagnostic, in: analysis.source) + "\n")
            }
        }
    }
}
