import Foundation
import Testing

@testable import ConvLintKit

/// `convlint sweep`: grids read from `--vary`, every combination checked, filtered, sorted and
/// reported.
@Suite struct SweepTests {
    static func grid(_ axes: String...) throws -> SweepGrid {
        try SweepGrid(axes.map { (text) throws(SweepError) in try SweepAxis(parsing: text) })
    }

    static func sweep(_ file: String, _ axes: String..., options: AnalysisOptions = AnalysisOptions()) throws -> [SweepResult] {
        let grid = try SweepGrid(axes.map { (text) throws(SweepError) in try SweepAxis(parsing: text) })
        let source = Analyzer.analyze(path: architecturesDirectory.appendingPathComponent(file).path).source
        return Sweep(source: source, grid: grid, base: options).run().shown
    }

    @Test func rangesListsOfListsAndShapesAreRead() throws {
        let (range, lists) = (try SweepAxis(parsing: "N=1...4"), try SweepAxis(parsing: "F=[32,64,128],[64, 128, 256]"))
        #expect(range.values == ["1", "2", "3", "4"])
        #expect(lists.values == ["[32,64,128]", "[64, 128, 256]"])
        let input = try SweepAxis(parsing: "input=224x224x3,256x256x3")
        #expect(input.setting == .input && input.values == ["224x224x3", "256x256x3"])
        let (pool, batch) = (try SweepAxis(parsing: "POOL?=true,false"), try SweepAxis(parsing: "batch=16,32"))
        #expect(pool.setting == .optionalLayer("POOL"))
        #expect(batch.setting == .batch)
    }

    @Test(arguments: [
        ("N", "NAME=VALUES"), ("N=4...1", "the range runs backwards"), ("F=[1,2", "a '[' is not closed"),
        ("F=1,,2", "value 2 is empty"), ("input=224x224", "is not W x H x D"), ("batch=0", "is not a batch"),
        ("dtype=float8", "is not one of"), ("POOL?=yes", "is not true or false"), ("N=1...10000000", "more than 1,000,000 values"),
    ])
    func badAxesAreUsageErrorsThatSayWhy(_ text: String, _ fragment: String) {
        #expect {
            _ = try SweepAxis(parsing: text)
        } throws: { error in
            (error as? SweepError)?.message.contains(fragment) == true
        }
    }

    @Test func combinationsNestAsLoopsWithTheFirstAxisSlowest() throws {
        let grid = try Self.grid("N=1...2", "batch=16,32,64")
        #expect(grid.count == 6)
        #expect((0..<6).map { grid.values(at: $0) } == [
            ["1", "16"], ["1", "32"], ["1", "64"], ["2", "16"], ["2", "32"], ["2", "64"],
        ])
        #expect(throws: SweepError.self) { _ = try Self.grid("N=1...2", "N=3...4") }
        // A bound on the work, not on time: 2,000 · 1,000 combinations are refused before any runs.
        #expect(throws: SweepError.self) { _ = try Self.grid("A=1...2000", "B=1...1000") }
    }

    /// VGG A, B, D and E are VGG16's file with other counts per stage; torchvision's parameter
    /// counts (vgg11, vgg13, vgg16, vgg19).
    @Test func varyingTheStageCountsOfVGG16GivesTheWholeVGGFamily() throws {
        let results = try Self.sweep("vgg16.yaml", "N=[1,1,2,2,2],[2,2,2,2,2],[2,2,3,3,3],[2,2,4,4,4]")
        #expect(results.map(\.params) == [132_863_336, 133_047_848, 138_357_544, 143_667_240])
        #expect(results.allSatisfy { $0.isValid })
    }

    /// A defaults argument as an axis: VGG16 with 5x5 'same' filters has 25/9 of its CONV
    /// weights (14,710,464 → 40,862,400), the biases and FC layers unchanged.
    @Test func aDefaultsArgumentIsAnAxis() throws {
        let results = try Self.sweep("vgg16.yaml", "CONV.size=3,5", "CONV.pad=1,2")
        #expect(results.map(\.isValid) == [true, false, false, true])
        #expect(results[0].params == 138_357_544)
        #expect(results[3].params == 40_862_400 + 4_224 + 123_642_856)
        #expect(results[1].error?.rule == "non-integer-output")
        #expect(throws: SweepError.self) { _ = try SweepAxis(parsing: "CONV.size=[3") }
    }

    @Test func whereFiltersAndSortOrdersByTheFigures() throws {
        let grid = try Self.grid("N=[1,1,2,2,2],[2,2,2,2,2],[2,2,3,3,3],[2,2,4,4,4]")
        let results = try Self.sweep("vgg16.yaml", "N=[1,1,2,2,2],[2,2,2,2,2],[2,2,3,3,3],[2,2,4,4,4]")
        let small = try SweepFilter(parsing: "params < 135M and (macs > 7G or not valid)", grid: grid)
        #expect(results.filter(small.matches).map(\.index) == [0, 1])
        let large = try SweepFilter(parsing: "training_bytes >= 1GiB and invalid", grid: grid)
        #expect(results.filter(large.matches).isEmpty)
        #expect(SweepFilter.quantity("12GiB") == 12 * 0x1p30 && SweepFilter.quantity("1.5G") == 1.5e9)
        #expect(throws: SweepError.self) { _ = try SweepFilter(parsing: "parms < 20M", grid: grid) }
        #expect(throws: SweepError.self) { _ = try SweepFilter(parsing: "params <", grid: grid) }
        #expect(throws: SweepError.self) { _ = try SweepFilter(parsing: "(params < 20M", grid: grid) }
    }

    /// The notes' pattern with its optional POOL: without pools a 32x32 input stays 32x32 and
    /// the first FC grows; with five pools it does not fit at all.
    @Test func theNotesPatternSweptOverItsCountsAndItsOptionalPool() throws {
        let yaml = """
            input: 32x32x3
            defaults: {CONV: {size: 3, pad: 1}}
            vars: {N: 1, M: 1, K: 1}
            network: INPUT -> [[CONV(16) -> RELU]*N -> POOL?]*M -> [FC(64) -> RELU]*K -> FC(10)
            """
        let grid = try Self.grid("M=1...6", "POOL?=true,false")
        let outcome = Sweep(source: SourceFile(path: "notes.yaml", text: yaml), grid: grid, base: AnalysisOptions()).run()
        let results = outcome.shown
        #expect(results.count == 12)
        // M = 1, pooled: CONV 3·9·16+16 = 448; FC (16·16·16)·64+64 = 262,208; FC 64·10+10 = 650.
        #expect(results[0].params == 448 + 262_208 + 650)
        // M = 1, no pool: the FC reads 32·32·16.
        #expect(results[1].params == 448 + 32 * 32 * 16 * 64 + 64 + 650)
        // Pooling 32 six times leaves less than one pixel.
        #expect(results[10].error?.rule == RuleID.invalidShape)
        #expect(results[11].isValid)
        let report = SweepReport(grid: grid, outcome: outcome, gpuMemory: nil)
        #expect(report.summary == "12 combinations: 11 valid, 1 invalid (invalid-shape 1)")
        let csv = report.render(.csv).split(separator: "\n")
        #expect(csv.first == "M,POOL?,valid,params,macs,forward_bytes,training_bytes,first_error")
        #expect(csv[1].hasPrefix("1,true,true,263306,"))
    }

    @Test func anInterruptedSweepKeepsWhatItReached() throws {
        let grid = try Self.grid("N=1...50")
        let yaml = "input: 8x8x3\nvars: {N: 1}\nnetwork: INPUT -> [CONV(4, F=3, P=1)]*N -> FC(2)"
        let asked = Calls()
        let outcome = Sweep(source: SourceFile(path: "x.yaml", text: yaml), grid: grid, base: AnalysisOptions())
            .run(stop: { asked.count() > 10 })
        #expect(outcome.checked > 0 && outcome.checked < 50)
        #expect(outcome.shown.count == outcome.checked)
        let report = SweepReport(grid: grid, outcome: outcome, gpuMemory: nil)
        #expect(report.summary.contains("of 50 combinations (interrupted)"))
    }

    /// With a limit, a sweep keeps only what it can still show while it runs: the same best
    /// results as sorting everything, from a bounded list.
    @Test func aLimitedSelectionEqualsSortingEverything() throws {
        let yaml = "input: 8x8x3\nvars: {N: 1, F: 4}\nnetwork: INPUT -> [CONV(F, F=3, P=1)]*N -> FC(2)"
        let grid = try Self.grid("N=1...20", "F=1...20")
        let sweep = Sweep(source: SourceFile(path: "x.yaml", text: yaml), grid: grid, base: AnalysisOptions())
        let order = try SweepKey(name: "params", grid: grid)
        let everything = sweep.run(SweepSelection(order: order, descending: true)).shown
        let top = sweep.run(SweepSelection(order: order, descending: true, limit: 7))
        #expect(everything.count == 400 && top.checked == 400)
        #expect(top.shown.map(\.index) == everything.prefix(7).map(\.index))
    }

    /// How many times a closure was called, from any thread.
    final class Calls: @unchecked Sendable {
        private var calls = 0
        private let lock = NSLock()

        func count() -> Int {
            lock.lock()
            defer { lock.unlock() }
            calls += 1
            return calls
        }
    }

    @Test func theCommandLineSweepsPrintsCSVAndRefusesAnUnknownVariable() throws {
        let result = try CLITests.CLI.run(
            "sweep", "architectures/vgg16.yaml", "--vary", "N=[1,1,2,2,2],[2,2,3,3,3]", "--vary", "batch=1,64",
            "--gpu-memory", "16GiB", "--sort=-params", "--top", "2", "--format", "csv")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "N,batch,valid,params,macs,forward_bytes,training_bytes,largest_batch,first_error")
        #expect(lines.dropFirst().allSatisfy { $0.contains(",true,138357544,") }, "\(result.stdout)")
        #expect(result.stderr.contains("4 combinations: 4 valid, 0 invalid; 2 shown"))
        // The question users have, in one line: the cheapest VGG under 135M parameters is VGG11.
        let best = try CLITests.CLI.run(
            "sweep", "architectures/vgg16.yaml", "--vary", "N=[2,2,3,3,3],[1,1,2,2,2],[2,2,2,2,2]",
            "--best", "min macs where params < 135M", "--format", "csv")
        #expect(best.exitCode == 0, "\(best.stderr)")
        #expect(best.stdout.split(separator: "\n").dropFirst().map { $0.prefix(29) } == ["\"[1,1,2,2,2]\",true,132863336,"])
        let unknown = try CLITests.CLI.run("sweep", "architectures/vgg16.yaml", "--vary", "Q=1,2")
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderr.contains("this file has no variable 'Q'"))
    }

    /// `--format html`: a point per valid combination in each scatter, at its figures, and a row
    /// per combination shown.
    @Test func theHTMLPagePlotsEachValidCombination() throws {
        // 32 halves to 1 after five CONVs; a sixth does not fit.
        let yaml = "input: 32x32x3\nvars: {N: 1, C: 8}\nnetwork: INPUT -> [CONV(C, F=2, S=2)]*N -> FC(10)"
        let grid = try Self.grid("N=1...6", "C=4,16")
        let outcome = Sweep(source: SourceFile(path: "x.yaml", text: yaml), grid: grid, base: AnalysisOptions()).run()
        #expect(outcome.valid > 0 && outcome.valid < outcome.checked)
        let page = try HTMLReportTests.read(SweepReport(grid: grid, outcome: outcome, gpuMemory: nil).render(.html))
        let valid = outcome.shown.filter(\.isValid)
        for (figure, value) in [("macs", \SweepResult.macs), ("training", \SweepResult.trainingBytes)] {
            let points = page.filter { $0.name == "circle" && $0.inside("data-figure", figure) }
            #expect(points.map { $0.attributes["data-index"] } == valid.map { String($0.index) })
            #expect(points.map { $0.attributes["data-x"] } == valid.map { String($0.params) })
            #expect(points.map { $0.attributes["data-y"] } == valid.map { String($0[keyPath: value]) })
        }
        #expect(page.filter { $0.name == "tr" && $0.inside("class", "layers") }.count == outcome.shown.count + 1)
        #expect(page.filter { $0.name == "tr" && $0.attributes["class"] == "flagged" }.count == outcome.checked - outcome.valid)
    }

    // MARK: Reuse

    /// What a result says, to compare a sweep's with the check of its combination alone.
    static func said(_ result: SweepResult) -> String {
        let error = result.error.map { "\($0.rule): \($0.message) help: \($0.help ?? "-")" } ?? "valid"
        return "\(result.values) \(error) \(result.params) \(result.macs) \(result.forwardBytes) "
            + "\(result.trainingBytes) \(result.largestBatch.map(String.init) ?? "-")"
    }

    /// Every result of the sweep of `yaml` against `convlint` run on the combination alone.
    static func expectEachAsAlone(
        _ yaml: String, _ axes: [String], options: AnalysisOptions = AnalysisOptions(),
        configuration: Configuration = Configuration(), sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> SweepOutcome {
        let grid = try SweepGrid(axes.map { (text) throws(SweepError) in try SweepAxis(parsing: text) })
        let source = SourceFile(path: "net.yaml", text: yaml)
        let sweep = Sweep(source: source, grid: grid, base: options, configuration: configuration)
        let outcome = sweep.run()
        #expect(outcome.shown.map(\.index) == Array(0..<grid.count), sourceLocation: sourceLocation)
        for result in outcome.shown {
            let alone = Checker.check(
                source: source, options: grid.options(at: result.index, base: sweep.base),
                configuration: configuration)
            #expect(
                said(result) == said(SweepResult(index: result.index, values: result.values, analysis: alone, framework: options.framework)),
                sourceLocation: sourceLocation)
        }
        return outcome
    }

    static let vgg = try! String(contentsOf: architecturesDirectory.appendingPathComponent("vgg16.yaml"), encoding: .utf8)
    static let resnet = try! String(contentsOf: architecturesDirectory.appendingPathComponent("resnet18.yaml"), encoding: .utf8)

    /// Each network is built once and sized from three estimates per element type and optimizer
    /// (batches 1, 2 and the largest), whatever the number of batches: 15 networks for 480 results.
    @Test func aNetworkIsBuiltOnceAndItsMemoryScaledToEveryBatch() throws {
        let outcome = try Self.expectEachAsAlone(
            Self.vgg,
            ["N=[1,1,2,2,2],[2,2,2,2,2],[2,2,3,3,3],[2,2,4,4,4],[1,1,1,1,1]", "batch=1,2,4,8,16,32,64,128",
             "input=160x160x3,192x192x3,224x224x3", "dtype=float32,bfloat16", "optimizer=sgd,adam"])
        #expect(outcome.checked == 480 && outcome.valid == 480)
        #expect(outcome.networksBuilt == 15 && outcome.memoryEstimates == 15 * 4 * 3 && outcome.checkedAlone == 0)
    }

    /// Both memory models, and a budget some batches exceed: those are checked alone, for the
    /// budget's error with its what-ifs, and the rest scale.
    @Test func aBudgetExceededGetsTheErrorOfTheCheckAlone() throws {
        for framework in MemoryFramework.allCases {
            var options = AnalysisOptions()
            options.gpuMemory = ByteCount(3 << 30)
            options.framework = framework
            let outcome = try Self.expectEachAsAlone(
                Self.resnet, ["batch=1,16,64,256", "dtype=float32,float16", "input=112x112x3,224x224x3"], options: options)
            #expect(outcome.valid > 0 && outcome.failures[MemoryBudget.ruleID, default: 0] > 0)
            #expect(outcome.checkedAlone == outcome.failures[MemoryBudget.ruleID, default: 0])
        }
    }

    /// Budgets are an axis too: the largest batch for each, and the batches over it checked alone.
    @Test func theBudgetIsAnAxis() throws {
        let outcome = try Self.expectEachAsAlone(Self.resnet, ["gpu-memory=2GiB,16GiB,80GB", "batch=1,128,512"])
        #expect(outcome.checked == 9 && outcome.networksBuilt == 1)
        let largest = outcome.shown.map(\.largestBatch)
        #expect(largest[0] != nil && largest[0]! < largest[3]! && largest[3]! < largest[6]!)
        #expect(outcome.shown.filter { !$0.isValid }.allSatisfy { $0.error?.rule == MemoryBudget.ruleID })
        #expect(outcome.checkedAlone == outcome.checked - outcome.valid && outcome.valid < 9)
        let report = SweepReport(grid: try Self.grid("gpu-memory=2GiB,16GiB,80GB", "batch=1,128,512"), outcome: outcome, gpuMemory: nil)
        #expect(report.render(.csv).hasPrefix("gpu-memory,batch,valid,params,macs,forward_bytes,training_bytes,largest_batch,"))
        #expect(throws: SweepError.self) { _ = try SweepAxis(parsing: "gpu-memory=16 gigs") }
    }

    /// A rule raised to an error, checkpointing (whose memory need not scale), an input too small
    /// for the network, a file that sets its own batch, and sizes that overflow at large batches.
    @Test func whatDoesNotScaleIsCheckedAlone() throws {
        var errors = Configuration()
        errors.settings["fc-dominates-params"] = RuleSetting(severity: .error)
        let alexnet = try String(contentsOf: architecturesDirectory.appendingPathComponent("alexnet.yaml"), encoding: .utf8)
        let raised = try Self.expectEachAsAlone(alexnet, ["batch=1,8"], configuration: errors)
        #expect(raised.valid == 0 && raised.failures["fc-dominates-params"] == 2)
        var checkpointed = AnalysisOptions()
        checkpointed.checkpoint = .blocks
        let blocks = try Self.expectEachAsAlone(Self.resnet, ["batch=1,32,100"], options: checkpointed)
        #expect(blocks.valid == 3 && blocks.checkedAlone == 3)
        let small = try Self.expectEachAsAlone(Self.vgg, ["input=16x16x3,32x32x3", "batch=1,4"])
        #expect(small.failures[RuleID.invalidShape] == 2 && small.valid == 2)
        let own = try Self.expectEachAsAlone("input: 8x8x3\nbatch: 7\nnetwork: INPUT -> CONV(4, F=3, P=1) -> FC(2)", ["dtype=float32,int8"])
        // Without batches to scale to or a budget, each combination's one estimate is all it needs.
        #expect(own.valid == 2 && own.checkedAlone == 2 && own.memoryEstimates == 0)
        let huge = try Self.expectEachAsAlone(
            "input: 4096x4096x64\nnetwork: INPUT -> CONV(64, F=3, P=1) -> RELU -> POOL(2, S=2) -> FC(10)",
            ["dtype=float32,float64", "batch=1,1024,1073741824"])
        #expect(huge.valid == 4 && huge.failures.values.reduce(0, +) == 2)
    }
}
