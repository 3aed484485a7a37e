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
        #expect(forward.contains("        x6 = x0  # ID") && forward.contains("        x = x5 + x6  # ADD"))
        #expect(forward.last == "        return x10")
        // 2 × 16·16·9 weights, 2 × 16 of BN, 16·10 + 10 of FC.
        #expect(source.contains("# 4,842 parameters, 295,072 MACs per image"))
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
