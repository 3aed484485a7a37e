import ConvLintExecutor
import Testing

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
