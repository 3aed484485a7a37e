import Foundation
import Testing

@testable import ConvLintExecutor
@testable import ConvLintKit

/// What the modern zoo needs of the format: arithmetic in arguments and counts, and products
/// of branches (squeeze-excitation gates).
@Suite struct ZooSyntaxTests {
    func labels(_ analysis: Analysis) -> [String] { analysis.layers.map(\.node.label) }

    // MARK: Arithmetic

    @Test func argumentsAndCountsTakeArithmeticWithTheUsualPrecedence() {
        let yaml = """
            input: 8x8x96
            vars: {C: 96, N: 3}
            network: INPUT -> CONV(4*C, F=1) -> CONV(C/4 + 2*3, F=1) -> CONV((C - 32)/16, F=1) -> [ID]*(N-1) -> CONV(N-1, F=1)
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid, "\(analysis.diagnostics)")
        #expect(labels(analysis) == ["INPUT", "CONV1-384", "CONV1-30", "CONV1-4", "ID", "ID", "CONV1-2"])
    }

    @Test func blockParametersTakeArithmetic() {
        let yaml = """
            input: 8x8x16
            blocks:
              mb(C, E): CONV(C*E, F=1) -> CONV(C*E, F=3, P=1, groups=C*E) -> CONV(C, F=1)
            network: INPUT -> mb(16, 6) -> mb(C=24, E=4)
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid, "\(analysis.diagnostics)")
        #expect(labels(analysis) == ["INPUT", "CONV1-96", "CONV3-96 g96", "CONV1-16", "CONV1-96", "CONV3-96 g96", "CONV1-24"])
    }

    @Test func aDivisionThatIsNotExactIsAnErrorAtTheExpression() throws {
        let error = try #require(analyze("input: 8x8x3\nvars: {C: 30}\nnetwork: INPUT -> CONV(C/4, F=1)").firstError)
        #expect(error.rule == RuleID.badArgument)
        #expect(error.message == "30 / 4 is not a whole number (7.5)")
        #expect(error.location?.line == 3)
        #expect(error.location?.column == 24)
        #expect(error.help?.contains("use a multiple of 4 (such as 32)") == true)
    }

    @Test func divisionByZeroAndOverflowAreErrorsNotTraps() throws {
        let zero = try #require(analyze("input: 8x8x3\nvars: {Z: 0}\nnetwork: INPUT -> CONV(8/Z, F=1)").firstError)
        #expect(zero.message == "division by zero: 8 / 0")
        let huge = try #require(analyze("input: 8x8x3\nnetwork: INPUT -> CONV(1099511627776*1099511627776, F=1)").firstError)
        #expect(huge.rule == RuleID.overflow)
    }

    @Test func hyphenatedNamesStayPaperNamesAndLayerNames() {
        let analysis = analyze("input: 32x32x3\nnetwork: INPUT -> conv3-64 -> FC-10")
        #expect(labels(analysis) == ["INPUT", "CONV3-64", "FC-10"])
    }

    /// ConvNeXt's and EfficientNet's stochastic depth rises block by block: a list of rates.
    @Test func decimalVariablesGiveEachRepetitionItsRate() throws {
        let yaml = """
            input: 8x8x16
            vars: {R: [0.0, 0.05, 0.1]}
            network: "INPUT -> [(CONV(16, F=3, P=1) -> DROPPATH(R) + ID)]*3"
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid, "\(analysis.diagnostics)")
        let rates = analysis.layers.compactMap { layer -> Double? in
            if case .dropout(let drop) = layer.node.operation { return drop.rate }
            return nil
        }
        #expect(rates == [0, 0.05, 0.1])
        let error = try #require(analyze("input: 8x8x3\nvars: {R: 1e400}\nnetwork: INPUT -> DROPPATH(R)").firstError)
        #expect(error.message == "variable 'R' must be an integer, a decimal, a boolean or a list, not '1e400'")
    }

    // MARK: Products of branches

    /// torchvision's SqueezeExcitation: scale = sigmoid(fc2(relu(fc1(avgpool(x))))); x * scale.
    static let squeezeExcitation = """
        input: 14x14x64
        network: INPUT -> (ID * GAP -> CONV(16, F=1) -> RELU -> CONV(64, F=1) -> SIGMOID)
        """

    @Test func aGateBroadcastsItsChannelsOverTheVolume() throws {
        let analysis = analyze(Self.squeezeExcitation)
        #expect(analysis.isValid, "\(analysis.diagnostics)")
        let gate = try #require(analysis.layers.last)
        #expect(gate.node.kind == .multiply)
        #expect(gate.node.inputs == [1, 6])
        #expect(gate.output == Volume(14, 14, 64))
        #expect(gate.cost.macs == 0)
        #expect(gate.cost.otherOps == 14 * 14 * 64)
        // fc1 and fc2 with biases, as torchvision's Conv2d(64, 16, 1) and Conv2d(16, 64, 1).
        #expect(analysis.totals.params == 64 * 16 + 16 + 16 * 64 + 64)
        // Autograd keeps both factors of the product: torchvision's SqueezeExcitation(64, 16)
        // saves 50,752 bytes of activations per image (saved_tensors_hooks, torch 2.15).
        let saved = try #require(analysis.memory?.pytorch.savedPerImage)
        #expect(saved.reduce(0, +) == 50_752)
    }

    /// Twelve gates in a row once multiplied the jump by the width at each, until the total
    /// stride overflowed an Int and trapped; the gated volume stays on its input's grid.
    @Test func gatesKeepTheGridOfTheVolumeTheyScale() throws {
        let yaml = """
            input: 224x224x16
            rounding: floor
            network: "INPUT -> CONV(16, F=3, S=2, P=1) -> [(ID * GAP -> CONV(16, F=1) -> SIGMOID)]*12"
            """
        let analysis = analyze(yaml)
        #expect(analysis.isValid)
        let gate = try #require(analysis.layers.last)
        #expect(gate.receptiveField.jump == (2, 2))
        #expect(analysis.totalStride == Pair(2, 2))
        #expect(!Linter().lint(analysis).diagnostics.contains { $0.rule == "input-not-divisible" })
    }

    @Test func aGateWithTheWrongDepthIsAnErrorNamingTheBranch() throws {
        let error = try #require(
            analyze("input: 14x14x64\nnetwork: INPUT -> (ID * GAP -> CONV(16, F=1) -> SIGMOID)").firstError)
        #expect(error.rule == RuleID.branchMismatch)
        #expect(error.message.contains("branch 2 of this product outputs 1x1x16, which does not broadcast against 14x14x64"))
        #expect(error.help == "end branch 2 in 64 channels, e.g. CONV(64, F=1) before its SIGMOID")
        #expect(error.location?.column == 19)
    }

    @Test func aCountInParenthesesStillRepeats() {
        let analysis = analyze("input: 8x8x3\nvars: {N: 3}\nnetwork: INPUT -> [CONV(4, F=1)]*(N-1)")
        #expect(labels(analysis) == ["INPUT", "CONV1-4", "CONV1-4"])
    }

    @Test func aProductOutsideAGroupSaysWhereItGoes() throws {
        let error = try #require(analyze("input: 8x8x3\nnetwork: INPUT -> ID * GAP").firstError)
        #expect(error.rule == RuleID.patternSyntax)
        #expect(error.help?.contains("(ID * GAP -> CONV(16, F=1) -> SIGMOID)") == true)
    }

    @Test func theExecutorsGateMatchesTheStaticFigures() {
        let analysis = analyze(Self.squeezeExcitation)
        let run = Executor(analysis: analysis).run()
        #expect(run.mismatches(with: analysis).isEmpty)
    }
}

/// The zoo's reshaping kernels against PyTorch: each expected list is what torch 2.15 printed
/// for the same input in float64 (`F.interpolate`, `F.adaptive_avg_pool2d`, `F.layer_norm`
/// over a channels-last view).
@Suite struct ZooKernelTests {
    let arena = TensorArena()

    func tensor(depth: Int, height: Int, width: Int, _ value: (Int) -> Double) -> Tensor {
        let tensor = Tensor(batch: 1, depth: depth, height: height, width: width, arena: arena)
        for i in 0..<tensor.count { tensor.storage[i] = Float(value(i)) }
        return tensor
    }

    func expectClose(_ actual: Tensor, _ expected: [Float], _ what: String) {
        #expect(actual.count == expected.count, "\(what)")
        let worst = zip(actual.storage, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5, "\(what): largest difference \(worst)")
    }

    /// x = 3·sin(0.37·i), 3 rows of 4.
    var upsampleInput: Tensor { tensor(depth: 1, height: 3, width: 4) { 3 * sin(0.37 * Double($0)) } }

    @Test func bilinearUpsamplingEqualsPyTorchs() {
        let toSize = Tensor(batch: 1, depth: 1, height: 5, width: 7, arena: arena)
        upsample(upsampleInput, into: toSize, bilinear: true)
        expectClose(toSize, [
            0, 0.3874451, 1.007357, 1.553855, 2.070309, 2.44987, 2.687096, 1.195057, 1.412693, 1.760911, 1.987017,
            2.174705, 2.21557, 2.241111, 2.987643, 2.950565, 2.891241, 2.636761, 2.331299, 1.86412, 1.572133, 1.52013,
            1.268798, 0.8666663, 0.4092867, -0.05600652, -0.5214468, -0.812347, 0.5417888, 0.1476199, -0.4830502,
            -1.075696, -1.647544, -2.111825, -2.402,
        ], "bilinear to 5x7")
        let doubled = Tensor(batch: 1, depth: 1, height: 6, width: 8, arena: arena)
        upsample(upsampleInput, into: doubled, bilinear: true)
        expectClose(doubled, [
            0, 0.2712116, 0.8136347, 1.319351, 1.788359, 2.188922, 2.521038, 2.687096, 0.7469106, 0.9438308, 1.337671,
            1.679586, 1.969577, 2.188018, 2.334909, 2.408355, 2.240732, 2.289069, 2.385744, 2.400058, 2.332011, 2.18621,
            1.962652, 1.850874, 2.376179, 2.287734, 2.110843, 1.865522, 1.551771, 1.190821, 0.7826736, 0.5785997,
            1.153252, 0.939825, 0.5129706, 0.07598075, -0.3711446, -0.7981472, -1.205027, -1.408467, 0.5417888,
            0.2658706, -0.2859658, -0.8187901, -1.332602, -1.792631, -2.198877, -2.402,
        ], "bilinear x2")
    }

    @Test func nearestUpsamplingEqualsPyTorchs() {
        let output = Tensor(batch: 1, depth: 1, height: 5, width: 7, arena: arena)
        upsample(upsampleInput, into: output, bilinear: false)
        expectClose(output, [
            0, 0, 1.084846, 1.084846, 2.022864, 2.022864, 2.687096, 0, 0, 1.084846, 1.084846, 2.022864, 2.022864,
            2.687096, 2.987643, 2.987643, 2.883826, 2.883826, 2.389696, 2.389696, 1.572133, 2.987643, 2.987643,
            2.883826, 2.883826, 2.389696, 2.389696, 1.572133, 0.5417888, 0.5417888, -0.561884, -0.561884, -1.589508,
            -1.589508, -2.402,
        ], "nearest to 5x7")
    }

    @Test func adaptiveAveragePoolingEqualsPyTorchs() {
        let input = tensor(depth: 1, height: 5, width: 7) { cos(0.61 * Double($0)) }
        let output = Tensor(batch: 1, depth: 1, height: 2, width: 3, arena: arena)
        adaptiveAveragePool(input, into: output, window: AdaptivePoolingLayer.window)
        expectClose(output, [0.007035154, 0.0414647, 0.02146318, 0.0277165, -0.02032227, -0.04168382], "adaptive 3x2")
    }

    @Test func layerNormOverChannelsEqualsPyTorchs() {
        let input = tensor(depth: 6, height: 2, width: 2) { 2 * sin(0.43 * Double($0)) }
        let output = Tensor(batch: 1, depth: 6, height: 2, width: 2, arena: arena)
        let (gamma, beta) = ([Float](repeating: 1, count: 6), [Float](repeating: 0, count: 6))
        layerNorm(input, into: output, gamma: gamma, beta: beta, overChannels: true)
        expectClose(output, [
            -0.2794808, 0.3478945, 0.8863102, 1.184402, 1.242111, 1.016217, 0.5414882, 0.006430821, -0.7318521,
            -1.374597, -1.675676, -1.599547, -1.666582, -1.332128, -0.6716877, 0.05588403, 0.5852776, 1.046061,
            1.246989, 1.1697, 0.8505263, 0.2965523, -0.3274241, -0.81687,
        ], "LN over channels")
    }

    /// ShuffleNet's channel_shuffle: view(groups, D/groups), transpose, flatten.
    @Test func channelShuffleInterleavesTheGroups() {
        let input = tensor(depth: 6, height: 1, width: 1) { Double($0) }
        let two = Tensor(batch: 1, depth: 6, height: 1, width: 1, arena: arena)
        shuffleChannels(input, into: two, groups: 2)
        #expect(Array(two.storage) == [0, 3, 1, 4, 2, 5])
        let three = Tensor(batch: 1, depth: 6, height: 1, width: 1, arena: arena)
        shuffleChannels(input, into: three, groups: 3)
        #expect(Array(three.storage) == [0, 2, 4, 1, 3, 5])
    }

    /// x * scale with scale 1x1xC, and a row (1xW) and a column (Hx1) broadcast the same way.
    @Test func productsBroadcastEachFactor() {
        let x = tensor(depth: 2, height: 2, width: 3) { Double($0 + 1) }
        let gate = tensor(depth: 2, height: 1, width: 1) { [0.5, -2][$0] }
        let row = tensor(depth: 2, height: 1, width: 3) { Double($0 % 3) }
        let output = Tensor(batch: 1, depth: 2, height: 2, width: 3, arena: arena)
        broadcastMultiply([x, gate], into: output)
        #expect(Array(output.storage) == [0.5, 1, 1.5, 2, 2.5, 3, -14, -16, -18, -20, -22, -24])
        broadcastMultiply([x, gate, row], into: output)
        #expect(Array(output.storage) == [0, 1, 3, 0, 2.5, 6, -0, -16, -36, -0, -22, -48])
    }

    @Test func chunksPReLUAndScaleFollowTheirDefinitions() {
        let input = Tensor(batch: 2, depth: 4, height: 1, width: 2, arena: arena)
        for i in 0..<input.count { input.storage[i] = Float(i) - 7 }
        let half = Tensor(batch: 2, depth: 2, height: 1, width: 2, arena: arena)
        chunk(input, into: half, index: 1)
        #expect(Array(half.storage) == [-3, -2, -1, 0, 5, 6, 7, 8])
        let slopes: [Float] = [0.5, 0.25, 0.1, 2]
        let leaky = Tensor(batch: 2, depth: 4, height: 1, width: 2, arena: arena)
        prelu(input, into: leaky, slopes: slopes, perChannel: true)
        #expect(Array(leaky.storage[0..<4]) == [-3.5, -3, -1.25, -1])
        #expect(Array(leaky.storage[8..<16]) == [1, 2, 3, 4, 5, 6, 7, 8])
        let scaled = Tensor(batch: 2, depth: 4, height: 1, width: 2, arena: arena)
        scaleChannels(input, into: scaled, by: slopes)
        #expect(Array(scaled.storage[0..<8]) == [-3.5, -3, -1.25, -1, -0.3, -0.2, -2, 0])
    }
}

/// Sizes the zoo's kinds take from the file are checked before anything is counted.
@Suite struct ZooLimitsTests {
    /// The closed form equals the windows PyTorch's AdaptiveAvgPool2d reads, counted one by one.
    @Test(arguments: [(7, 3), (4, 2), (224, 7), (7, 7), (5, 7), (13, 1), (1, 5)])
    func adaptiveWindowsSumToTheClosedForm(input: Int, output: Int) throws {
        let counted = (0..<output).reduce(0) { $0 + AdaptivePoolingLayer.window($1, of: output, input: input).count }
        let closed = try AdaptivePoolingLayer.windowLengths(input: input, output: output, checked: Checked(location: nil, what: ""))
        #expect(closed == counted)
    }

    /// A size of 2^40 is an overflow error at the layer, in a bounded number of steps.
    @Test func hugeAdaptivePoolAndUpsampleSizesAreErrorsNotHangs() throws {
        for network in ["INPUT -> ADAPTIVEAVGPOOL(1099511627776)", "INPUT -> UPSAMPLE(1099511627776) -> UPSAMPLE(1099511627776)"] {
            let error = try #require(analyze("input: 8x8x3\nnetwork: \(network)").firstError, "\(network)")
            #expect(error.rule == RuleID.overflow, "\(network): \(error.message)")
        }
    }
}
