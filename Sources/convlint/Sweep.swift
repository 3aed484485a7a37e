import ArgumentParser
import ConvLintKit
import Foundation

extension SweepReport.Format: ExpressibleByArgument {}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Check every combination of a grid of settings: valid or not, and what each costs.",
        discussion: """
            Each --vary names a variable of the file (as --set does), one of input, batch, dtype, \
            rounding, optimizer or gpu-memory, an argument of a kind's defaults (CONV.size, POOL.stride), or a \
            bare optional layer of the pattern (POOL? for every 'POOL?'), \
            with its values: a range (N=1...4), a list (batch=16,32,64), lists of lists \
            (F=[32,64,128],[64,128,256]) or shapes (input=224x224x3,256x256x3). Every combination \
            is checked, on every core, and reported with its first error or its parameters, MACs, \
            forward and training memory, and with --gpu-memory the largest batch that fits.

            Examples:
              convlint sweep net.yaml --vary N=1...4 --vary M=1...3 --vary batch=16,32,64
              convlint sweep net.yaml --vary N=1...4 --vary 'POOL?=true,false' --where 'valid and params < 20M' --sort macs
              convlint sweep vgg16.yaml --vary input=224x224x3,256x256x3 --gpu-memory 16GiB --format csv > grid.csv
              convlint sweep net.yaml --vary N=0...3 --vary M=1...5 --best 'min macs where valid and params < 5M'

            --where compares the figures params, macs, flops, forward_bytes, training_bytes and \
            largest_batch, and any numeric setting varied, with < <= > >= == !=, joined by and, or, \
            not and parentheses; numbers take K, M, G (powers of 1000) or KiB, MiB, GiB. A figure \
            of an invalid combination compares false; 'valid' and 'invalid' select by outcome.

            Ctrl-C stops the sweep and prints what it has. Exit status: 0 when a combination shown \
            is valid, 1 when none is, 2 for a usage error or an unreadable file.
            """)

    @Argument(help: "The architecture file (YAML), or an ONNX model (.onnx).")
    var file: String

    @Option(name: .customLong("vary"), help: ArgumentHelp("A setting and its values; repeatable.", valueName: "NAME=VALUES"))
    var axes: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("Show only the combinations that match.", valueName: "CONDITION"))
    var condition: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Order by a figure, smallest first; '-macs' for largest first.", valueName: "FIGURE"))
    var sort: String?

    @Option(help: "Show at most this many combinations (after --where and --sort).")
    var top: Int?

    @Option(help: ArgumentHelp(
        "The one combination that answers 'min FIGURE where CONDITION' (or max): --where, --sort and --top 1 in one.",
        valueName: "QUESTION"))
    var best: String?

    @Option(
        name: .shortAndLong,
        help: "Output format: text (a table), csv, json, markdown (pastes into a PR) or html (a page with scatter plots).")
    var format: SweepReport.Format = .text

    @Option(help: "Configuration file (default: the nearest .convlint.yml from the file's folder upward).")
    var config: String?

    @OptionGroup(title: "Analysis (the same for every combination)")
    var analysis: AnalysisFlags

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    func validate() throws {
        if axes.isEmpty { throw ValidationError("give at least one --vary NAME=VALUES, e.g. --vary N=1...4") }
        if let top, top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if best != nil, condition != nil || sort != nil || top != nil {
            throw ValidationError("--best already says the order, the condition and how many; drop --where, --sort and --top")
        }
    }

    /// `min macs where valid and params < 5M` as (figure, descending, condition).
    static func question(_ text: String) throws -> (figure: String, descending: Bool, condition: String?) {
        let words = text.split(separator: " ", maxSplits: 2).map(String.init)
        guard words.count >= 2, ["min", "max"].contains(words[0].lowercased()) else {
            throw ValidationError("--best takes 'min FIGURE' or 'max FIGURE', then 'where CONDITION'; got '\(text)'")
        }
        guard words.count == 2 || words[2].lowercased().hasPrefix("where ") else {
            throw ValidationError("--best '\(text)': after the figure comes 'where CONDITION'")
        }
        return (words[1], words[0].lowercased() == "max", words.count == 3 ? String(words[2].dropFirst(6)) : nil)
    }

    func run() throws {
        let base = try analysis.options()
        let question = try best.map(Self.question)
        let condition = question.map { $0.condition ?? "valid" } ?? condition
        let sort = question.map { ($0.descending ? "-" : "") + $0.figure } ?? sort
        let top = question == nil ? top : 1
        let grid: SweepGrid
        var selection = SweepSelection(limit: top)
        do throws(SweepError) {
            grid = try SweepGrid(axes.map { (text) throws(SweepError) in try SweepAxis(parsing: text) })
            selection.filter = try condition.map { (text) throws(SweepError) in try SweepFilter(parsing: text, grid: grid) }
            if let sort {
                selection.descending = sort.hasPrefix("-")
                selection.order = try SweepKey(name: String(sort.dropFirst(selection.descending ? 1 : 0)), grid: grid)
            }
        } catch {
            throw ValidationError(error.message)
        }
        // The first combination alone: a file that cannot be read, or a --vary that names nothing
        // in it, is one usage error, not one per combination.
        let reading = ModelFile.analyze(path: file, options: grid.options(at: 0, base: base))
        if ExitStatus.code(for: [reading], strict: false) == 2 {
            Terminal.printDiagnostics([reading])
            throw ExitCode(2)
        }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let sweep = Sweep(
            source: reading.source, grid: grid, base: base,
            configuration: try ConfigurationLoader.load(explicit: config, near: folder))

        let interruption = Interruption()
        let progress = ProgressLine(total: grid.count, enabled: !quiet && isatty(2) == 1)
        let outcome = sweep.run(selection, stop: { interruption.happened }, progress: progress.update)
        progress.finish()
        let report = SweepReport(grid: grid, outcome: outcome, gpuMemory: base.gpuMemory)
        print(report.render(format))
        if format != .text { Terminal.printError(report.summary) }
        if interruption.happened { throw ExitCode(130) }
        throw ExitCode(outcome.shown.contains(where: \.isValid) ? 0 : 1)
    }
}

/// Ctrl-C during a sweep: remembered, so that the workers stop and what they found is printed.
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [lock] in
            lock.lock()
            self.flag = true
            lock.unlock()
        }
        source.resume()
    }

    var happened: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}

/// "checked 1,234 of 36,000 combinations" on standard error, for sweeps that take over a second.
final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var last = ContinuousClock.now
    private var shown = false
    private let lock = NSLock()

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        guard now - start > .seconds(1), now - last > .milliseconds(100) else { return }
        last = now
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[Kchecked \(done.grouped) of \(total.grouped) combinations".utf8))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
