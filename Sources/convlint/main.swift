import ConvLintKit
import Foundation

let analysis = Analyzer.analyze(path: CommandLine.arguments[1])
let renderer = DiagnosticRenderer(color: false)
for d in analysis.diagnostics { print(renderer.render(d, in: analysis.source)) }
print(TextReport().render(analysis))
