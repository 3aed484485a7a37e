import Testing

@testable import ConvLintKit

/// The pattern grammar of SPEC §2 and the layer arguments of §3.
@Suite struct PatternGrammarTests {
    func labels(_ analysis: Analysis) -> [String] { analysis.layers.map(\.node.label) }

    @Test func repetitionUnrollsAndStarZeroRemoves() {
        let analysis = analyze("input: 8x8x3\nnetwork: \"INPUT -> [CONV(4, F=3, P=1) -> RELU]*2 -> POOL*0 -> FC(2)\"")
        #expect(labels(analysis) == ["INPUT", "CONV3-4", "RELU", "CONV3-4", "RELU", "FC-2"])
    }

    @Test func optionalLayersFollowTheirCondition() {
        let yaml = "input: 8x8x3\nvars: {B: false, P: [true, false]}\nnetwork: \"[CONV(4, F=1) -> BN?B -> POOL?P]*2 -> RELU?\""
        #expect(labels(analyze(yaml)) == ["INPUT", "CONV1-4", "POOL2", "CONV1-4", "RELU"])
    }

    @Test func listVariablesAreIndexedByTheEnclosingRepetitionsOutermostFirst() {
        let yaml = """
            input: 16x16x3
            vars:
              N: [1, 2]
              F: [[8], [16, 32]]
            network: "INPUT -> [[CONV(F, F=3, P=1)]*N -> POOL]*2"
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid)
        #expect(labels(analysis) == ["INPUT", "CONV3-8", "POOL2", "CONV3-16", "CONV3-32", "POOL2"])
    }

    @Test func listLengthMustMatchTheRepetitionCount() throws {
        let analysis = analyze("input: 8x8x3\nvars: {F: [8, 16, 32]}\nnetwork: \"[CONV(F, F=1)]*2\"")
        let error = try #require(analysis.firstError)
        #expect(error.message.contains("'F' has 3 values at this level, but the repetition at line 3"))
        #expect(error.location?.column == 17)
    }

    @Test func listUsedOutsideARepetitionIsAnError() throws {
        let error = try #require(analyze("input: 8x8x3\nvars: {F: [8, 16]}\nnetwork: CONV(F, F=1)").firstError)
        #expect(error.message.contains("'F' is a list"))
    }

    @Test func concatenationAddsDepthsAndAMergeRowAtTheParenthesis() throws {
        let analysis = analyze("input: 28x28x192\nnetwork: INPUT -> (CONV(64, F=1) | CONV(128, F=3, P=1) | POOL(F=3, S=1, P=1))")
        #expect(analysis.isValid)
        let merge = try #require(analysis.layers.last)
        #expect(merge.node.kind == .concat)
        #expect(merge.output == Volume(28, 28, 64 + 128 + 192))
        #expect(merge.node.location.column == 19)
        #expect(merge.node.inputs == [1, 2, 3])
        #expect(merge.cost.activations == 28 * 28 * 384)
    }

    @Test func sumWithIdentityReusesABuffer() throws {
        let analysis = analyze("input: 8x8x16\nnetwork: (CONV(16, F=3, P=1) -> BN + ID) -> RELU")
        let add = try #require(analysis.layers.first { $0.node.kind == .add })
        #expect(add.output == Volume(8, 8, 16))
        #expect(add.cost.activations == 0)
        #expect(analysis.layers.first { $0.node.kind == .identity }?.cost.activations == 0)
    }

    @Test func sumBranchesMustAgreeInAllThreeDimensions() throws {
        let error = try #require(analyze("input: 8x8x16\nnetwork: (CONV(32, F=1) + ID)").firstError)
        #expect(error.rule == "branch-mismatch")
        #expect(error.message.contains("8x8x16"))
        #expect(error.location?.column == 10)
    }

    @Test func mixingBarAndPlusInOneGroupIsAnError() throws {
        let error = try #require(analyze("input: 8x8x16\nnetwork: (ID | ID + ID)").firstError)
        #expect(error.message.contains("mixes"))
        #expect(error.location?.column == 19)
    }

    @Test func blocksTakeArgumentsEvaluatedAtTheCallSite() throws {
        let yaml = """
            input: 56x56x64
            rounding: floor
            defaults:
              CONV: {size: 3, pad: 1, bias: false}
            vars: {C: [64, 128]}
            blocks:
              down(C): (CONV(C, S=2) -> BN -> RELU -> CONV(C) -> BN + CONV(C, F=1, S=2, P=0) -> BN) -> RELU
            network: "INPUT -> [down(C)]*2"
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid)
        #expect(analysis.layers.last?.output == Volume(14, 14, 128))
        let conv = try #require(analysis.layers.first { $0.node.kind == .conv })
        #expect(conv.node.location.line == 7)
        #expect(conv.node.calledFrom.first?.line == 8)
        #expect(analysis.diagnostics.first?.notes == ["in the block called at line 8, column 21"])
    }

    @Test func aBlockMayNotBeNamedLikeAKind() throws {
        let error = try #require(analyze("input: 8x8x3\nblocks: {conv: RELU}\nnetwork: conv").firstError)
        #expect(error.message.contains("may not be named like the layer kind"))
    }

    @Test func aBlockCallingItselfIsAnError() throws {
        let error = try #require(analyze("input: 8x8x3\nblocks: {b: RELU -> b}\nnetwork: b").firstError)
        #expect(error.message.contains("calls itself"))
    }

    @Test func defaultsPaperNamesAndCallsApplyInThatOrder() {
        let yaml = """
            input: 33x33x3
            defaults: {CONV: {size: 5, pad: 2, bias: false}, POOL: {size: 3, stride: 2, pad: 1}}
            network: CONV(8) -> conv3-16 -> conv3-16(P=0) -> MAXPOOL -> AVGPOOL(2, S=2, P=0) -> FC-10 -> soft-max
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid)
        #expect(labels(analysis) == ["INPUT", "CONV5-8", "CONV3-16", "CONV3-16", "POOL3/2", "AVGPOOL2", "FC-10", "SOFTMAX"])
        #expect(analysis.layers[1].cost.biases == 0)
        #expect(analysis.layers[2].node.operation.window?.padding == Pair(1, 1))
        #expect(analysis.layers.map(\.output.w) == [33, 33, 33, 31, 16, 8, 1, 1])
    }

    @Test func sameAndValidPaddingAndRectangularKernels() {
        let analysis = analyze("input: 17x17x8\nnetwork: CONV(8, F=1x7, P=same) -> CONV(8, F=3, dilation=2, P=same) -> CONV(8, F=3, P=valid)")
        #expect(analysis.layers[1].node.operation.window?.padding == Pair(0, 3))
        #expect(analysis.layers[1].output == Volume(17, 17, 8))
        #expect(analysis.layers[1].cost.weights == 1 * 7 * 8 * 8)
        #expect(analysis.layers[2].output == Volume(17, 17, 8))
        #expect(analysis.layers[2].receptiveField.size.w == 1 + 4)
        #expect(analysis.layers[2].receptiveField.size.h == 7 + 4)
        #expect(analysis.layers[3].output == Volume(15, 15, 8))
    }

    @Test func depthwiseConvolutionDividesWeightsByGroups() {
        let analysis = analyze("input: 112x112x32\nnetwork: CONV(32, F=3, P=1, groups=32, bias=false) -> CONV(64, F=1, bias=false)")
        #expect(analysis.layers[1].cost.weights == 3 * 3 * 32)
        #expect(analysis.layers[1].cost.macs == 112 * 112 * 32 * 9)
        #expect(analysis.layers[2].cost.weights == 32 * 64)
    }

    @Test func groupsMustDivideDepthAndFilters() throws {
        let error = try #require(analyze("input: 8x8x6\nnetwork: CONV(8, F=1, groups=4)").firstError)
        #expect(error.message.contains("groups=4 does not divide the input depth 6"))
        #expect(error.location?.column == 30)
    }

    @Test func deconvolutionUpsamplesAndCountsMACsAtTheInputSize() {
        let analysis = analyze("input: 7x7x64\nnetwork: DECONV(32, F=4, S=2, P=1) -> DECONV(3, F=3, S=2, P=1, output_pad=1)")
        #expect(analysis.layers[1].output == Volume(14, 14, 32))
        #expect(analysis.layers[1].cost.weights == 64 * 32 * 4 * 4)
        #expect(analysis.layers[1].cost.macs == 7 * 7 * 32 * 4 * 4 * 64)
        #expect(analysis.layers[2].output == Volume(28, 28, 3))
    }

    @Test func floorRoundingWarnsHowManyColumnsAreIgnored() throws {
        let analysis = analyze("input: 224x224x3\nrounding: floor\nnetwork: CONV(64, F=7, S=2, P=3)")
        #expect(analysis.isValid)
        #expect(analysis.layers.last?.output == Volume(112, 112, 64))
        let warning = try #require(analysis.diagnostics.first)
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("= 112.5 → 112"))
        #expect(warning.message.contains("ignores the last 1 row and column"))
        #expect(ExitStatus.code(for: [analysis], strict: false) == 0)
        #expect(ExitStatus.code(for: [analysis], strict: true) == 1)
    }

    @Test func ceilRoundingFollowsPyTorchCeilMode() {
        // 112 → 56 with ceil (55.5 rounded up), as torchvision's GoogLeNet pools.
        #expect(analyze("input: 112x112x8\nrounding: ceil\nnetwork: POOL(F=3, S=2)").layers.last?.output.w == 56)
        // The last window would start in the padding: PyTorch drops it (6 − 3 + 2 = 5, 5/2 → 3 + 1 = 4, not 5).
        #expect(analyze("input: 6x6x1\nrounding: ceil\nnetwork: POOL(F=3, S=2, P=1)").layers.last?.output.w == 4)
        #expect(analyze("input: 5x5x1\nnetwork: POOL(F=2, S=2, rounding=ceil)").layers.last?.output.w == 3)
    }

    @Test func networkAsAListChainsItsStagesWithLineExactLocations() throws {
        let yaml = """
            input: 32x32x3
            network:
              - INPUT
              - "[CONV(8, F=3, P=1) -> RELU]*2"
              - POOL -> FC(10)
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid)
        let pool = try #require(analysis.layers.first { $0.node.kind == .pool })
        #expect(pool.node.location == SourceLocation(line: 5, column: 5, length: 4))
        let conv = try #require(analysis.layers.first { $0.node.kind == .conv })
        #expect(conv.node.location == SourceLocation(line: 4, column: 7, length: 17))
    }

    @Test func tokensInFoldedAndLiteralScalarsAreLocatedOnTheirOwnLines() throws {
        let folded = """
            input: 10x10x3
            network: >
              INPUT -> CONV(8, F=3, P=1)
                -> CONV(8, F=3, S=2, P=0)
            """
        let literal = "input: 10x10x3\nnetwork: |\n  INPUT\n  -> RELU\n  -> CONV(8, F=3, S=2)\n"
        let plain = "input: 10x10x3\nnetwork: INPUT -> RELU\n   -> CONV(8, F=3, S=2)\n"
        #expect(analyze(folded).firstError?.location == SourceLocation(line: 4, column: 8, length: 22))
        #expect(analyze(literal).firstError?.location == SourceLocation(line: 5, column: 6, length: 17))
        #expect(analyze(plain).firstError?.location == SourceLocation(line: 3, column: 7, length: 17))
    }

    @Test func inputInThePatternMustAgreeWithInputKey() throws {
        #expect(analyze("network: INPUT(32x32x3) -> FC(10)").layers.first?.output == Volume(32, 32, 3))
        #expect(analyze("input: [32, 32, 3]\nnetwork: INPUT(32x32x3) -> FC(10)").isValid)
        let error = try #require(analyze("input: 32x32x3\nnetwork: INPUT(28x28x1) -> FC(10)").firstError)
        #expect(error.message.contains("differs"))
    }

    @Test func namesAreCaseInsensitiveAndUnknownOnesGetASuggestion() throws {
        #expect(analyze("input: 8x8x3\nnetwork: conv(4, f=3, s=1, p=1) -> Relu -> pool").isValid)
        let kind = try #require(analyze("input: 8x8x3\nnetwork: CONV(4, F=3) -> RLEU").firstError)
        #expect(kind.message.contains("did you mean 'RELU'?"))
        #expect(kind.location == SourceLocation(line: 2, column: 26, length: 4))
        let argument = try #require(analyze("input: 8x8x3\nnetwork: CONV(4, F=3, strde=2)").firstError)
        #expect(argument.message.contains("did you mean 'stride'?"))
        let key = try #require(analyze("input: 8x8x3\nnetwrk: FC(2)").firstError)
        #expect(key.message.contains("did you mean 'network'?"))
        #expect(key.location == SourceLocation(line: 2, column: 1, length: 6))
    }

    @Test func onlyTheFirstArgumentMayBePositional() throws {
        let error = try #require(analyze("input: 8x8x3\nnetwork: CONV(4, 3)").firstError)
        #expect(error.message.contains("only one positional argument"))
        #expect(error.location?.column == 18)
    }

    @Test func missingFilterCountSaysHowToGiveIt() throws {
        let error = try #require(analyze("input: 8x8x3\nnetwork: CONV").firstError)
        #expect(error.message == "CONV needs a number of filters")
        #expect(error.help?.contains("defaults") == true)
    }

    @Test func anUnquotedPatternLineIsAFindingThatShowsTheQuotedForm() throws {
        let analysis = analyze("input: 8x8x3\nnetwork:\n  - INPUT\n  - [CONV(4, F=1) -> RELU]*2 -> POOL\n")
        let error = try #require(analysis.firstError)
        #expect(error.rule == "unquoted-pattern")
        #expect(error.help == "quote the line: \"[CONV(4, F=1) -> RELU]*2 -> POOL\"")
        #expect(error.location?.line == 4)
        #expect(ExitStatus.code(for: [analysis], strict: false) == 1)
    }

    @Test func malformedYAMLIsExitTwoWithItsPosition() throws {
        let analysis = analyze("input: 8x8x3\nnetwork: \"CONV\n  x: [")
        let error = try #require(analysis.firstError)
        #expect(error.rule == "yaml-syntax")
        #expect(error.location != nil)
        #expect(ExitStatus.code(for: [analysis], strict: false) == 2)
    }

    @Test func duplicateKeysAreErrors() throws {
        let error = try #require(analyze("input: 8x8x3\ninput: 9x9x3\nnetwork: FC(2)").firstError)
        #expect(error.message == "duplicate key 'input'")
        #expect(error.location?.line == 2)
    }

    @Test func commandLineOptionsOverrideTheFile() {
        var options = AnalysisOptions()
        options.input = [384, 384, 3]
        options.variables = [("N", "[1, 1, 1, 1, 1]")]
        options.batch = 8
        options.dtype = .float16
        let analysis = analyzeArchitecture("vgg16.yaml", options: options)
        #expect(analysis.input == Volume(384, 384, 3))
        #expect(analysis.layers.filter { $0.node.kind == .conv }.count == 5)
        #expect(analysis.batch == 8)
        #expect(analysis.memory?.forward.bytes == analysis.totals.activations * 8 * 2)
    }
}
