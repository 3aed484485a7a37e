import ArgumentParser
import ConvLintExecutor
import ConvLintKit
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the network with real tensors, run it on random input on the CPU, and compare with the static figures.",
        discussion: """
            Every layer runs, CONV as GEMMs (one a tap over the padded input, else after im2col) \
            on a BLAS such as OpenBLAS when one is installed, else on a built-in kernel (which on \
            AVX2 runs the former directly, in register tiles). \
            The report gives, per layer, the predicted and measured output, parameters (counted \
            from the weights allocated) and MACs (counted by the kernels), the time and the \
            algorithm; in total the peak bytes of live tensors, the process's peak resident memory \
            and GFLOP/s. Any mismatch is an error (exit 1). A network whose predicted memory does \
            not fit the memory available is refused before anything is allocated.

            Timing: the first pass also pays for touching fresh memory. For a figure to compare \
            with a framework's warm timings, run several passes and read the fastest:
              convlint run architectures/vgg16.yaml --passes 10
            """)

    @Argument(help: "An architecture file, or an ONNX model (.onnx).")
    var file: String

    /// The formats of a run's report: SARIF and GitHub annotations are for findings, not measurements.
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown, html }

    @Option(name: .shortAndLong, help: "Output format: text, json, markdown or html (the check's page with the run drawn in).")
    var format: Format = .text

    @Option(help: "Images per batch (overrides the file's 'batch:').")
    var batch: Int?

    @Option(help: "Seed of the random weights and input.")
    var seed: UInt64 = 0

    @Option(help: "Forward passes to time, on the same weights; the report gives the fastest, the median and the first.")
    var passes = 1

    @Option(
        help: ArgumentHelp(
            "Write the last layer's output of the first pass to this file as a NumPy .npy array (float32, N×C×H×W).",
            discussion: "The weights are drawn from --seed, so another framework can rebuild them and compare outputs.",
            valueName: "path"))
    var saveOutput: String?

    @Option(
        help: ArgumentHelp(
            "Write the input of the first pass to this file as a NumPy .npy array (float32, N×C×H×W).",
            discussion: "With --save-output, what another runtime needs to check the same network on the same input.",
            valueName: "path"))
    var saveInput: String?

    @Flag(help: "Keep every activation until the end, as training would, instead of freeing each after its last reader.")
    var keepActivations = false

    @Option(
        help: ArgumentHelp(
            "Which 3x3 stride-1 convolutions run by Winograd: auto, on or off.",
            discussion: """
                auto: where it measured faster (with the built-in kernel, outputs of 14x14 or more: \
                every VGG16 layer after the first and ResNet-50's but the 7x7 ones; with a BLAS, \
                C·K·H·W of 2^25 or more); on: all with 16 or more input channels; off: none, every \
                convolution by GEMM. Outputs of 56x56 or more take F(4x4, 3x3), 4x fewer multiplications; \
                smaller ones F(2x2, 3x3), 2.25x fewer. The report shows what was performed beside the \
                nominal MACs; the results differ from GEMM's by float32 rounding.
                """))
    var winograd: Winograd.Use = .auto

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    func run() throws {
        var options = AnalysisOptions()
        options.batch = batch
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if passes < 1 { throw ValidationError("--passes must be at least 1") }
        let analysis = ModelFile.analyze(path: file, options: options)
        Terminal.printDiagnostics([analysis]) { $0.severity == .error }
        guard analysis.isValid, analysis.memory != nil else { throw ExitCode(ExitStatus.code(for: [analysis], strict: false)) }
        var executorOptions = Executor.Options()
        executorOptions.seed = seed
        executorOptions.keepActivations = keepActivations
        executorOptions.winograd = winograd
        let executor = Executor(analysis: analysis, options: executorOptions)
        // The prediction reads the very steps the executor will run, and bounds its arena.
        guard let plan = executor.plan else { throw ExitCode(1) }
        let available = RunPlan.availableMemory(for: executor)
        if let refusal = plan.refusal(available: available?.bytes, limit: available?.limit) {
            Terminal.printError(refusal)
            throw ExitCode(1)
        }
        // Progress only for a person watching: a terminal on standard error, not a pipe or CI log.
        let showProgress = !quiet && isatty(2) == 1
        var (saved, savedInput): (Data?, Data?)
        func array(_ values: UnsafeBufferPointer<Float>, _ volume: Volume) -> Data {
            NumPyArray.float32(values, shape: [analysis.batch, volume.d, volume.h, volume.w])
        }
        let measurement = executor.run(
            passes: passes,
            output: saveOutput == nil ? nil : { saved = array($0, analysis.layers[analysis.layers.count - 1].output) },
            input: saveInput == nil ? nil : { savedInput = array($0, analysis.layers[0].output) }
        ) { step in
            guard showProgress, step.elapsed > 1 else { return }
            let pass = step.passes > 1 ? "pass \(step.pass + 1)/\(step.passes), " : ""
            let line = "\(pass)layer \(step.layer + 1)/\(step.layers) \(step.label), \(String(format: "%.1f", step.elapsed)) s"
            let last = step.layer + 1 == step.layers && step.pass + 1 == step.passes
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (last ? "\n" : "")).utf8))
        }
        for (flag, path, data) in [("--save-output", saveOutput, saved), ("--save-input", saveInput, savedInput)] {
            guard let path, let data else { continue }
            do { try data.write(to: URL(fileURLWithPath: path)) } catch {
                Terminal.printError("error: cannot write \(flag) \(path): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        let mismatches = measurement.mismatches(with: analysis)
        switch format {
        case .json: print(RunReport.json(analysis, measurement, plan: plan).serialized())
        case .markdown: print(RunReport.markdown(analysis, measurement, plan: plan))
        case .html: print(RunReport.html(analysis, measurement, plan: plan), terminator: "")
        case .text: print(RunReport.text(analysis, measurement, plan: plan))
        }
        for mismatch in mismatches {
            Terminal.printError(
                "error[measured-mismatch]: \(mismatch.label) (layer \(mismatch.layer)): predicted \(mismatch.what) "
                    + "\(mismatch.predicted), measured \(mismatch.measured)")
        }
        if !mismatches.isEmpty { throw ExitCode(1) }
    }
}

extension Winograd.Use: ExpressibleByArgument {}
