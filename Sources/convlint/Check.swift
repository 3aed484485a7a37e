import ArgumentParser
import ConvLintKit
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, sarif, github, html
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check architecture files and print their layer tables (the default command).")

    @Argument(help: "Architecture files (YAML), or ONNX models (.onnx) read as `convlint import` reads them. See architectures/ for examples.")
    var files: [String]

    @Option(
        name: .shortAndLong,
        help: """
            Output format: text (a VGG-style table), json (the full report), markdown (pastes into a PR), \
            sarif (GitHub code scanning), github (annotations in GitHub Actions) or html (the report \
            with charts that 'convlint report' writes).
            """)
    var format: OutputFormat = .text

    @OptionGroup var flags: CheckFlags

    @Flag(name: .shortAndLong, help: "Print only diagnostics, no tables.")
    var quiet = false

    @Flag(
        inversion: .prefixedNo,
        help: """
            Bars for each row's share of memory and of parameters (default: on a terminal, and in \
            markdown; ASCII without a UTF-8 locale).
            """)
    var bars: Bool?

    func run() throws {
        let analyses = try flags.check(files)
        let allLayers = flags.allLayers
        switch format {
        case .html:
            Terminal.printDiagnostics(analyses)
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
            if quiet { Terminal.printDiagnostics(analyses) }
        case .text:
            Terminal.printDiagnostics(analyses)
            if !quiet {
                let shown = bars ?? (isatty(1) == 1)
                let report = TextReport(
                    allLayers: allLayers, bars: shown ? ShareBar.style(environment: ProcessInfo.processInfo.environment) : nil)
                print(analyses.map { report.render($0) }.joined(separator: "\n\n"))
            }
        }
        throw flags.exitCode(for: analyses)
    }
}
