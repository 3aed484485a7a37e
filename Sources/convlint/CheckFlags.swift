import ArgumentParser
import ConvLintKit
import Foundation

/// What `check` and `report` share: the configuration, the analysis settings, strictness and
/// which rows to show, and the check of every file with them.
struct CheckFlags: ParsableArguments {
    @Option(help: "Configuration file (default: the nearest .convlint.yml from each file's folder upward).")
    var config: String?

    @OptionGroup(title: "Analysis")
    var analysis: AnalysisFlags

    @Flag(help: "Treat warnings as errors (exit 1).")
    var strict = false

    @Flag(help: "Show in-place activation rows, which the tables and charts hide by default.")
    var allLayers = false

    /// Checks every file on every core; the results keep the order of the arguments.
    func check(_ files: [String]) throws -> [Analysis] {
        let options = try analysis.options()
        let configurations = try files.map { file in
            try ConfigurationLoader.load(explicit: config, near: URL(fileURLWithPath: file).deletingLastPathComponent().path)
        }
        return Parallel.map(files.count) { index in
            ModelFile.check(path: files[index], options: options, configuration: configurations[index])
        }.map { $0! }
    }

    func exitCode(for analyses: [Analysis]) -> ExitCode { ExitCode(ExitStatus.code(for: analyses, strict: strict)) }
}
