import Foundation
import Testing

import ConvLintKit

/// End to end: the built `convlint` executable, run as a user runs it, from the package root so
/// that paths such as `architectures/vgg16.yaml` are the ones a user types.
@Suite struct CLITests {
    // MARK: The text table

    @Test func vgg16ExitsZeroWithTheNotesTableAndItsParameterTotal() throws {
        let result = try CLI.run("architectures/vgg16.yaml")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("CONV3-64 ") }
        #expect(rows.count == 2, "VGG16 opens with two CONV3-64 rows:\n\(result.stdout)")
        #expect(rows.allSatisfy { $0.contains("[224x224x64]") })
        #expect(result.stdout.contains("TOTAL params: 138,357,544"))
        // The one finding is the notes' own remark on VGG16: its first FC holds most parameters.
        #expect(result.stderr.hasPrefix("warning[fc-dominates-params]: FC-4096 holds 102,764,544"), "\(result.stderr)")
        #expect(!result.stderr.contains("error"))
    }

    @Test func alexnet224ExitsOneWithADiagnosticThatUnderlinesConv1() throws {
        let token = "CONV(96, F=11, S=4, P=0)"
        let (line, column) = try CLI.position(of: token, inFile: "architectures/alexnet-224.yaml")
        let result = try CLI.run("architectures/alexnet-224.yaml")
        #expect(result.exitCode == 1)
        let stderr = result.stderr
        #expect(stderr.contains("error[non-integer-output]"))
        #expect(stderr.contains("(224 − 11 + 2·0)/4 + 1 = 54.25"))
        #expect(stderr.contains("architectures/alexnet-224.yaml:\(line):\(column)"), "\(stderr)")
        #expect(stderr.split(separator: "\n").contains { $0.contains("help:") })

        // The quoted source line, then the underline: carets exactly under the token.
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let quoted = try #require(lines.firstIndex { $0.hasPrefix("\(line) |") && $0.contains(token) }, "\(stderr)")
        let underline = try #require(lines.indices.contains(quoted + 1) ? lines[quoted + 1] : nil)
        let gutter = "\(line) | ".unicodeScalars.count
        let carets = try #require(underline.firstIndex(of: "^"), "no '^' under the source line:\n\(stderr)")
        let caretColumn = underline.unicodeScalars[..<carets].count - gutter + 1
        #expect(caretColumn == column, "the first '^' stands under the token's first character")
        #expect(underline.filter { $0 == "^" }.count == token.count, "the '^^^' spans the whole call")
        #expect(underline.hasSuffix(String(repeating: "^", count: token.count)))
    }

    // MARK: JSON (SPEC §6)

    @Test func jsonReportHasEverySpecKeyAndVGG16sRealTotals() throws {
        let result = try CLI.run("architectures/vgg16.yaml", "--format", "json")
        #expect(result.exitCode == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["file", "name", "valid", "input", "batch", "dtype", "layers", "totals", "diagnostics"] {
            #expect(report[key] != nil, "missing top-level key '\(key)'")
        }
        #expect(report["file"] as? String == "architectures/vgg16.yaml")
        #expect(report["name"] as? String == "VGG16")
        #expect(report["valid"] as? Bool == true)
        #expect(report["input"] as? [Int] == [224, 224, 3])
        #expect(report["batch"] as? Int == 1)
        #expect(report["dtype"] as? String == "float32")
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { $0["rule"] as? String } == ["fc-dominates-params"])
        #expect(Set(diagnostics.first?.keys.map { $0 } ?? []) == ["rule", "severity", "message", "file", "line", "column", "help"])

        let layers = try #require(report["layers"] as? [[String: Any]])
        let layerKeys = [
            "index", "label", "kind", "line", "column", "input", "output", "activations", "weights", "biases",
            "params", "macs", "flops", "receptive_field", "jump",
        ]
        for (position, layer) in layers.enumerated() {
            let missing = layerKeys.filter { layer[$0] == nil }
            #expect(missing.isEmpty, "layer \(position) lacks \(missing)")
            #expect(layer["index"] as? Int == position, "layers are listed in execution order")
        }
        #expect(layers.first?["kind"] as? String == "INPUT")
        let conv1 = try #require(layers.first { $0["label"] as? String == "CONV3-64" })
        #expect(conv1["output"] as? [Int] == [224, 224, 64])
        #expect(conv1["weights"] as? Int == 1_728)
        #expect(conv1["params"] as? Int == 1_792)
        #expect(conv1["macs"] as? Int == 86_704_128)
        #expect(conv1["flops"] as? Int == 173_408_256)
        #expect(layers.last?["output"] as? [Int] == [1, 1, 1000])

        let totals = try #require(report["totals"] as? [String: Any])
        #expect(totals["activations"] as? Int == 15_237_608)
        #expect(totals["weights"] as? Int == 138_344_128)
        #expect(totals["biases"] as? Int == 13_416)
        #expect(totals["params"] as? Int == 138_357_544)
        #expect(totals["macs"] as? Int == 15_470_264_320)
        #expect(totals["flops"] as? Int == 30_940_528_640)
        #expect(totals["forward_bytes"] as? Int == 60_950_432)
        #expect(totals["param_bytes"] as? Int == 553_430_176)
        for key in ["inference_peak_bytes", "training_bytes"] {
            #expect((totals[key] as? Int ?? 0) > 0, "totals.\(key)")
        }
        let training = try #require(totals["training"] as? [String: Any], "totals.training holds the breakdown")
        #expect(!training.isEmpty)
    }

    @Test func jsonDiagnosticCarriesRuleSeverityLineAndColumn() throws {
        let (line, column) = try CLI.position(of: "CONV(96, F=11, S=4, P=0)", inFile: "architectures/alexnet-224.yaml")
        let result = try CLI.run("architectures/alexnet-224.yaml", "--format", "json")
        #expect(result.exitCode == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["valid"] as? Bool == false)
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        let error = try #require(diagnostics.first)
        #expect(error["rule"] as? String == "non-integer-output")
        #expect(error["severity"] as? String == "error")
        #expect(error["file"] as? String == "architectures/alexnet-224.yaml")
        #expect(error["line"] as? Int == line)
        #expect(error["column"] as? Int == column)
        #expect((error["message"] as? String)?.contains("54.25") == true)
        #expect(error["help"] is String)
    }

    @Test func twoFilesGiveAJSONArrayOfTwoReports() throws {
        let result = try CLI.run("architectures/vgg16.yaml", "architectures/lenet5.yaml", "--format", "json")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(reports.count == 2)
        #expect(reports.map { $0["file"] as? String } == ["architectures/vgg16.yaml", "architectures/lenet5.yaml"])
    }

    // MARK: Markdown

    @Test func markdownFormatPrintsAPipeTable() throws {
        let result = try CLI.run("architectures/vgg16.yaml", "--format", "markdown")
        #expect(result.exitCode == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("|") }, "\(result.stdout)")
        #expect(lines[header].contains("Layer"))
        #expect(lines[header + 1].hasPrefix("|") && lines[header + 1].contains("--"), "a separator row follows the header")
        let conv = lines.filter { $0.hasPrefix("|") && $0.contains("CONV3-64") }
        #expect(conv.count == 2)
        #expect(conv.allSatisfy { $0.hasSuffix("|") })
    }

    /// Piped (as here) the table has no bars unless asked; `--bars` draws them in the locale's
    /// style, and `--no-bars` takes them out of markdown.
    @Test func barsAreOffWhenPipedUnlessAskedAndASCIIInTheCLocale() throws {
        #expect(try !CLI.run("architectures/vgg16.yaml").stdout.contains("SHARE"))
        let unicode = try CLI.run("architectures/vgg16.yaml", "--bars", environment: ["LC_ALL": "C.UTF-8"]).stdout
        #expect(unicode.contains("MEMORY SHARE  PARAMS SHARE") && unicode.contains("████████ 74%"))
        let ascii = try CLI.run("architectures/vgg16.yaml", "--bars", environment: ["LC_ALL": "C"]).stdout
        #expect(ascii.contains("######## 74%") && !ascii.contains("█"))
        #expect(try !CLI.run("architectures/vgg16.yaml", "-f", "markdown", "--no-bars").stdout.contains("share"))
    }

    @Test func reportWritesOnePageAndFormatHTMLPrintsIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlint-report-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let written = try CLI.run("report", "architectures/vgg16.yaml", "architectures/lenet5.yaml", "-o", path)
        #expect(written.exitCode == 0, "\(written.stderr)")
        #expect(written.stderr.contains("wrote \(path)"))
        let page = try String(contentsOfFile: path, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.components(separatedBy: "<section").count == 3)
        let printed = try CLI.run("architectures/alexnet-224.yaml", "--format", "html")
        #expect(printed.exitCode == 1 && printed.stdout.contains("error[non-integer-output]"))
        let run = try CLI.run("run", "architectures/lenet5.yaml", "--format", "html", "--quiet")
        #expect(run.exitCode == 0 && run.stdout.contains("Measured on this CPU"), "\(run.stderr)")
        _ = try HTMLReportTests.read(run.stdout)
        let unwritable = try CLI.run("report", "architectures/vgg16.yaml", "-o", "/nonexistent/dir/x.html")
        #expect(unwritable.exitCode == 2 && unwritable.stderr.contains("cannot write /nonexistent/dir/x.html"))
    }

    /// The wheel and its Python package say the version the binary prints.
    @Test func theWheelCarriesTheBinarysVersion() throws {
        let root = CLI.packageRoot
        let pyproject = try String(contentsOf: root.appendingPathComponent("pyproject.toml"), encoding: .utf8)
        let package = try String(contentsOf: root.appendingPathComponent("Sources/python/convlint/__init__.py"), encoding: .utf8)
        #expect(pyproject.contains("\nversion = \"\(ConvLintVersion.current)\"\n"))
        #expect(package.contains("__version__ = \"\(ConvLintVersion.current)\""))
        #expect(try CLI.run("--version").stdout == ConvLintVersion.current + "\n")
    }

    /// The shipped files, found from the binary (here: the source checkout above `.build`).
    @Test func architecturesListsTheShippedFilesWithTheirSizes() throws {
        let paths = try CLI.run("architectures", "--paths").stdout.split(separator: "\n").map(String.init)
        let shipped = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("architectures").path)
            .filter { $0.hasSuffix(".yaml") }
        #expect(paths.count == shipped.count && paths.allSatisfy { $0.hasSuffix(".yaml") && FileManager.default.fileExists(atPath: $0) })
        let table = try CLI.run("architectures").stdout
        #expect(table.contains { $0 == "\n" } && table.split(separator: "\n").contains { $0.hasPrefix("vgg16.yaml ") && $0.contains("138,357,544") && $0.hasSuffix("valid") })
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("alexnet-224.yaml ") && $0.hasSuffix("error[non-integer-output]") })
    }

    // MARK: Exit codes (SPEC §7)

    @Test func strictTurnsAWarningOnlyFileFromZeroIntoOne() throws {
        let plain = try CLI.run("architectures/resnet18.yaml", "--quiet")
        let strict = try CLI.run("architectures/resnet18.yaml", "--quiet", "--strict")
        #expect(plain.exitCode == 0)
        #expect(plain.stderr.contains("warning[rounded-output]"), "resnet18.yaml floors its stem")
        #expect(!plain.stderr.contains("error["))
        #expect(strict.exitCode == 1)
    }

    @Test func malformedYAMLExitsTwo() throws {
        let file = try CLI.temporaryFile("input: [32, 32, 3\nnetwork: INPUT -> CONV(8, F=3)\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(file.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("error[yaml-syntax]"), "\(result.stderr)")
    }

    @Test func missingFileExitsTwo() throws {
        let result = try CLI.run("architectures/no-such-network.yaml")
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("no such file"), "\(result.stderr)")
        #expect(result.stderr.contains("architectures/no-such-network.yaml"))
    }

    @Test func unknownFlagExitsTwoNotSixtyFour() throws {
        let result = try CLI.run("--bogus", "architectures/vgg16.yaml")
        #expect(result.exitCode == 2, "SPEC §7: usage errors exit 2 (ArgumentParser's default is 64)")
        #expect(result.stderr.contains("--bogus"))
    }

    @Test func batchZeroIsAUsageErrorThatExitsTwo() throws {
        let result = try CLI.run("architectures/vgg16.yaml", "--batch", "0")
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--batch"))
    }

    @Test func helpExitsZeroAndDocumentsTheExitCodes() throws {
        let result = try CLI.run("--help")
        #expect(result.exitCode == 0)
        let help = result.stdout + result.stderr
        #expect(help.contains("Exit status"))
        #expect(help.contains("0 no errors"))
        #expect(help.contains("1 errors found"))
        #expect(help.contains("2 usage error"))
    }

    // MARK: Overrides

    @Test func settingNToOnesShrinksVGG16sParameters() throws {
        let result = try CLI.run("architectures/vgg16.yaml", "--set", "N=[1,1,1,1,1]")
        #expect(result.exitCode == 0, "\(result.stderr)")
        // One CONV per stage: 3,910,784 CONV params + 123,642,856 FC params.
        #expect(result.stdout.contains("TOTAL params: 127,553,640"), "\(result.stdout)")
        #expect(!result.stdout.contains("138,357,544"))
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("CONV3-64 ") }.count == 1)
    }

    @Test func input384OnFCAsConvVGG16GivesA6x6x1000Output() throws {
        let result = try CLI.run("architectures/vgg16-fc-as-conv.yaml", "--input", "384x384x3", "--format", "json")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["input"] as? [Int] == [384, 384, 3])
        let layers = try #require(report["layers"] as? [[String: Any]])
        #expect(layers.last?["output"] as? [Int] == [6, 6, 1000])
    }

    // MARK: Output hygiene

    @Test func pipedOutputHasNoANSIEscapes() throws {
        let result = try CLI.run("architectures/alexnet-224.yaml", environment: ["TERM": "xterm-256color"])
        #expect(!result.stderr.isEmpty)
        #expect(!result.stdout.contains("\u{1B}["))
        #expect(!result.stderr.contains("\u{1B}["))
    }

    @Test func noColorOnATerminalHasNoANSIEscapes() throws {
        // `script` gives convlint a pseudo-terminal, where it would colour its diagnostics.
        #if os(Linux)
        let script = URL(fileURLWithPath: "/usr/bin/script")
        try #require(FileManager.default.isExecutableFile(atPath: script.path), "needs util-linux 'script' for a pty")
        let command = "'\(try CLI.executablePath())' architectures/alexnet-224.yaml --quiet"
        let coloured = try CLI.run(executable: script, ["-qec", command, "/dev/null"], environment: ["TERM": "xterm-256color"])
        try #require(coloured.stdout.contains("error[non-integer-output]"), "\(coloured.stdout)")
        #expect(coloured.stdout.contains("\u{1B}["), "on a terminal, without NO_COLOR, diagnostics are coloured")
        let plain = try CLI.run(
            executable: script, ["-qec", command, "/dev/null"], environment: ["TERM": "xterm-256color", "NO_COLOR": "1"])
        #expect(plain.stdout.contains("error[non-integer-output]"))
        #expect(!plain.stdout.contains("\u{1B}["), "NO_COLOR turns colour off even on a terminal")
        #endif
    }

    @Test func quietPrintsNoTableButStillTheFindings() throws {
        let valid = try CLI.run("architectures/vgg16.yaml", "--quiet")
        #expect(valid.exitCode == 0)
        #expect(!valid.stdout.contains("CONV3-64"))
        #expect(!valid.stdout.contains("TOTAL"))
        let invalid = try CLI.run("architectures/alexnet-224.yaml", "--quiet")
        #expect(invalid.exitCode == 1)
        #expect(!invalid.stdout.contains("TOTAL"))
        #expect(invalid.stderr.contains("error[non-integer-output]"))
    }

    // MARK: Hostile input, end to end

    @Test func hugeInputVolumeExitsOneWithAnOverflowErrorInsteadOfCrashing() throws {
        // 2^40 · 2^20 · 4 = 2^62 elements: the memory overflows; printing the totals must not trap.
        let file = try CLI.temporaryFile("input: 1099511627776x1048576x4\nnetwork: INPUT -> GAP\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(file.path)
        let crash = result.stderr.split(separator: "\n").filter {
            $0.contains("runtime failure") || $0.contains("Fatal error") || $0.contains("/Sources/")
        }.prefix(3)
        #expect(crash.isEmpty, "convlint crashed:\n\(crash.joined(separator: "\n"))")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("error[arithmetic-overflow]"))
    }
}

/// `convlint run`: passes, the saved output and its usage errors.
extension CLITests {
    static let cifar = "architectures/pattern-3x-conv-conv-pool.yaml"

    @Test func runTimesEveryPassAndAgreesWithTheStaticFigures() throws {
        let result = try CLI.run("run", Self.cifar, "--passes", "3", "--format", "json", "--quiet")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let measured = try #require((report["totals"] as? [String: Any])?["measured"] as? [String: Any])
        let passes = try #require(measured["passes_seconds"] as? [Double])
        #expect(passes.count == 3)
        #expect(measured["seconds"] as? Double == passes.min())
        #expect(measured["macs"] as? Int == (report["totals"] as? [String: Any])?["macs"] as? Int)
    }

    @Test func runSavesTheLastOutputAsAnNpyFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlint-\(UUID().uuidString).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLI.run("run", Self.cifar, "--save-output", path, "--quiet")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let data = try #require(FileManager.default.contents(atPath: path))
        let header = Int(data[8]) | Int(data[9]) << 8
        #expect(String(decoding: data[10..<(10 + header)], as: UTF8.self).contains("'shape': (1, 10, 1, 1)"))
        #expect(data.count == 10 + header + 10 * 4)
    }

    @Test(arguments: [["--passes", "0"], ["--format", "sarif"], ["--save-output", "/nonexistent-folder/out.npy"]])
    func runUsageAndOutputErrorsExitTwo(_ arguments: [String]) throws {
        let result = try CLI.run(executable: URL(fileURLWithPath: try CLI.executablePath()), ["run", Self.cifar, "--quiet"] + arguments)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }
}

/// Finds and runs the built `convlint`.
extension CLITests {
    @Test func vgg16AtBatch64WithMomentumDoesNotFit8GiBButFits16GiB() throws {
        let tight = try CLI.run("architectures/vgg16.yaml", "--batch", "64", "--optimizer", "momentum", "--gpu-memory", "8GiB")
        #expect(tight.exitCode == 1)
        #expect(tight.stderr.contains("error[exceeds-memory-budget]: a training step at batch 64 (--batch 64) needs"))
        #expect(tight.stderr.contains("= help: the largest batch that fits is "))
        let roomy = try CLI.run("architectures/vgg16.yaml", "--batch", "64", "--optimizer", "momentum", "--gpu-memory", "16GiB")
        #expect(roomy.exitCode == 0, "\(roomy.stderr)")
        #expect(roomy.stdout.contains("GPU memory 16.0 GiB: the largest batch whose training step fits is "))
    }

    enum CLI {
        struct Result {
            var exitCode: Int32
            var stdout: String
            var stderr: String
        }

        /// The package root, where `architectures/` lives.
        static let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        /// A run that takes longer than this is stopped and fails its test.
        static let timeout: Duration = .seconds(60)

        /// `convlint` next to the test bundle, beside it, or in the package's `.build/debug`.
        static func executablePath() throws -> String {
            let bundle = Bundle.main.bundleURL
            let candidates = [
                bundle.appendingPathComponent("convlint"),
                bundle.deletingLastPathComponent().appendingPathComponent("convlint"),
                packageRoot.appendingPathComponent(".build/debug/convlint"),
            ]
            let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
            return try #require(
                found,
                "the convlint executable was not found; build it with 'swift build' (looked in \(candidates.map(\.path)))"
            ).path
        }

        static func run(_ arguments: String..., environment: [String: String] = [:]) throws -> Result {
            try run(executable: URL(fileURLWithPath: try executablePath()), arguments, environment: environment)
        }

        /// Runs `executable` in the package root; output goes to files, so no pipe can fill up and block it.
        static func run(executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
            let files = FileManager.default
            let scratch = files.temporaryDirectory.appendingPathComponent("convlint-cli-\(UUID().uuidString)")
            try files.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? files.removeItem(at: scratch) }
            let stdoutURL = scratch.appendingPathComponent("stdout")
            let stderrURL = scratch.appendingPathComponent("stderr")
            _ = files.createFile(atPath: stdoutURL.path, contents: nil)
            _ = files.createFile(atPath: stderrURL.path, contents: nil)
            let stdout = try FileHandle(forWritingTo: stdoutURL)
            let stderr = try FileHandle(forWritingTo: stderrURL)

            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = packageRoot
            var inherited = ProcessInfo.processInfo.environment
            inherited["NO_COLOR"] = nil
            process.environment = inherited.merging(environment) { $1 }
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            let deadline = ContinuousClock.now + timeout
            while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
                Issue.record("convlint \(arguments.joined(separator: " ")) ran past \(timeout) and was stopped")
            }
            process.waitUntilExit()
            try stdout.close()
            try stderr.close()
            return Result(
                exitCode: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus,
                stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
                stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self))
        }

        /// The 1-based line and column (in characters) of the first occurrence of `token` in a file.
        static func position(of token: String, inFile path: String) throws -> (line: Int, column: Int) {
            let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let range = line.range(of: token) {
                    return (index + 1, line.unicodeScalars[..<range.lowerBound].count + 1)
                }
            }
            throw CLIError.tokenNotFound(token, path)
        }

        enum CLIError: Error { case tokenNotFound(String, String) }

        /// A new YAML file in the temporary directory; the caller removes it.
        static func temporaryFile(_ text: String) throws -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("convlint-cli-\(UUID().uuidString).yaml")
            try Data(text.utf8).write(to: url)
            return url
        }
    }
}
