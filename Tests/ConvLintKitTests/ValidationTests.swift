import Testing

@testable import ConvLintKit

/// Checks that hold for parts of a file that expansion may never reach, and bounds on the
/// figures computed from them.
@Suite struct ValidationTests {
    @Test func unknownDefaultsArgumentIsAnErrorEvenWhenTheKindIsUnused() throws {
        let error = try #require(analyze("input: 8x8x3\ndefaults: {CONV: {sise: 3}}\nnetwork: FC(2)").firstError)
        #expect(error.message.contains("did you mean 'size'?"))
        #expect(error.location == SourceLocation(line: 2, column: 19, length: 4))
    }

    @Test func invalidLiteralInDefaultsIsAnErrorEvenWhenUnused() throws {
        let error = try #require(analyze("input: 8x8x3\ndefaults: {CONV: {size: 0}}\nnetwork: FC(2)").firstError)
        #expect(error.message.contains("size must be at least 1"))
    }

    @Test func sameDefaultsParameterTwiceThroughAnAliasIsAnError() throws {
        let error = try #require(analyze("input: 8x8x3\ndefaults: {CONV: {size: 3, F: 5}}\nnetwork: FC(2)").firstError)
        #expect(error.message == "defaults for CONV set size twice")
    }

    @Test func inputTakesNoDefaults() throws {
        let error = try #require(analyze("defaults: {INPUT: {shape: 8x8x3}}\nnetwork: FC(2)").firstError)
        #expect(error.message == "INPUT takes no defaults")
    }

    @Test func unknownKindInAnUnusedBlockOrARemovedBodyIsAnError() throws {
        let block = try #require(analyze("input: 8x8x3\nblocks: {b: CONVV(3)}\nnetwork: FC(2)").firstError)
        #expect(block.message.contains("'CONVV'; did you mean 'CONV'?"))
        let removed = try #require(analyze("input: 8x8x3\nnetwork: \"[RLU]*0 -> FC(2)\"").firstError)
        #expect(removed.location?.column == 12)
    }

    @Test func numbersInYAMLValuesShareThePatternBound() throws {
        let error = try #require(analyze("input: [2000000000000, 1, 1]\nnetwork: FC(2)").firstError)
        #expect(error.message == "'input' is too large: 2000000000000")
    }

    @Test func trainingMemoryOfHugeParametersIsAnOverflowFindingNotATrap() throws {
        var options = AnalysisOptions()
        options.optimizer = .adam
        options.dtype = .int8
        let analysis = analyze("input: 2048x1024x1\nnetwork: INPUT -> FC(1099511627776)", options: options)
        let error = try #require(analysis.firstError)
        #expect(error.rule == "arithmetic-overflow")
    }

    @Test func aFixIsNeverAnAbsurdlySmallInput() throws {
        let error = try #require(
            analyze("input: 28x28x64\nnetwork: INPUT -> (CONV(64, F=3, P=1) + CONV(64, F=3, S=2, P=1))").firstError)
        #expect(error.help?.contains("input 1x1") == false)
    }

    @Test func aliasBombIsReportedAsSuchWithExitTwo() throws {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let previous = Character(UnicodeScalar(96 + level)!)
            let name = Character(UnicodeScalar(97 + level)!)
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let analysis = analyze(yaml)
        let error = try #require(analysis.firstError)
        #expect(error.message.contains("more than 100000 YAML nodes"))
        #expect(ExitStatus.code(for: [analysis], strict: false) == 2)
    }

    @Test func roundingWarningsNameRowsAndColumnsAndCeilsThatAddNothing() throws {
        let floor = try #require(analyze("input: 10x10x1\nrounding: floor\nnetwork: POOL(F=3, S=2)").diagnostics.first)
        #expect(floor.message.contains("ignores the last 1 row and column"))
        let ceil = try #require(analyze("input: 5x5x1\nrounding: ceil\nnetwork: POOL(2, S=2, P=1)").diagnostics.first)
        #expect(ceil.message.contains("ceil adds no window here"))
    }

    @Test func aPatternCutAtACommaInAFlowMapSaysWhy() throws {
        let error = try #require(analyze("input: 8x8x3\nblocks: {b: CONV(8, F=3) -> RELU}\nnetwork: b").firstError)
        #expect(error.rule == "unquoted-pattern")
        #expect(error.location == SourceLocation(line: 2, column: 19))
        #expect(error.help?.contains("quote the pattern") == true)
    }
}
