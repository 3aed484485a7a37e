import Foundation

/// GitHub Actions workflow commands: each finding becomes an annotation on the pull request.
public enum GitHubReport {
    public static func render(_ analyses: [Analysis]) -> String {
        analyses.flatMap { analysis in
            analysis.diagnostics.map { line($0, file: analysis.source.path) }
        }
        .joined(separator: "\n")
    }

    static func line(_ diagnostic: Diagnostic, file: String) -> String {
        let command =
            switch diagnostic.severity {
            case .error: "error"
            case .warning: "warning"
            case .info: "notice"
            }
        var properties = ["file=\(escapeProperty(file))"]
        if let location = diagnostic.location {
            properties += ["line=\(location.line)", "col=\(location.column)", "endColumn=\(location.column + location.length)"]
        }
        properties.append("title=\(escapeProperty(diagnostic.rule))")
        var message = diagnostic.message
        if let help = diagnostic.help { message += "\nhelp: \(help)" }
        return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))"
    }

    /// The escapes of GitHub's toolkit (`@actions/core`, command.ts).
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
