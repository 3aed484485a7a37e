import Foundation
import Testing

@testable import ConvLintKit

/// The hostile-input corpus (`Fixtures/hostile/`, listed with what convlint must answer in
/// `cases.json`), run through the built `convlint` as a user would. The same files seed the
/// fuzzer (`.ci/fuzz`).
@Suite struct HostileCorpusTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        struct Make: Decodable, Sendable {
            var repeatText: String
            var bytes: Int
            enum CodingKeys: String, CodingKey {
                case repeatText = "repeat"
                case bytes
            }
        }

        var file: String
        var args: [String]?
        var make: Make?
        var ulimitKiB: Int?
        var exit: Int32
        var rule: String
        var message: String
        var at: String?

        enum CodingKeys: String, CodingKey {
            case file, args, make, exit, rule, message, at
            case ulimitKiB = "ulimit_kib"
        }

        var testDescription: String { ([file] + (args ?? [])).joined(separator: " ") }
    }

    struct Corpus: Decodable { var cases: [Case] }

    static let directory = "Tests/ConvLintKitTests/Fixtures/hostile"
    static let cases = try! JSONDecoder().decode(
        Corpus.self, from: Data(contentsOf: CLITests.CLI.packageRoot.appendingPathComponent("\(directory)/cases.json"))
    ).cases

    @Test func theCorpusHoldsAtLeastFortyCasesAndEveryFileInIt() throws {
        #expect(Self.cases.count >= 40)
        let files = try FileManager.default.contentsOfDirectory(
            atPath: CLITests.CLI.packageRoot.appendingPathComponent(Self.directory).path)
        let listed = Set(Self.cases.map(\.file))
        for file in files where file != "cases.json" { #expect(listed.contains(file), "\(file) has no case in cases.json") }
    }

    @Test(arguments: cases)
    func answersWithItsExitCodeRuleMessageAndLocation(_ hostile: Case) throws {
        // AddressSanitizer reserves terabytes of address space, so `ulimit -v` stops its builds.
        if hostile.ulimitKiB != nil, underAddressSanitizer { return }
        var path = "\(Self.directory)/\(hostile.file)"
        var scratch: URL?
        if let make = hostile.make {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("convlint-\(UUID().uuidString)-\(hostile.file)")
            let line = Data(make.repeatText.utf8)
            var data = Data(capacity: make.bytes)
            while data.count < make.bytes { data.append(line) }
            try data.write(to: url)
            scratch = url
            path = url.path
        }
        defer { scratch.map { try? FileManager.default.removeItem(at: $0) } }
        let convlint = try CLITests.CLI.executablePath()
        let arguments = (hostile.args ?? []) + [path]
        let result =
            if let limit = hostile.ulimitKiB {
                try CLITests.CLI.run(
                    executable: URL(fileURLWithPath: "/bin/sh"),
                    ["-c", "ulimit -v \(limit) && exec \"$0\" \"$@\"", convlint] + arguments)
            } else {
                try CLITests.CLI.run(executable: URL(fileURLWithPath: convlint), arguments)
            }
        #expect(result.exitCode == hostile.exit, "\(result.stderr)")
        #expect(result.stderr.contains("error[\(hostile.rule)]: "), "\(result.stderr)")
        #expect(result.stderr.contains(hostile.message), "\(result.stderr)")
        if let at = hostile.at { #expect(result.stderr.contains("\(path):\(at)"), "\(result.stderr)") }
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("crashed"))
    }

    /// A layer repeated by `*N` that trips a rule the same way in every copy is one finding with
    /// its count, not thousands (the networks fuzzer's 65,536 MAXPOOLs printed 65,532 warnings).
    @Test func aRepeatedLayerTrippingARuleIsOneFindingWithItsCount() {
        let yaml = "input: 16x16x3\nrounding: floor\nnetwork: INPUT -> [MAXPOOL(F=3, S=2, P=1)]*20 -> FC(10)"
        let analysis = Checker.check(source: SourceFile(path: "pools.yaml", text: yaml))
        let collapse = analysis.diagnostics.filter { $0.rule == "spatial-collapse" }
        // 16 → 8 → 4 → 2 → 1 takes four pools; the other sixteen each see a 1x1 input.
        #expect(collapse.count == 1)
        #expect(collapse.first?.notes == ["and 15 more times in the layers this pattern repeats"])
    }

    /// docs/FORMAT.md §7 states the bounds of `Limits`; the two must not drift apart.
    @Test func theFormatDocumentStatesEveryLimit() throws {
        let format = try String(
            contentsOf: CLITests.CLI.packageRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let section = try #require(format.range(of: "## 7. Limits").map { format[$0.upperBound...] }?
            .components(separatedBy: "\n## ").first)
        for (what, figure) in [
            ("file size", "\(Limits.fileBytes >> 20) MiB"), ("YAML nodes", Limits.yamlNodes.grouped),
            ("expanded layers", Limits.expandedLayers.grouped), ("nesting", "\(Limits.nesting)"),
            ("integer literal", Limits.integerLiteral.grouped), ("idle expansion steps", Limits.idleExpansionSteps.grouped),
            ("batch", Limits.batch.grouped),
        ] {
            #expect(section.contains(figure), "§7 does not state the \(what) limit, \(figure)")
        }
    }
}
