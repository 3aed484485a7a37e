import ConvLintKit
import Testing

/// The generated module's text; Benchmarks/pytorch_export.py runs it in PyTorch for every
/// shipped architecture (35 of 35 with convlint's parameters, MACs and output shape).
@Suite struct PyTorchExportTests {
    @Test func aResidualBlockChainsXAndNamesWhatTheShortcutReads() throws {
        let text = "name: tiny res\ninput: 8x8x16\ndefaults:\n  CONV: {size: 3, pad: 1, bias: false}\n"
            + "network: INPUT -> (CONV(16) -> BN -> RELU -> CONV(16) -> BN + ID) -> RELU -> GAP -> FC(10)"
        let analysis = Analyzer.analyze(source: SourceFile(path: "tiny.yaml", text: text), options: AnalysisOptions())
        try #require(analysis.isValid, "\(analysis.diagnostics.map(\.message))")
        let source = PyTorchModule.source(analysis, path: "tiny.yaml")
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        #expect(lines.contains("class TinyRes(nn.Module):"))
        #expect(lines.contains("        self.conv1 = nn.Conv2d(16, 16, 3, stride=1, padding=1, bias=False)  # CONV3-16"))
        #expect(lines.contains("        self.fc10 = nn.Linear(16, 10)  # FC-10"))
        // The input feeds the block and the shortcut: it keeps its own name; inside, x chains.
        let forward = Array(lines.drop { $0 != "    def forward(self, x):" }.dropFirst().prefix { !$0.isEmpty })
        #expect(forward.first == "        x0 = x")
        #expect(forward[1] == "        x = self.conv1(x0)")
        // ID is no line of its own: the sum reads the saved input.
        #expect(forward.contains("        x = x5 + x0  # ADD"))
        #expect(forward.last == "        return x")
        // 2 × 16·16·9 weights, 2 × 16 of BN, 16·10 + 10 of FC.
        #expect(source.contains("# 4,842 parameters, 295,072 MACs per image"))
    }

    func source(_ text: String) throws -> [String] {
        let analysis = Analyzer.analyze(source: SourceFile(path: "b.yaml", text: text), options: AnalysisOptions())
        try #require(analysis.isValid, "\(analysis.diagnostics.map(\.message))")
        return PyTorchModule.source(analysis, path: "b.yaml").split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    @Test func aBlockIsAClassOfItsParametersAndEqualCallsOneSequential() throws {
        let lines = try source(
            "input: 17x17x8\nblocks:\n  unit(C, S): CONV(C, F=3, S=S, P=1) -> BN -> RELU\n"
                + "network: INPUT -> unit(16, 2) -> [unit(16, 1)]*3 -> unit(32, 2) -> GAP -> FC(10)")
        #expect(lines.contains("class Unit(nn.Module):"))
        #expect(lines.contains("    \"\"\"unit(C, S) in b.yaml, called 5 times.\"\"\""))
        #expect(lines.contains("    def __init__(self, in_channels, C, S):"))
        #expect(lines.contains("        self.conv1 = nn.Conv2d(in_channels, C, 3, stride=S, padding=1)"))
        #expect(lines.contains("        self.bn2 = nn.BatchNorm2d(C)"))
        // Three equal calls, each reading the one before: one Sequential.
        #expect(lines.contains("        self.unit1 = Unit(8, 16, 2)"))
        #expect(lines.contains("        self.unit2 = nn.Sequential(*(Unit(16, 16, 1) for _ in range(3)))"))
        #expect(lines.contains("        self.unit3 = Unit(16, 32, 2)"))
        #expect(lines.contains("        x = self.unit2(x)"))
    }

    @Test func aNumberThatFollowsNoParameterBecomesOneOfItsOwn() throws {
        // The padding of P=same is (K − 1)/2: no parameter, multiple or part of one.
        let lines = try source("input: 16x16x8\nblocks:\n  u(K): CONV(8, F=K, P=same)\nnetwork: INPUT -> u(3) -> u(5) -> u(7)")
        #expect(lines.contains("    def __init__(self, K, padding):"))
        #expect(lines.contains("        self.conv1 = nn.Conv2d(8, 8, K, stride=1, padding=padding)"))
        #expect(lines.contains("        self.u1 = U(3, padding=1)") && lines.contains("        self.u3 = U(7, padding=3)"))
    }

    @Test func helpersAreWrittenOnlyWhenALayerNeedsThem() throws {
        let analysis = Analyzer.analyze(
            source: SourceFile(path: "s.yaml", text: "input: 4x4x8\nnetwork: INPUT -> SHUFFLE(2) -> SCALE"), options: AnalysisOptions())
        try #require(analysis.isValid, "\(analysis.diagnostics.map(\.message))")
        let source = PyTorchModule.source(analysis, path: "s.yaml")
        #expect(source.contains("def channel_shuffle(x, groups):") && source.contains("class LayerScale(nn.Module):"))
        #expect(!source.contains("LayerNorm2d"))
    }
}
