import ArgumentParser
import ConvLintKit
import Foundation

@main
struct ConvLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convlint",
        abstract: "Check convolutional network architectures before you spend GPU hours on them.",
        discussion: """
            convlint reads an architecture file, expands its layer pattern, infers every output \
            volume, rejects stride/padding/input combinations where (W - F + 2P)/S + 1 is not an \
            integer, and prints a VGG-style table of output volumes, memory, parameters and MACs.

            Examples:
              convlint architectures/vgg16.yaml
              convlint architectures/*.yaml --format json > report.json
              convlint net.yaml --set N=3 --input 32x32x3 --batch 64
              convlint vgg16.yaml --batch 64 --gpu-memory 16GiB     (does a training step fit?)
              convlint architectures/*.yaml --format sarif > convlint.sarif
              convlint explain large-filter
              convlint sweep net.yaml --vary N=1...4 --vary batch=16,32,64   (a whole grid)
              convlint report architectures/vgg16.yaml           (vgg16.html: the report with charts)
              convlint run architectures/resnet50.yaml            (run it for real on the CPU)

            'convlint FILE' runs the check command; 'convlint check --help' lists all its options.

            Exit status: 0 no errors (warnings allowed unless --strict); 1 errors found, or \
            warnings under --strict; 2 usage error, unreadable file or malformed YAML.
            """,
        version: ConvLintVersion.current,
        subcommands: [Check.self, SweepCommand.self, Report.self, Run.self, Import.self, Export.self, Rules.self, Explain.self, Schema.self, Architectures.self],
        defaultSubcommand: Check.self)

    /// ArgumentParser exits 64 on usage errors; SPEC §7 promises 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
