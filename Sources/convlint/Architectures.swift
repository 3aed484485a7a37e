import ArgumentParser
import ConvLintKit
import Foundation

struct Architectures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the architecture files shipped with convlint, with their sizes.",
        discussion: """
            The files are those of the wheel (beside the binary) or of the source checkout the binary \
            was built in. Each is checked, so the list shows what each costs and that all are valid \
            (alexnet-224.yaml is the notes' invalid example, on purpose).

            Examples:
              convlint architectures
              convlint $(convlint architectures --paths | grep resnet50) --batch 64 --gpu-memory 16GiB
            """)

    @Flag(help: "Only the paths, one a line, for scripts.")
    var paths = false

    func run() throws {
        guard let directory = Self.directory() else {
            throw ValidationError("no shipped architectures beside \(Self.executable.path) or in a source checkout above it")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
        if paths {
            for file in files { print(file) }
            return
        }
        let analyses = Parallel.map(files.count) { Checker.check(path: files[$0]) }.map { $0! }
        var rows = [["FILE", "NETWORK", "INPUT", "PARAMS", "MACS", "CHECK"]]
        for (file, analysis) in zip(files, analyses) {
            let errors = analysis.diagnostics.filter { $0.severity == .error }
            rows.append([
                // The patterns' names are their patterns: long.
                URL(fileURLWithPath: file).lastPathComponent, analysis.name.count > 40 ? analysis.name.prefix(39) + "…" : analysis.name,
                analysis.input.map { "\($0)" } ?? "-",
                analysis.totals.params.grouped, analysis.totals.macs.compact,
                errors.first.map { "error[\($0.rule)]" } ?? "valid",
            ])
        }
        print((TextReport.align(rows, rightAligned: [3, 4]) + ["", "\(files.count) files in \(directory.path)"]).joined(separator: "\n"))
    }

    static var executable: URL { (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath() }

    /// The wheel's `convlint/architectures` beside `convlint/bin/`, else the `architectures` of the
    /// source checkout (the folder with `Package.swift`) above the binary.
    static func directory() -> URL? {
        let binaries = executable.deletingLastPathComponent()
        let manager = FileManager.default
        let wheel = binaries.deletingLastPathComponent().appendingPathComponent("architectures")
        if manager.fileExists(atPath: wheel.path) { return wheel }
        var folder = binaries
        for _ in 0..<6 {
            if manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder.appendingPathComponent("architectures")
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }
}
