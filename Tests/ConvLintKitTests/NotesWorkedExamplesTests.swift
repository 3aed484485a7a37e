import Testing

@testable import ConvLintKit

/// The CS231n notes' worked examples.
@Suite struct NotesWorkedExamplesTests {
    @Test func stride2On10x10WithF3P0IsRejectedWith4_5() throws {
        let analysis = analyze("input: 10x10x3\nnetwork: INPUT -> CONV(8, F=3, S=2, P=0)")
        let error = try #require(analysis.firstError)
        #expect(error.rule == "non-integer-output")
        #expect(error.message.contains("(10 − 3 + 2·0)/2 + 1 = 4.5"))
        #expect(error.location == SourceLocation(line: 2, column: 19, length: 22))
        #expect(error.help?.contains("input 11x11x3 makes every layer fit (this one gives 5x5)") == true)
        #expect(error.help?.contains("no padding P fits 10 with F=3, S=2") == true)
    }

    @Test func sevenBySevenWithF3GivesFiveByFiveAtStride1AndThreeByThreeAtStride2() {
        let one = analyze("input: 7x7x1\nnetwork: CONV(1, F=3, S=1, P=0)")
        let two = analyze("input: 7x7x1\nnetwork: CONV(1, F=3, S=2, P=0)")
        #expect(one.layers.last?.output == Volume(5, 5, 1))
        #expect(two.layers.last?.output == Volume(3, 3, 1))
    }

    @Test func tenFiveByFiveFiltersOn32x32x3Give32x32x10And760Params() {
        let analysis = analyze("input: 32x32x3\nnetwork: CONV(10, F=5, S=1, P=2)")
        #expect(analysis.layers.last?.output == Volume(32, 32, 10))
        #expect(analysis.totals.params == 760)
        #expect(analysis.layers.last?.cost.weights == 5 * 5 * 3 * 10)
    }

    @Test func animatedDemoGives3x3x2() {
        let analysis = analyze("input: 5x5x3\nnetwork: CONV(2, F=3, S=2, P=1)")
        #expect(analysis.layers.last?.output == Volume(3, 3, 2))
    }

    @Test func elevenByElevenWithF5S2HasFourPositionsPerAxis() {
        let analysis = analyze("input: 11x11x4\nnetwork: CONV(1, F=5, S=2, P=0)")
        #expect(analysis.layers.last?.output == Volume(4, 4, 1))
    }

    @Test func alexNetConv1At227Gives55x55x96With34_944Params() {
        let analysis = analyze("input: 227x227x3\nnetwork: CONV(96, F=11, S=4, P=0)")
        #expect(analysis.layers.last?.output == Volume(55, 55, 96))
        #expect(analysis.layers.last?.cost.activations == 290_400)
        #expect(analysis.totals.params == 34_944)
    }

    @Test func threeStacked3x3ConvsSeeSevenBySevenWith27CSquaredWeights() {
        let c = 64
        let stack = analyze("input: 56x56x\(c)\nnetwork: \"[CONV(\(c), F=3, P=1) -> RELU]*3\"")
        let single = analyze("input: 56x56x\(c)\nnetwork: CONV(\(c), F=7, P=3) -> RELU")
        #expect(stack.layers.last?.receptiveField.size.w == 7)
        #expect(single.layers.last?.receptiveField.size.w == 7)
        #expect(stack.totals.weights == 27 * c * c)
        #expect(single.totals.weights == 49 * c * c)
    }

    @Test func twoStacked3x3ConvsSeeFiveByFive() {
        let stack = analyze("input: 32x32x8\nnetwork: CONV(8, F=3, P=1)*2")
        #expect(stack.layers.last?.receptiveField.size.w == 5)
        #expect(stack.layers.last?.receptiveField.size.h == 5)
        #expect(stack.totals.weights == 18 * 8 * 8)
    }

    @Test func bottleneckHas69_632WeightsVersus73_728() {
        let bottleneck = analyze(
            "input: 56x56x256\ndefaults: {CONV: {bias: false}}\n"
                + "network: CONV(64, F=1) -> RELU -> CONV(64, F=3, P=1) -> RELU -> CONV(256, F=1)")
        let plain = analyze(
            "input: 56x56x64\ndefaults: {CONV: {bias: false}}\nnetwork: \"[CONV(64, F=3, P=1) -> RELU]*2\"")
        #expect(bottleneck.totals.weights == 69_632)
        #expect(bottleneck.layers.map(\.cost.weights).filter { $0 > 0 } == [16_384, 36_864, 16_384])
        #expect(plain.totals.weights == 73_728)
    }

    @Test func fcOn7x7x512EqualsConvF7AndSlidesAt384() {
        let fc = analyzeArchitecture("vgg16.yaml")
        let conv = analyzeArchitecture("vgg16-fc-as-conv.yaml")
        let large = analyzeArchitecture("vgg16-fc-as-conv-384.yaml")
        #expect(conv.totals.params == fc.totals.params)
        #expect(conv.totals.macs == fc.totals.macs)
        #expect(conv.layers.last?.output == Volume(1, 1, 1000))
        let volumes = large.visibleLayers.map(\.output)
        #expect(volumes.contains(Volume(12, 12, 512)))
        #expect(volumes.contains(Volume(6, 6, 4096)))
        #expect(large.layers.last?.output == Volume(6, 6, 1000))
        #expect(large.totals.params == fc.totals.params)
    }

    @Test func alexNetAt224IsRejectedAtTheConvToken() throws {
        let analysis = analyzeArchitecture("alexnet-224.yaml")
        let error = try #require(analysis.firstError)
        #expect(error.message.contains("(224 − 11 + 2·0)/4 + 1 = 54.25"))
        let line = analysis.source.line(try #require(error.location).line)
        let column = try #require(error.location).column
        #expect(String(line.unicodeScalars.dropFirst(column - 1)).hasPrefix("CONV(96, F=11, S=4, P=0)"))
        #expect(error.location?.length == "CONV(96, F=11, S=4, P=0)".count)
        #expect(error.help?.contains("input 227x227x3 makes every layer fit") == true)
        #expect(error.help?.contains("since 224 − 11 + 2P is odd for every P") == true)
        #expect(ExitStatus.code(for: [analysis], strict: false) == 1)
    }

    @Test func globalAveragePoolingHasNoParameters() {
        let analysis = analyze("input: 7x7x512\nnetwork: GAP -> FC(1000)")
        #expect(analysis.layers[1].output == Volume(1, 1, 512))
        #expect(analysis.layers[1].cost.params == 0)
        #expect(analysis.totals.params == 512 * 1000 + 1000)
    }

    @Test func batchNormKeeps2CParametersAnd2CBuffers() {
        let analysis = analyze("input: 8x8x3\nnetwork: CONV(16, F=3, P=1, bias=false) -> BN -> RELU")
        #expect(analysis.layers[2].cost.params == 32)
        #expect(analysis.layers[2].cost.buffers == 32)
        #expect(analysis.totals.params == 3 * 3 * 3 * 16 + 32)
    }
}
