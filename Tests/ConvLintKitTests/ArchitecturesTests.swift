import Foundation
import Testing

@testable import ConvLintKit

/// Every shipped architecture file: its validity and its totals. Figures marked (ref) equal
/// PyTorch measurements (see ReferenceFiguresTests); the others are derived from the papers'
/// layer lists and agree with the published totals (torchvision's documented counts for
/// vgg19, resnet18 and googlenet; the MobileNet paper's 569M mult-adds).
@Suite struct ArchitecturesTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var params: Int
        var macs: Int
        var output: Volume
        /// Warnings expected from `rounding: floor`/`ceil` (none means an exact fit everywhere).
        var warnings: Bool

        var testDescription: String { file }
    }

    static let expected: [Expected] = [
        Expected(file: "vgg11.yaml", params: 132_863_336, macs: 7_609_090_048, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg11-lrn.yaml", params: 132_863_336, macs: 7_609_090_048, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg13.yaml", params: 133_047_848, macs: 11_308_466_176, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg16-c.yaml", params: 133_638_952, macs: 11_770_888_192, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg16.yaml", params: 138_357_544, macs: 15_470_264_320, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg19.yaml", params: 143_667_240, macs: 19_632_062_464, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg16-fc-as-conv.yaml", params: 138_357_544, macs: 15_470_264_320, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "vgg16-fc-as-conv-384.yaml", params: 138_357_544, macs: 49_551_114_240, output: Volume(6, 6, 1000), warnings: false),
        Expected(file: "alexnet.yaml", params: 62_378_344, macs: 1_135_256_096, output: Volume(1, 1, 1000), warnings: false),
        Expected(file: "alexnet-torchvision.yaml", params: 61_100_840, macs: 714_188_480, output: Volume(1, 1, 1000), warnings: true),
        Expected(file: "zfnet.yaml", params: 62_357_608, macs: 1_168_032_896, output: Volume(1, 1, 1000), warnings: true),
        Expected(file: "lenet5.yaml", params: 61_706, macs: 416_520, output: Volume(1, 1, 10), warnings: false),
        Expected(file: "cifar10.yaml", params: 31_066, macs: 362_496, output: Volume(1, 1, 10), warnings: false),
        Expected(file: "pattern-linear.yaml", params: 30_730, macs: 30_720, output: Volume(1, 1, 10), warnings: false),
        Expected(file: "pattern-conv-relu-fc.yaml", params: 123_226, macs: 454_656, output: Volume(1, 1, 10), warnings: false),
        Expected(file: "pattern-2x-conv-relu-pool.yaml", params: 69_018, macs: 1_098_368, output: Volume(1, 1, 10), warnings: false),
        Expected(file: "pattern-3x-conv-conv-pool.yaml", params: 879_914, macs: 39_225_856, output: Volume(1, 1, 10), warnings: false),
        Expected(file: "allconv.yaml", params: 1_369_738, macs: 270_798_336, output: Volume(1, 1, 10), warnings: true),
        Expected(file: "resnet18.yaml", params: 11_689_512, macs: 1_814_073_344, output: Volume(1, 1, 1000), warnings: true),
        Expected(file: "resnet34.yaml", params: 21_797_672, macs: 3_663_761_408, output: Volume(1, 1, 1000), warnings: true),
        Expected(file: "resnet50.yaml", params: 25_557_032, macs: 4_089_184_256, output: Volume(1, 1, 1000), warnings: true),
        Expected(file: "googlenet.yaml", params: 6_624_904, macs: 1_498_376_192, output: Volume(1, 1, 1000), warnings: true),
        Expected(file: "mobilenet.yaml", params: 4_231_976, macs: 568_740_352, output: Volume(1, 1, 1000), warnings: true),
    ]

    @Test(arguments: expected)
    func shippedFileHasItsDocumentedTotals(_ expected: Expected) {
        let analysis = analyzeArchitecture(expected.file)
        #expect(analysis.isValid, "\(analysis.diagnostics.first?.message ?? "")")
        #expect(analysis.totals.params == expected.params)
        #expect(analysis.totals.macs == expected.macs)
        #expect(analysis.layers.last?.output == expected.output)
        #expect(analysis.diagnostics.isEmpty == !expected.warnings)
        #expect(analysis.diagnostics.allSatisfy { $0.severity == .warning && $0.rule == "rounded-output" })
    }

    @Test func everyShippedFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: architecturesDirectory.path)
            .filter { $0.hasSuffix(".yaml") }
        let covered = Set(Self.expected.map(\.file) + ["alexnet-224.yaml"] + ZooArchitecturesTests.files.map(\.1))
        #expect(Set(files) == covered)
    }

    @Test func alexNet224IsTheOneRejectedFile() {
        let analysis = analyzeArchitecture("alexnet-224.yaml")
        #expect(!analysis.isValid)
        #expect(analysis.diagnostics.count == 1)
        #expect(analysis.layers.count == 1)
    }

    @Test func resNetBatchNormBuffersAreTwoPerChannel() {
        // torchvision's 17,060 and 53,173 add one num_batches_tracked per BN layer.
        #expect(analyzeArchitecture("resnet34.yaml").totals.buffers == 17_060 - 36)
        #expect(analyzeArchitecture("resnet50.yaml").totals.buffers == 53_173 - 53)
    }
}
