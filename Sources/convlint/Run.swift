import ArgumentParser
import ConvLintExecutor
import ConvLintKit
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the network with real tensors, run it on random input on the CPU, and compare with the static figures.",
        discussion: """
            Every layer runs (CONV by im2col and GEMM; a BLAS such as OpenBLAS when installed, else a \
            built-in kernel). The report gives, per layer, the predicted and measured output, \
            parameters (counted from the weights allocated) and MACs (counted by the kernels), and \
            the time; in total the peak bytes of live tensors, the process's peak resident memory \
            and GFLOP/s. Any mismatch is an error (exit 1). A network whose predicted memory does \
            not fit the memory available is refused before anything is allocated.
            """)

    @Argument(help: "An architecture file.")
    var file: String

    @Option(name: .shortAndLong, help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @Option(help: "Images per batch (overrides the file's 'batch:').")
    var batch: Int?

    @Option(help: "Seed of the random weights and input.")
    var seed: UInt64 = 0

    @Flag(help: "Keep every activation until the end, as training would, instead of freeing each after its last reader.")
    var keepActivations = false

    @Flag(help: "Run 3x3 stride-1 convolutions by Winograd F(2x2, 3x3) (experimental: fewer multiplications, not yet faster here).")
    var winograd = false

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    func run() throws {
        var options = AnalysisOptions()
        options.batch = batch
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        let analysis = Analyzer.analyze(path: file, options: options)
        let renderer = DiagnosticRenderer(color: Terminal.supportsColor(fileDescriptor: 2))
        for diagnostic in analysis.diagnostics where diagnostic.severity == .error {
            Terminal.printError(renderer.render(diagnostic, in: analysis.source) + "\n")
        }
        guard analysis.isValid, let memory = analysis.memory else { throw ExitCode(ExitStatus.code(for: [analysis], strict: false)) }
        let plan = RunPlan(analysis: analysis, memory: memory, keepActivations: keepActivations, winograd: winograd)
        if let refusal = plan.refusal(available: RunPlan.availableMemory()) {
            Terminal.printError(refusal)
            throw ExitCode(1)
        }
        var executorOptions = Executor.Options()
        executorOptions.seed = seed
        executorOptions.keepActivations = keepActivations
        executorOptions.winograd = winograd
        let executor = Executor(analysis: analysis, options: executorOptions)
        // Progress only for a person watching: a terminal on standard error, not a pipe or CI log.
        let showProgress = !quiet && isatty(2) == 1
        let measurement = executor.run { index, count, label, elapsed in
            guard showProgress, elapsed > 1 else { return }
            let line = "layer \(index + 1)/\(count) \(label), \(String(format: "%.1f", elapsed)) s"
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (index + 1 == count ? "\n" : "")).utf8))
        }
        let mismatches = measurement.mismatches(with: analysis)
        switch format {
        case .json: print(RunReport.json(analysis, measurement, plan: plan).serialized())
        case .markdown: print(RunReport.markdown(analysis, measurement, plan: plan))
        default: print(RunReport.text(analysis, measurement, plan: plan))
        }
        for mismatch in mismatches {
            Terminal.printError(
                "error[measured-mismatch]: \(mismatch.label) (layer \(mismatch.layer)): predicted \(mismatch.what) "
                    + "\(mismatch.predicted), measured \(mismatch.measured)")
        }
        if !mismatches.isEmpty { throw ExitCode(1) }
    }
}
