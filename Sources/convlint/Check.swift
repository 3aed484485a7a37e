import ArgumentParser
import ConvLintKit
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, sarif, github, html
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
            sarif (GitHub code scanning), github (annotations in GitHub Actions) or html (the report \
            with charts that 'convlint report' writes).
            """)
    var format: OutputFormat = .text

    @Option(help: "Configuration file (default: the nearest .convlint.yml from each file's folder upward).")
    var config: String?

    @OptionGroup(title: "Analysis")
    var analysis: AnalysisFlags

    @Flag(help: "Treat warnings as errors (exit 1).")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print only diagnostics, no tables.")
    var quiet = false

    @Flag(help: "Show in-place activation rows, which the table hides by default.")
    var allLayers = false

    @Flag(
        inversion: .prefixedNo,
        help: """
            Bars for each row's share of memory and of parameters (default: on a terminal, and in \
            markdown; ASCII without a UTF-8 locale).
            """)
    var bars: Bool?

    func run() throws {
        let analyses = try Self.check(files, config: config, options: try analysis.options())
        let renderer = DiagnosticRenderer(color: Terminal.supportsColor(fileDescriptor: 2))
        switch format {
        case .html:
            printDiagnostics(analyses, renderer)
            print(HTMLReport(allLayers: allLayers).render(analyses), terminator: "")
        case .json:
            print(JSONReport.render(analyses))
        case .sarif:
            print(SARIFReport.render(analyses))
        case .github:
            let annotations = GitHubReport.render(analyses)
            if !annotations.isEmpty { print(annotations) }
        case .markdown:
            let report = MarkdownReport(allLayers: allLayers, bars: bars ?? true ? .unicode : nil)
            if !quiet { print(analyses.map { report.render($0) }.joined(separator: "\n\n")) }
            if quiet { printDiagnostics(analyses, renderer) }
        case .text:
            printDiagnostics(analyses, renderer)
            if !quiet {
                let shown = bars ?? (isatty(1) == 1)
                let report = TextReport(
                    allLayers: allLayers, bars: shown ? ShareBar.style(environment: ProcessInfo.processInfo.environment) : nil)
                print(analyses.map { report.render($0) }.joined(separator: "\n\n"))
            }
        }
        throw ExitCode(ExitStatus.code(for: analyses, strict: strict))
    }

    /// Checks every file on every core; the results keep the order of the arguments.
    static func check(_ files: [String], config: String?, options: AnalysisOptions) throws -> [Analysis] {
        let configurations = try files.map { file in
            try ConfigurationLoader.load(explicit: config, near: URL(fileURLWithPath: file).deletingLastPathComponent().path)
        }
        return Parallel.map(files.count) { index in
            Checker.check(path: files[index], options: options, configuration: configurations[index])
        }.map { $0! }
    }

    func printDiagnostics(_ analyses: [Analysis], _ renderer: DiagnosticRenderer) {
        for analysis in analyses {
            for diagnostic in analysis.diagnostics {
                Terminal.printError(renderer.render(diagnostic, in: analysis.source) + "\n")
            }
        }
    }
}
