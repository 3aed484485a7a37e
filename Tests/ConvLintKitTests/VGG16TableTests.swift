import Testing

@testable import ConvLintKit

/// The CS231n notes' VGG16 table, row by row. The figures are the notes', typed in here;
/// only the total line is corrected (the notes' rows sum to 15,237,608, not "24M").
@Suite struct VGG16TableTests {
    struct Row {
        var label: String
        var output: Volume
        var memory: Int
        var weights: Int
    }

    static let notes: [Row] = [
        Row(label: "INPUT", output: Volume(224, 224, 3), memory: 224 * 224 * 3, weights: 0),
        Row(label: "CONV3-64", output: Volume(224, 224, 64), memory: 224 * 224 * 64, weights: 1_728),
        Row(label: "CONV3-64", output: Volume(224, 224, 64), memory: 224 * 224 * 64, weights: 36_864),
        Row(label: "POOL2", output: Volume(112, 112, 64), memory: 112 * 112 * 64, weights: 0),
        Row(label: "CONV3-128", output: Volume(112, 112, 128), memory: 112 * 112 * 128, weights: 73_728),
        Row(label: "CONV3-128", output: Volume(112, 112, 128), memory: 112 * 112 * 128, weights: 147_456),
        Row(label: "POOL2", output: Volume(56, 56, 128), memory: 56 * 56 * 128, weights: 0),
        Row(label: "CONV3-256", output: Volume(56, 56, 256), memory: 56 * 56 * 256, weights: 294_912),
        Row(label: "CONV3-256", output: Volume(56, 56, 256), memory: 56 * 56 * 256, weights: 589_824),
        Row(label: "CONV3-256", output: Volume(56, 56, 256), memory: 56 * 56 * 256, weights: 589_824),
        Row(label: "POOL2", output: Volume(28, 28, 256), memory: 28 * 28 * 256, weights: 0),
        Row(label: "CONV3-512", output: Volume(28, 28, 512), memory: 28 * 28 * 512, weights: 1_179_648),
        Row(label: "CONV3-512", output: Volume(28, 28, 512), memory: 28 * 28 * 512, weights: 2_359_296),
        Row(label: "CONV3-512", output: Volume(28, 28, 512), memory: 28 * 28 * 512, weights: 2_359_296),
        Row(label: "POOL2", output: Volume(14, 14, 512), memory: 14 * 14 * 512, weights: 0),
        Row(label: "CONV3-512", output: Volume(14, 14, 512), memory: 14 * 14 * 512, weights: 2_359_296),
        Row(label: "CONV3-512", output: Volume(14, 14, 512), memory: 14 * 14 * 512, weights: 2_359_296),
        Row(label: "CONV3-512", output: Volume(14, 14, 512), memory: 14 * 14 * 512, weights: 2_359_296),
        Row(label: "POOL2", output: Volume(7, 7, 512), memory: 7 * 7 * 512, weights: 0),
        Row(label: "FC-4096", output: Volume(1, 1, 4096), memory: 4096, weights: 102_760_448),
        Row(label: "FC-4096", output: Volume(1, 1, 4096), memory: 4096, weights: 16_777_216),
        Row(label: "FC-1000", output: Volume(1, 1, 1000), memory: 1000, weights: 4_096_000),
    ]

    /// The notes' memory column as printed: 150K, 3.2M, 800K, …
    static let printedMemory = [
        "150K", "3.2M", "3.2M", "800K", "1.6M", "1.6M", "400K", "800K", "800K", "800K", "200K", "400K", "400K",
        "400K", "100K", "100K", "100K", "100K", "25K", "4096", "4096", "1000",
    ]

    let analysis = analyzeArchitecture("vgg16.yaml")

    @Test func vgg16IsValidWithNoFindings() {
        #expect(analysis.isValid)
        #expect(analysis.diagnostics.isEmpty)
    }

    @Test func everyRowMatchesTheNotes() throws {
        let rows = analysis.visibleLayers
        try #require(rows.count == Self.notes.count)
        for (row, expected) in zip(rows, Self.notes) {
            #expect(row.node.label == expected.label)
            #expect(row.output == expected.output, "\(expected.label)")
            #expect(row.cost.activations == expected.memory, "\(expected.label)")
            #expect(row.cost.weights == expected.weights, "\(expected.label)")
        }
    }

    @Test func memoryColumnIsPrintedAsTheNotesPrintIt() {
        #expect(analysis.visibleLayers.map(LayerColumns.memory).map { $0.split(separator: "=").last.map(String.init) ?? $0 }
            == Self.printedMemory)
        #expect(LayerColumns.memory(analysis.visibleLayers[1]) == "224*224*64=3.2M")
        #expect(LayerColumns.weights(analysis.visibleLayers[1]) == "(3*3*3)*64 = 1,728")
        #expect(LayerColumns.weights(analysis.visibleLayers[19]) == "7*7*512*4096 = 102,760,448")
        #expect(LayerColumns.weights(analysis.visibleLayers[20]) == "4096*4096 = 16,777,216")
    }

    @Test func vgg16ActivationsSumTo15_237_608() {
        #expect(analysis.totals.activations == 15_237_608)
        #expect(analysis.memory?.forward == ByteCount(60_950_432))
    }

    @Test func vgg16Has138_344_128WeightsAnd138_357_544Params() {
        #expect(analysis.totals.weights == 138_344_128)
        #expect(analysis.totals.biases == 13_416)
        #expect(analysis.totals.params == 138_357_544)
        #expect(analysis.memory?.parameters == ByteCount(553_430_176))
    }

    @Test func vgg16Has15_470_264_320MACs() {
        #expect(analysis.totals.macs == 15_470_264_320)
        #expect(analysis.totals.flops == 30_940_528_640)
    }

    @Test func mostParametersSitInTheFirstFC() {
        let largest = analysis.layers.max { $0.cost.params < $1.cost.params }
        #expect(largest?.node.label == "FC-4096")
        #expect(largest?.cost.weights == 102_760_448)
    }

    @Test func textTablePrintsTheNotesRowsAndTrueTotals() {
        let text = TextReport().render(analysis)
        #expect(text.contains("CONV3-64   [224x224x64]   224*224*64=3.2M   (3*3*3)*64 = 1,728"))
        #expect(text.contains("TOTAL memory: 15,237,608 activations * 4 bytes = 60.95 MB / image (58.1 MiB)"))
        #expect(text.contains("TOTAL params: 138,357,544"))
        #expect(!text.contains("24M"))
    }

    /// The notes' observation as a picture: memory bars fill at the first CONVs, parameter bars at
    /// the first FC; each bar is scaled to the largest row, each percentage is of the total.
    @Test func shareBarsPutMemoryEarlyAndParametersLate() throws {
        let rows = TextReport(bars: .unicode).render(analysis).split(separator: "\n").map(String.init)
        func row(_ label: String) throws -> String { try #require(rows.first { $0.hasPrefix(label + " ") }) }
        #expect(try row("CONV3-64").hasSuffix("████████ 21%  ▏        <1%"))
        // 102,764,544 of 138,357,544 parameters; its activations are 4,096 of 15,237,608.
        #expect(try row("FC-4096").hasSuffix("▏        <1%  ████████ 74%"))
        // 16,781,312 parameters: 16% of the first FC's bar, 1.3 of its 8 cells; 12% of the total.
        #expect(rows.contains { $0.hasPrefix("FC-4096") && $0.hasSuffix("▏        <1%  █▎       12%") })
        let ascii = TextReport(bars: .ascii).render(analysis)
        #expect(ascii.contains("######## 21%") && !ascii.contains("█"))
        #expect(!TextReport().render(analysis).contains("SHARE"))
        let markdown = MarkdownReport().render(analysis)
        #expect(markdown.contains("| Memory share | Params share |") && markdown.contains("`████████ 74%`"))
        #expect(!MarkdownReport(bars: nil).render(analysis).contains("share"))
    }

    @Test func barsAreASCIIWithoutAUTF8Locale() {
        #expect(ShareBar.style(environment: ["LANG": "en_US.UTF-8"]) == .unicode)
        #expect(ShareBar.style(environment: ["LC_ALL": "C", "LANG": "en_US.UTF-8"]) == .ascii)
        #expect(ShareBar.style(environment: ["LC_ALL": "", "LC_CTYPE": "C.utf8"]) == .unicode)
        #expect(ShareBar.style(environment: [:]) == .ascii)
    }
}
