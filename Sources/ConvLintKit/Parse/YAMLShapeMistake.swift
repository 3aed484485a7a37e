import Foundation

/// A pattern line that YAML took for something else. A plain YAML scalar cannot start with
/// `[` or `{`, so `- [CONV -> RELU]*2 -> POOL` is a syntax error or a list to YAML. SPEC §2 makes that a finding (exit 1) that shows the
/// quoted form, not a bare YAML error.
enum YAMLShapeMistake {
    static let indicators: Set<Unicode.Scalar> = ["[", "{"]

    /// For a node that should have been a pattern string.
    static func diagnostic(for node: YAMLNode, in source: SourceFile) -> Diagnostic {
        let text = source.line(node.location.line)
        let pattern = String(text.unicodeScalars.dropFirst(node.location.column - 1))
        return Diagnostic(
            RuleID.unquotedPattern,
            "YAML reads this pattern as \(node.kindName), not as text",
            at: SourceLocation(line: node.location.line, column: node.location.column,
                               length: pattern.unicodeScalars.count),
            help: "quote the line: \(quoted(pattern))")
    }

    /// For a YAML syntax error: the diagnostic to give instead, if a line between the error's
    /// context and its position is a pattern that starts with an indicator.
    static func diagnostic(for error: YAMLSyntaxError, in source: SourceFile) -> Diagnostic? {
        guard error.fromParser else { return nil }
        let last = min(error.location.line, source.lineCount)
        for number in stride(from: last, through: max(1, last - 2), by: -1) {
            guard let (column, pattern) = patternStart(in: source.line(number)) else { continue }
            return Diagnostic(
                RuleID.unquotedPattern,
                "YAML cannot read this line: a plain YAML value cannot start with '\(pattern.unicodeScalars.first!)'",
                at: SourceLocation(line: number, column: column, length: pattern.unicodeScalars.count),
                help: "quote the line: \(quoted(pattern))",
                notes: ["YAML said: \(error.message) at \(error.location.line):\(error.location.column)"])
        }
        return nil
    }

    /// The column and text of a value after `- ` or `key: ` that starts with an indicator.
    private static func patternStart(in line: String) -> (Int, String)? {
        let scalars = Array(line.unicodeScalars)
        var index = 0
        while index < scalars.count, scalars[index] == " " { index += 1 }
        if index < scalars.count, scalars[index] == "-", index + 1 < scalars.count, scalars[index + 1] == " " {
            index += 2
        } else if let colon = scalars[index...].firstIndex(of: ":"), colon + 1 < scalars.count,
            scalars[colon + 1] == " "
        {
            index = colon + 2
        } else {
            return nil
        }
        while index < scalars.count, scalars[index] == " " { index += 1 }
        guard index < scalars.count, indicators.contains(scalars[index]) else { return nil }
        // A value that YAML can read as a collection on its own is not a pattern mistake.
        let value = String(String.UnicodeScalarView(scalars[index...]))
        guard value.contains("->") || value.contains("*") else { return nil }
        return (index + 1, value.trimmingTrailingComment())
    }

    private static func quoted(_ pattern: String) -> String {
        let escaped = pattern.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}

extension String {
    /// The text before a ` #` comment, without trailing spaces.
    func trimmingTrailingComment() -> String {
        var text = self
        if let range = text.range(of: " #") { text = String(text[..<range.lowerBound]) }
        while text.last == " " { text.removeLast() }
        return text
    }
}
