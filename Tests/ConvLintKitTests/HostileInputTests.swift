import Foundation
import Testing

@testable import ConvLintKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hostile inputs: each must end in a clear diagnostic (an error with a rule id, located where
/// a location makes sense) within a second, and must never crash, hang or allocate without bound.
///
/// Every case runs in a child process (a Swift Testing exit test) that is killed after
/// `Hostile.killAfterSeconds` or when it maps more than `Hostile.memoryLimit` bytes, so a
/// trap, a hang or a runaway allocation fails that one test instead of taking the whole test run
/// down. The child analyzes the input, renders every report the CLI can print, and sends back
/// what it found and how long that took (`ContinuousClock`); the assertions run here.
@Suite(.serialized) struct HostileInputTests {
    // MARK: Files and encodings

    @Test func emptyFileIsAFileFormatErrorAtLine1() async throws {
        let outcome = try await run(.file(""))
        outcome.expectError(RuleID.fileFormat, exitCode: 1, saying: "the file is empty", at: (1, 1))
    }

    @Test func directoryPathIsAnUnreadableFileWithExitCode2() async throws {
        let outcome = try await run(.directory)
        outcome.expectError(RuleID.unreadableFile, exitCode: 2, saying: "is a directory")
    }

    @Test func binaryFileIsAnUnreadableFileWithExitCode2() async throws {
        // An ELF header (with NUL bytes) followed by 64 KiB of pseudo-random bytes.
        let outcome = try await run(
            .file(.bytes([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xFF]), .noise(count: 65_536, seed: 42)))
        outcome.expectError(RuleID.unreadableFile, exitCode: 2, saying: "not UTF-8")
        #expect(outcome.firstError?.line == 1, "the first invalid byte is on line 1")
    }

    @Test func nulByteIsMalformedInputReportedAtTheNul() async throws {
        let line2 = "network: INPUT -> CONV(8)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)", .bytes([0]), " -> RELU\n"))
        let error = try #require(outcome.firstError)
        #expect([RuleID.yamlSyntax, RuleID.unreadableFile].contains(error.rule))
        #expect(outcome.exitCode == 2)
        #expect(error.position == Hostile.Position(2, line2.unicodeScalars.count + 1), "the NUL is at line 2, column 26")
    }

    @Test func invalidUTF8InTheMiddleIsReportedAtTheBadByte() async throws {
        // The multi-byte 'ö' and 'ß' before the bad byte: columns count characters, not bytes.
        let before = "network: INPUT -> CONV(8) # größe "
        let outcome = try await run(.file("input: 32x32x3\n\(before)", .bytes([0xFF]), " -> RELU\n"))
        outcome.expectError(
            RuleID.unreadableFile, exitCode: 2, saying: "not UTF-8", at: (2, before.unicodeScalars.count + 1))
    }

    @Test func invalidUTF8AfterAByteOrderMarkIsReportedAtTheBadByte() async throws {
        // The byte-order mark is not a column: every other diagnostic counts from the text after it.
        let before = "network: INPUT(32x32x3) -> CONV(8) # "
        let outcome = try await run(.file(.bytes([0xEF, 0xBB, 0xBF]), .text(before), .bytes([0xFF]), "\n"))
        outcome.expectError(
            RuleID.unreadableFile, exitCode: 2, saying: "not UTF-8", at: (1, before.unicodeScalars.count + 1))
    }

    @Test func fileOver1MiBIsRefusedWithExitCode2() async throws {
        let outcome = try await run(
            .file("input: 32x32x3\nnetwork: INPUT -> CONV(8, F=3)\n", .repeated("# padding\n", count: 200_000)))
        outcome.expectError(RuleID.unreadableFile, exitCode: 2, saying: "larger than")
    }

    @Test func byteOrderMarkIsSkippedAndColumnsCountFromTheTextAfterIt() async throws {
        let line = "network: INPUT(32x32x3) -> CONV(8, F=3, S=2)"
        let fromFile = try await run(.file(.bytes([0xEF, 0xBB, 0xBF]), .text(line), "\n"))
        let fromText = try await run(.yaml("\u{FEFF}\(line)\n"))
        for outcome in [fromFile, fromText] {
            outcome.expectError(
                RuleID.nonIntegerOutput, exitCode: 1, saying: "(32 − 3 + 2·0)/2 + 1 = 15.5", at: (1, column(of: "CONV", in: line)))
            #expect(outcome.firstError?.caretText.hasPrefix("CONV(8") == true)
        }
    }

    @Test func crlfFileIsCheckedExactlyLikeItsLFTwin() async throws {
        let lines = [
            "name: tiny", "input: 32x32x3", "defaults:", "  CONV: {size: 3, pad: 1}", "network:", "  - INPUT",
            "  - \"[CONV(8) -> RELU]*2\"", "  - POOL -> FC(10)",
        ]
        let crlf = try await run(.yaml(.text(lines.joined(separator: "\r\n") + "\r\n")))
        let lf = try await run(.yaml(.text(lines.joined(separator: "\n") + "\n")))
        #expect(crlf.diagnostics.isEmpty)
        #expect(crlf.exitCode == 0)
        #expect(crlf.layers == lf.layers)
        #expect(crlf.layers.count == 7)
    }

    @Test func crlfErrorHasTheLFColumnAndQuotesTheLineWithoutCR() async throws {
        let line3 = "network: INPUT -> CONV(8, F=3, S=2)"
        let outcome = try await run(.yaml("name: x\r\ninput: 32x32x3\r\n\(line3)\r\n"))
        outcome.expectError(RuleID.nonIntegerOutput, exitCode: 1, saying: "= 15.5", at: (3, column(of: "CONV", in: line3)))
        #expect(outcome.firstError?.quotedLine == line3)
        #expect(outcome.firstError?.rendered.contains("\r") == false)
    }

    @Test func crOnlyLineBreaksPutTheCaretOnTheOffendingToken() async throws {
        // libyaml (YAML 1.1) takes a lone CR as a line break; convlint must count lines the same way.
        let outcome = try await run(.yaml("input: 32x32x3\rnetwork: INPUT -> CONV(8, F=3, S=2)\r"))
        outcome.expectError(RuleID.nonIntegerOutput, exitCode: 1, saying: "= 15.5")
        #expect(outcome.firstError?.caretText.hasPrefix("CONV(8") == true)
        #expect(outcome.firstError?.quotedLine.contains("\r") == false, "the quoted source line is one line")
    }

    @Test func crOnlyLineBreaksQuoteTheLineOfAnUnknownKey() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\rnetwrk: INPUT -> CONV(8, F=3)\r"))
        outcome.expectError(RuleID.fileFormat, exitCode: 1, saying: "unknown key 'netwrk'")
        #expect(outcome.firstError?.caretText.hasPrefix("netwrk:") == true, "the caret stands on the key")
    }

    @Test func lineSeparatorInACommentKeepsReportedLinesInStepWithTheQuotedSource() async throws {
        // libyaml treats U+2028 as a line break, so the lines it reports must be mapped onto the file's.
        let outcome = try await run(.yaml("# note \u{2028} more\ninput: 32x32x3\nnetwork: INPUT -> CONV(8, F=3)\n"))
        let error = try #require(outcome.firstError)
        #expect(error.quotedLine.hasPrefix("input:"), "libyaml fails at 'input:'; quoted: \(error.quotedLine)")
        #expect(error.caretText.hasPrefix(":"))
    }

    @Test func tabIndentationIsMalformedYAMLWhoseMessageNamesTheTab() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\ndefaults:\n\tCONV: {size: 3}\nnetwork: INPUT -> CONV(8)\n"))
        outcome.expectError(RuleID.yamlSyntax, exitCode: 2, saying: "tab", at: (3, 1))
    }

    @Test func tabsInsideAPatternAreWhitespaceOfOneColumn() async throws {
        let line2 = "network: INPUT\t->\tCONV(8, F=3, S=2)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(RuleID.nonIntegerOutput, exitCode: 1, saying: "= 15.5", at: (2, column(of: "CONV", in: line2)))
        #expect(outcome.firstError?.caretText.hasPrefix("CONV(8") == true)
    }

    @Test func twoYAMLDocumentsAreMalformedYAMLAtTheSecondDocument() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\nnetwork: INPUT -> CONV(8, F=3)\n---\nname: other\n"))
        outcome.expectError(RuleID.yamlSyntax, exitCode: 2, saying: "second one starts here", at: (3, 1))
    }

    // MARK: YAML bombs

    /// `a: &a [x, …]`, `b: &b [*a, …]`, …: 10 aliases per level, `levels` levels deep.
    static func aliasBomb(levels: Int, indent: String = "") -> String {
        let names = (0..<levels).map { "l\($0)" }
        var lines = ["\(indent)\(names[0]): &\(names[0]) [\(Array(repeating: "1", count: 10).joined(separator: ", "))]"]
        for level in 1..<levels {
            let items = Array(repeating: "*\(names[level - 1])", count: 10).joined(separator: ", ")
            lines.append("\(indent)\(names[level]): &\(names[level]) [\(items)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aliasBombIsReportedAsAnAliasBomb() async throws {
        let outcome = try await run(.yaml(.text(Self.aliasBomb(levels: 9)), "input: 32x32x3\nnetwork: INPUT -> CONV(8, F=3)\n"))
        outcome.expectError(RuleID.yamlSyntax, exitCode: 2, saying: "alias")
    }

    @Test func aliasBombAsAVariableIsReportedAsAnAliasBomb() async throws {
        let outcome = try await run(
            .yaml("input: 32x32x3\nvars:\n", .text(Self.aliasBomb(levels: 9, indent: "  ")), "network: INPUT -> CONV(8, F=3)\n"))
        outcome.expectError(RuleID.yamlSyntax, exitCode: 2, saying: "alias")
    }

    @Test func aliasBombAsTheNetworkIsReportedAsAnAliasBomb() async throws {
        // Four levels (11,111 nodes) stay under the bound; using them ten times in `network` does not.
        let uses = Array(repeating: "*l3", count: 10).joined(separator: ", ")
        let outcome = try await run(
            .yaml("input: 32x32x3\nvars:\n", .text(Self.aliasBomb(levels: 4, indent: "  ")), .text("network: [\(uses)]\n")))
        outcome.expectError(RuleID.yamlSyntax, exitCode: 2, saying: "alias")
    }

    @Test func aliasesWithinTheBoundAreAccepted() async throws {
        let outcome = try await run(
            .yaml("input: 32x32x3\nvars:\n  K: &k 8\n  L: *k\n  F: &f [8, 16]\n  G: *f\n",
                  "network: INPUT -> [CONV(G, F=3, P=1)]*2 -> [CONV(F, F=1)]*2 -> CONV(K, F=1) -> CONV(L, F=1)\n"))
        #expect(outcome.diagnostics.isEmpty)
        #expect(outcome.exitCode == 0)
        #expect(outcome.layers.last?.output == [32, 32, 8])
    }

    @Test func hundredThousandNestedFlowSequencesAreMalformedYAMLNotAStackOverflow() async throws {
        let outcome = try await run(
            .yaml("input: 32x32x3\nvars:\n  N: ", .repeated("[", count: 100_000), "1", .repeated("]", count: 100_000),
                  "\nnetwork: INPUT -> CONV(8, F=3)\n"))
        outcome.expectError(RuleID.yamlSyntax, exitCode: 2, saying: "nest")
        #expect(outcome.firstError?.line == 3)
    }

    // MARK: Expansion bounds

    /// The bound counts the INPUT row, as docs/FORMAT.md §7 says: a network of exactly that many
    /// layers expands, one more does not (the early estimate once refused the last one).
    @Test func aNetworkAtTheLayerBoundExpandsAndOneMoreLayerDoesNot() throws {
        func expand(repeating count: Int) throws -> Result<[LayerNode], Diagnostic> {
            let source = SourceFile(path: "bound.yaml", text: "input: 4x4x1\nnetwork: INPUT -> [RELU]*\(count)\n")
            let file = try Analyzer.parse(source).get()
            return Result { () throws(Diagnostic) in try Expander.expand(file) }
        }
        #expect(try expand(repeating: Limits.expandedLayers - 1).get().count == Limits.expandedLayers)
        #expect(throws: Diagnostic.self) { try expand(repeating: Limits.expandedLayers).get() }
    }

    @Test func trillionFoldRepeatIsAnExpansionLimitErrorAtItsCount() async throws {
        let line2 = "network: INPUT -> [CONV(8)]*1000000000000"
        let outcome = try await run(.yaml("input: 32x32x3\ndefaults: {CONV: {size: 1}}\n\(line2)\n"))
        outcome.expectError(
            RuleID.expansionLimit, exitCode: 1, saying: "more than 100,000 layers",
            at: (3, column(of: "1000000000000", in: line2)))
    }

    @Test func trillionFoldRepeatFromAVariableIsAnExpansionLimitError() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\nvars: {N: 1000000000000}\nnetwork: INPUT -> [CONV(8, F=1)]*N\n"))
        outcome.expectError(RuleID.expansionLimit, exitCode: 1, saying: "more than 100,000 layers")
        #expect(outcome.firstError?.line == 3, "reported where N is used")
    }

    @Test func threeNestedThousandFoldRepeatsExceedTheLayerBound() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\nnetwork: INPUT -> [[[CONV(8, F=1)]*1000]*1000]*1000\n"))
        outcome.expectError(RuleID.expansionLimit, exitCode: 1, saying: "more than 100,000 layers")
        #expect(outcome.firstError?.line == 2)
        #expect(outcome.layers.isEmpty)
    }

    @Test func trillionFoldRepeatOfAnAbsentLayerIsAnExpansionLimitError() async throws {
        let line2 = "network: INPUT -> [CONV(8, F=1)?false]*1000000000000"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(
            RuleID.expansionLimit, exitCode: 1, saying: "100,000", at: (2, column(of: "1000000000000", in: line2)))
    }

    @Test func nestedMillionFoldRepeatsOfNothingFinish() async throws {
        // Each body expands to no layer at all, so no layer count grows: 10^18 empty iterations.
        let outcome = try await run(
            .yaml("input: 32x32x3\nnetwork: INPUT -> [[[CONV(8, F=1)?false]*1000000]*1000000]*1000000 -> RELU\n"))
        outcome.expectFinishedWithoutCrashing(orRejectedAs: RuleID.expansionLimit)
    }

    @Test func blocksThatDoubleSixtyTimesOverNothingFinish() async throws {
        let outcome = try await run(.yaml(.text(Self.doublingBlocks(base: "ID?false", levels: 60))))
        outcome.expectFinishedWithoutCrashing(orRejectedAs: RuleID.expansionLimit)
    }

    @Test func blocksThatDoublePastAMillionLayersAreRejected() async throws {
        let outcome = try await run(.yaml(.text(Self.doublingBlocks(base: "RELU", levels: 60))))
        outcome.expectError(RuleID.expansionLimit, exitCode: 1, saying: "more than 100,000 layers")
    }

    /// `b0: base`, `b1: b0 -> b0`, …, `network: INPUT -> b<levels>`: 2^levels copies of `base`.
    static func doublingBlocks(base: String, levels: Int) -> String {
        var lines = ["input: 8x8x3", "blocks:", "  b0: \(base)"]
        for level in 1...levels { lines.append("  b\(level): b\(level - 1) -> b\(level - 1)") }
        lines.append("network: INPUT -> b\(levels)")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func hundredThousandNestedBracketsStopAtDepth256() async throws {
        let outcome = try await run(
            .yaml("input: 32x32x3\nnetwork: INPUT -> ", .repeated("[", count: 100_000), "CONV(8, F=1)",
                  .repeated("]", count: 100_000), "\n"))
        // "network: INPUT -> " is 18 columns; the 257th '[' is the first too deep.
        outcome.expectError(RuleID.expansionLimit, exitCode: 1, saying: "deeper than 256", at: (2, 18 + 257))
    }

    @Test func hundredThousandNestedParenthesesStopAtDepth256() async throws {
        let outcome = try await run(
            .yaml("input: 32x32x3\nnetwork: INPUT -> ", .repeated("(", count: 100_000), "CONV(8, F=1)",
                  .repeated(")", count: 100_000), "\n"))
        outcome.expectError(RuleID.expansionLimit, exitCode: 1, saying: "deeper than 256", at: (2, 18 + 257))
    }

    @Test func hundredThousandArrowsAreAPatternSyntaxErrorAtTheFirst() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\nnetwork: ", .repeated("->", count: 100_000), "\n"))
        outcome.expectError(RuleID.patternSyntax, exitCode: 1, saying: "'->' must stand between two layers", at: (2, 10))
    }

    @Test func blockThatCallsItselfIsAnErrorAtTheRecursiveCall() async throws {
        let line3 = "blocks: {b: CONV(8) -> b}"
        let outcome = try await run(.yaml("input: 32x32x3\ndefaults: {CONV: {size: 3, pad: 1}}\n\(line3)\nnetwork: INPUT -> b\n"))
        outcome.expectError(
            RuleID.patternSyntax, exitCode: 1, saying: "block 'b' calls itself", at: (3, column(of: "b}", in: line3)))
    }

    @Test func blocksThatCallEachOtherAreAnErrorAtTheCallThatClosesTheCycle() async throws {
        let line4 = "  b: RELU -> a"
        let outcome = try await run(.yaml("input: 32x32x3\nblocks:\n  a: CONV(8, F=1) -> b\n\(line4)\nnetwork: INPUT -> a\n"))
        outcome.expectError(
            RuleID.patternSyntax, exitCode: 1, saying: "block 'a' calls itself", at: (4, column(of: "-> a", in: line4) + 3))
    }

    @Test func halfMegabyteLayerNameIsAnUnknownName() async throws {
        let outcome = try await run(.yaml("input: 32x32x3\nnetwork: INPUT -> ", .repeated("A", count: 500_000), "\n"))
        outcome.expectError(RuleID.unknownName, exitCode: 1, saying: "unknown layer kind", at: (2, 19))
    }

    @Test func halfMegabyteArgumentNameIsABadArgument() async throws {
        let outcome = try await run(
            .yaml("input: 32x32x3\nnetwork: INPUT -> CONV(8, ", .repeated("q", count: 500_000), "=3)\n"))
        outcome.expectError(RuleID.badArgument, exitCode: 1, saying: "has no argument", at: (2, 27))
    }

    // MARK: Numbers too large for the arithmetic

    @Test func inputOfInt64MaxIsTooLargeAtTheNumber() async throws {
        let outcome = try await run(.yaml("input: 9223372036854775807x2x3\nnetwork: INPUT -> CONV(8, F=1)\n"))
        outcome.expectError(RuleID.patternSyntax, exitCode: 1, saying: "too large", at: (1, 8))
    }

    @Test func inputOf2To62SquaredIsTooLargeAtTheNumber() async throws {
        let outcome = try await run(
            .yaml("input: 4611686018427387904x4611686018427387904x3\nnetwork: INPUT -> CONV(8, F=1)\n"))
        outcome.expectError(RuleID.patternSyntax, exitCode: 1, saying: "too large", at: (1, 8))
    }

    @Test func inputListOfInt64MaxSaysTheNumberIsTooLarge() async throws {
        // Saying "must be an integer, but it is '9223372036854775807'" is wrong: it is one, just too big.
        let outcome = try await run(.yaml("input: [9223372036854775807, 2, 3]\nnetwork: INPUT -> CONV(8, F=1)\n"))
        outcome.expectError(RuleID.fileFormat, exitCode: 1, saying: "too large", at: (1, 9))
    }

    @Test func inputOf2To40By2To40By3OverflowsAtTheInput() async throws {
        let outcome = try await run(.yaml("input: 1099511627776x1099511627776x3\nnetwork: INPUT -> CONV(8, F=1)\n"))
        outcome.expectError(RuleID.overflow, exitCode: 1, saying: "overflows a 64-bit integer")
        #expect(outcome.firstError?.line != nil, "located at the input")
    }

    @Test func conv2To40FiltersOnA2To40WideInputOverflowsAtTheConv() async throws {
        let outcome = try await run(.yaml("input: 1099511627776x1x1\nnetwork: INPUT -> CONV(1099511627776, F=1)\n"))
        outcome.expectError(RuleID.overflow, exitCode: 1, saying: "overflows a 64-bit integer", at: (2, 19))
    }

    @Test func fcOnAHugeVolumeOverflowsAtTheFC() async throws {
        // 2^50 input elements times 2^20 units: 2^70 weights.
        let outcome = try await run(.yaml("input: 1048576x1048576x1024\nnetwork: INPUT -> FC(1048576)\n"))
        outcome.expectError(RuleID.overflow, exitCode: 1, saying: "overflows a 64-bit integer", at: (2, 19))
    }

    @Test func batchNormOnA2To62ElementVolumeIsAnOverflowErrorNotATrap() async throws {
        // 2^40 · 2^20 · 4 = 2^62 elements fit in an Int; BN's 2 ops per element do not.
        let outcome = try await run(.yaml("input: 1099511627776x1048576x4\nnetwork: INPUT -> BN\n"))
        outcome.expectError(RuleID.overflow, exitCode: 1, saying: "overflows a 64-bit integer")
    }

    @Test func softmaxOnA2To62ElementVolumeIsAnOverflowErrorNotATrap() async throws {
        let outcome = try await run(.yaml("input: 1099511627776x1048576x4\nnetwork: INPUT -> SOFTMAX\n"))
        outcome.expectError(RuleID.overflow, exitCode: 1, saying: "overflows a 64-bit integer")
    }

    @Test func reportsOfA2To62ElementNetworkRenderWithoutTrapping() async throws {
        // The analysis reports the overflowing memory; the text and markdown totals must not trap on it.
        let outcome = try await run(.yaml("input: 1099511627776x1048576x4\nnetwork: INPUT -> GAP\n"))
        outcome.expectError(RuleID.overflow, exitCode: 1, saying: "overflows a 64-bit integer")
    }

    @Test func kernelOf2To40MinusOneThatDoesNotDivideIsReported() async throws {
        // (2^40 − (2^40 − 1) + 0)/2 + 1 = 1.5: the fixes must not be searched one padding at a time.
        let outcome = try await run(.yaml("input: 1099511627776x1x1\nnetwork: INPUT -> CONV(1, F=1099511627775x1, S=2)\n"))
        outcome.expectError(RuleID.nonIntegerOutput, exitCode: 1, saying: "= 1.5", at: (2, 19))
    }

    @Test func fixSearchOnA5000LayerNetworkSpendsABoundedBudget() async throws {
        // The POOL can never divide (1 − 2 + 2·1 = 1 is odd), so the input search spends its whole
        // budget: two candidates a step, each 5,000 layer evaluations, within ShapeFix.searchBudget.
        #expect(2 * ShapeFix.radius(layers: 5000) * 5000 <= ShapeFix.searchBudget)
        #expect(ShapeFix.radius(layers: 5000) >= 1)
        let outcome = try await run(
            .yaml("input: 33x33x8\nnetwork: INPUT -> [CONV(8, F=1)]*4996 -> GAP -> POOL(F=2, S=2, P=1)\n"))
        outcome.expectError(RuleID.nonIntegerOutput, exitCode: 1, saying: "(1 − 2 + 2·1)/2 + 1 = 1.5")
    }

    // MARK: Arguments out of range

    @Test func strideZeroIsABadArgumentAtTheZero() async throws {
        let line2 = "network: INPUT -> CONV(8, F=3, S=0)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(
            RuleID.badArgument, exitCode: 1, saying: "stride must be at least 1", at: (2, column(of: "0)", in: line2)))
    }

    @Test func negativeStrideIsABadArgumentAtTheValue() async throws {
        let line2 = "network: INPUT -> CONV(8, F=3, S=-1)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(
            RuleID.badArgument, exitCode: 1, saying: "stride must be at least 1", at: (2, column(of: "-1", in: line2)))
    }

    @Test func negativePaddingIsABadArgumentAtTheValue() async throws {
        let line2 = "network: INPUT -> CONV(8, F=3, P=-1)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(RuleID.badArgument, exitCode: 1, saying: "pad must be", at: (2, column(of: "-1", in: line2)))
    }

    @Test func zeroFiltersIsABadArgumentAtTheValue() async throws {
        let line2 = "network: INPUT -> CONV(0, F=3)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(
            RuleID.badArgument, exitCode: 1, saying: "filters must be a whole number of at least 1",
            at: (2, column(of: "0,", in: line2)))
    }

    @Test func zeroFilterSizeIsABadArgumentAtTheValue() async throws {
        let line2 = "network: INPUT -> CONV(8, F=0)"
        let outcome = try await run(.yaml("input: 32x32x3\n\(line2)\n"))
        outcome.expectError(
            RuleID.badArgument, exitCode: 1, saying: "size must be at least 1", at: (2, column(of: "0)", in: line2)))
    }

    @Test func zeroPoolStrideInDefaultsIsABadArgumentInDefaults() async throws {
        let line3 = "  POOL: {size: 2, stride: 0}"
        let outcome = try await run(.yaml("input: 32x32x3\ndefaults:\n\(line3)\nnetwork: INPUT -> POOL\n"))
        outcome.expectError(
            RuleID.badArgument, exitCode: 1, saying: "stride must be at least 1", at: (3, column(of: "0}", in: line3)))
    }

    // MARK: Helpers

    /// The 1-based column of the first `needle` in `line`, counted in Unicode scalars as diagnostics count.
    private func column(of needle: String, in line: String) -> Int {
        guard let range = line.range(of: needle) else { return -1 }
        return line.unicodeScalars[..<range.lowerBound].count + 1
    }

    /// Runs `recipe` in a child process and returns what it found; fails the calling test when
    /// the child crashes, is killed, or takes a second or more.
    private func run(
        _ recipe: Hostile.Recipe, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws -> Hostile.Outcome {
        let result = await #expect(
            processExitsWith: .success, observing: [\.standardOutputContent],
            "the check crashed, ran past \(Hostile.killAfterSeconds) s (SIGALRM) or past \(Hostile.memoryLimit >> 30) GiB",
            sourceLocation: sourceLocation
        ) { [recipe = recipe as Hostile.Recipe] in
            Hostile.child(recipe)
        }
        let output = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) } ?? ""
        let line = try #require(
            output.split(separator: "\n").last { $0.hasPrefix(Hostile.marker) },
            "the child process reported no outcome", sourceLocation: sourceLocation)
        let outcome = try JSONDecoder().decode(
            Hostile.Outcome.self, from: Data(line.dropFirst(Hostile.marker.count).utf8))
        // A hang guard, not a benchmark: the slowest case takes about 0.6 s of CPU time on a quiet
        // machine, and work is bounded by counted steps (the expansion bound, the fix search's
        // budget), which the cases assert; ten times over leaves room for a busy one.
        #expect(outcome.elapsed < .seconds(10), "took \(outcome.elapsed) of CPU time", sourceLocation: sourceLocation)
        return outcome
    }
}

// MARK: - Running a case in a child process

/// The machinery of `HostileInputTests`, in a namespace of its own.
enum Hostile {
    /// 1-based position in a file, as diagnostics give it.
    struct Position: Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        init(_ line: Int, _ column: Int) {
            self.line = line
            self.column = column
        }
        var description: String { "\(line):\(column)" }
    }

    /// A hostile input, described compactly enough to send to a child process and built there.
    struct Recipe: Codable, Sendable {
        enum Piece: Codable, Sendable, ExpressibleByStringInterpolation {
            case text(String)
            case repeated(String, count: Int)
            case bytes([UInt8])
            /// Pseudo-random bytes from a fixed seed (SplitMix64), the same on every run.
            case noise(count: Int, seed: UInt64)

            init(stringLiteral value: String) { self = .text(value) }
            init(stringInterpolation: DefaultStringInterpolation) {
                self = .text(String(stringInterpolation: stringInterpolation))
            }

            var bytes: [UInt8] {
                switch self {
                case .text(let text): Array(text.utf8)
                case .repeated(let text, let count): Array(String(repeating: text, count: count).utf8)
                case .bytes(let bytes): bytes
                case .noise(let count, var state):
                    (0..<count).map { _ in
                        state &+= 0x9E37_79B9_7F4A_7C15
                        var z = state
                        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                        return UInt8(truncatingIfNeeded: z ^ (z >> 31))
                    }
                }
            }
        }

        enum Delivery: String, Codable, Sendable {
            /// `analyze(yaml)`: the text as `test.yaml`.
            case text
            /// Written to a temporary file and read with `Analyzer.analyze(path:)`.
            case file
            /// `Analyzer.analyze(path:)` on a temporary directory.
            case directory
        }

        var delivery: Delivery
        var pieces: [Piece]

        static func yaml(_ pieces: Piece...) -> Recipe { Recipe(delivery: .text, pieces: pieces) }
        static func file(_ pieces: Piece...) -> Recipe { Recipe(delivery: .file, pieces: pieces) }
        static let directory = Recipe(delivery: .directory, pieces: [])

        var bytes: [UInt8] { pieces.flatMap(\.bytes) }
    }

    /// One diagnostic as the child saw it, with the source line it quotes.
    struct Finding: Codable, Sendable {
        var rule: String
        var severity: String
        var message: String
        var line: Int?
        var column: Int?
        var help: String?
        var notes: [String]
        /// `analysis.source.line(line)`: the line the renderer quotes.
        var quotedLine: String
        /// The whole diagnostic as the CLI prints it, without colour.
        var rendered: String

        var position: Position? { line.flatMap { line in column.map { Position(line, $0) } } }

        /// The quoted line from the caret on.
        var caretText: String {
            guard let column, column >= 1 else { return "" }
            return String(String.UnicodeScalarView(quotedLine.unicodeScalars.dropFirst(column - 1)))
        }
    }

    struct LayerSummary: Codable, Sendable, Equatable {
        var label: String
        var output: [Int]
        var params: Int
    }

    /// What the child process found.
    struct Outcome: Codable, Sendable {
        var exitCode: Int32
        var elapsed: Duration
        var diagnostics: [Finding]
        var layers: [LayerSummary]

        var firstError: Finding? { diagnostics.first { $0.severity == Severity.error.rawValue } }

        /// An error with this rule, message and (where given) position, and this exit code.
        func expectError(
            _ rule: String, exitCode expectedCode: Int32, saying text: String, at position: (Int, Int)? = nil,
            sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) {
            guard let error = firstError else {
                Issue.record(
                    "expected error[\(rule)] saying '\(text)', but there is no error; diagnostics: \(diagnostics.map(\.rule))",
                    sourceLocation: sourceLocation)
                return
            }
            #expect(error.rule == rule, "\(error.rendered)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error.rendered)", sourceLocation: sourceLocation)
            #expect(exitCode == expectedCode, "\(error.rendered)", sourceLocation: sourceLocation)
            if let position {
                #expect(error.position == Hostile.Position(position.0, position.1), "\(error.rendered)", sourceLocation: sourceLocation)
            }
        }

        /// For inputs that may be accepted or refused: no crash or hang (checked by `run`), and a
        /// refusal, if any, is a finding under `rule`, not an unreadable file.
        func expectFinishedWithoutCrashing(orRejectedAs rule: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
            #expect(exitCode != 2, sourceLocation: sourceLocation)
            if let error = firstError {
                #expect(error.rule == rule, "\(error.rendered)", sourceLocation: sourceLocation)
            }
        }
    }

        /// A hang is killed (SIGALRM) after this long; anything over a second fails anyway.
        static let killAfterSeconds: UInt32 = 20
        /// Address space a case may map; the debug test binary needs a few hundred MiB.
        static let memoryLimit = 4 << 30
        static let marker = "HOSTILE-OUTCOME "

        /// User plus system CPU time of this process spent in `body`.
        static func cpuTime(_ body: () -> Void) -> Duration {
            func now() -> Duration {
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                func duration(_ time: timeval) -> Duration {
                    .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
                }
                return duration(usage.ru_utime) + duration(usage.ru_stime)
            }
            let start = now()
            body()
            return now() - start
        }

        /// In the child: build the input, time the analysis and every report, print the outcome.
        static func child(_ recipe: Recipe) {
            alarm(killAfterSeconds)
            // AddressSanitizer reserves terabytes of address space for its shadow memory, so under
            // it the cap would stop the child before it starts; ASan then catches overflows itself.
            if !underAddressSanitizer {
                var limit = rlimit(rlim_cur: rlim_t(memoryLimit), rlim_max: rlim_t(memoryLimit))
                #if os(Linux)
                _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
                #else
                _ = setrlimit(RLIMIT_AS, &limit)
                #endif
            }

            let files = FileManager.default
            let scratch = files.temporaryDirectory.appendingPathComponent("convlint-hostile-\(UUID().uuidString)")
            defer { try? files.removeItem(at: scratch) }
            var path: String?
            switch recipe.delivery {
            case .text: break
            case .file:
                try! files.createDirectory(at: scratch, withIntermediateDirectories: true)
                let file = scratch.appendingPathComponent("hostile.yaml")
                try! Data(recipe.bytes).write(to: file)
                path = file.path
            case .directory:
                try! files.createDirectory(at: scratch.appendingPathComponent("architectures.yaml"), withIntermediateDirectories: true)
                path = scratch.appendingPathComponent("architectures.yaml").path
            }
            let text = recipe.delivery == .text ? String(decoding: recipe.bytes, as: UTF8.self) : ""

            var analysis: Analysis?
            var rendered = [String]()
            // CPU time, not wall time: the suite runs beside other tests on two cores, and what a
            // hang or a quadratic blow-up costs is work, which waiting for a core does not inflate.
            let elapsed = Hostile.cpuTime {
                let result = path.map { Analyzer.analyze(path: $0) } ?? analyze(text)
                // Everything the CLI can print must survive the input too.
                let renderer = DiagnosticRenderer(color: false)
                rendered = result.diagnostics.map { renderer.render($0, in: result.source) }
                _ = TextReport().render(result)
                _ = TextReport(allLayers: true).render(result)
                _ = MarkdownReport().render(result)
                _ = JSONReport.render([result])
                _ = HTMLReport().render([result])
                analysis = result
            }
            let result = analysis!
            let outcome = Outcome(
                exitCode: ExitStatus.code(for: [result], strict: false), elapsed: elapsed,
                diagnostics: zip(result.diagnostics, rendered).map { diagnostic, rendered in
                    Finding(
                        rule: diagnostic.rule, severity: diagnostic.severity.rawValue, message: diagnostic.message,
                        line: diagnostic.location?.line, column: diagnostic.location?.column, help: diagnostic.help,
                        notes: diagnostic.notes, quotedLine: diagnostic.location.map { result.source.line($0.line) } ?? "",
                        rendered: rendered)
                },
                layers: result.layers.map { LayerSummary(label: $0.node.label, output: $0.output.array, params: $0.cost.params) })
            let json = try! JSONEncoder().encode(outcome)
            FileHandle.standardOutput.write(Data((marker + String(decoding: json, as: UTF8.self) + "\n").utf8))
        }
}
