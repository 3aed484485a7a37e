import ArgumentParser
import ConvLintKit
import Foundation

/// Finds and reads `.convlint.yml`, turning a bad one into a usage error (exit 2).
enum ConfigurationLoader {
    static func load(explicit path: String?, near directory: String) throws -> Configuration {
        guard let path = path ?? Configuration.find(from: directory) else { return Configuration() }
        do {
            return try Configuration.load(path: path)
        } catch {
            let renderer = DiagnosticRenderer(color: Terminal.supportsColor(fileDescriptor: 2))
            Terminal.printError(renderer.render(error.diagnostic, in: error.source))
            throw ExitCode(2)
        }
    }
}
