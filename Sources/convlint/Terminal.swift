import ConvLintKit
import Foundation

enum Terminal {
    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static func supportsColor(fileDescriptor: Int32) -> Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(fileDescriptor) == 1
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Each analysis's diagnostics, rendered, on standard error (in colour on a terminal).
    static func printDiagnostics(_ analyses: [Analysis], where include: (Diagnostic) -> Bool = { _ in true }) {
        let renderer = DiagnosticRenderer(color: supportsColor(fileDescriptor: 2))
        for analysis in analyses {
            for diagnostic in analysis.diagnostics where include(diagnostic) {
                printError(renderer.render(diagnostic, in: analysis.source) + "\n")
            }
        }
    }
}
