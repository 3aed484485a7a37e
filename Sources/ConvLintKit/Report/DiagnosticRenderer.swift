import Foundation

/// Renders diagnostics the way rustc and Swift do: the file:line:col, the source line with
/// the token underlined, notes, and a `help:` line.
public struct DiagnosticRenderer {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    public func render(_ diagnostic: Diagnostic, in source: SourceFile) -> String {
        let severityColor =
            switch diagnostic.severity {
            case .error: "1;31"
            case .warning: "1;33"
            case .info: "1;36"
            }
        var lines = [
            paint("\(diagnostic.severity.rawValue)[\(diagnostic.rule)]", severityColor)
                + paint(": \(diagnostic.message)", "1")
        ]
        guard let location = diagnostic.location else {
            lines.append("  --> \(source.path)")
            append(diagnostic, gutter: "  ", to: &lines)
            return lines.joined(separator: "\n")
        }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count + 1)
        lines.append("\(gutter.dropLast())--> \(source.path):\(location.line):\(location.column)")
        let text = source.line(location.line).displayable()
        if location.line <= source.lineCount, !source.scalars.isEmpty {
            let width = text.unicodeScalars.count
            let start = min(location.column, width + 1)
            let length = max(1, min(location.length, width - start + 1))
            lines.append(paint("\(gutter)|", "1;34"))
            lines.append(paint("\(number) |", "1;34") + " \(text)")
            lines.append(
                paint("\(gutter)|", "1;34") + " " + String(repeating: " ", count: start - 1)
                    + paint(String(repeating: "^", count: length), severityColor))
        }
        append(diagnostic, gutter: gutter, to: &lines)
        return lines.joined(separator: "\n")
    }

    private func append(_ diagnostic: Diagnostic, gutter: String, to lines: inout [String]) {
        for note in diagnostic.notes { lines.append("\(gutter)= note: \(note)") }
        guard let help = diagnostic.help else { return }
        // Alternatives go one per line, aligned under the first, as in the STYLE example.
        let alternatives = help.components(separatedBy: "; ")
        let indent = gutter + String(repeating: " ", count: "= help: ".count)
        lines.append("\(gutter)= " + paint("help", "1") + ": " + alternatives.joined(separator: ";\n" + indent))
    }
}

extension String {
    /// One column per scalar, as locations count: a tab as a space, control characters as
    /// their visible Unicode pictures (␀).
    func displayable() -> String {
        String(
            String.UnicodeScalarView(
                unicodeScalars.map { scalar in
                    switch scalar.value {
                    case 0x09: " "
                    case 0x00..<0x20: Unicode.Scalar(0x2400 + scalar.value)!
                    case 0x7F: "\u{2421}"
                    default: scalar
                    }
                }))
    }
}
