import Foundation
import Testing

@testable import ConvLintKit

/// Parameters, MACs and layer shapes against figures measured with PyTorch, torchvision and
/// fvcore (Tests/ConvLintKitTests/Fixtures/reference.json, copied from the shared reference).
@Suite struct ReferenceFiguresTests {
    struct Reference: Decodable {
        struct Model: Decodable {
            var params: Int
            var weights_and_bn_scale: Int
            var macs: Int
            var fvcore_total: Int
            /// [type, [C, H, W], params, macs] of Conv2d, Linear and MaxPool2d.
            var layers: [[Cell]]
        }

        struct NotesModel: Decodable {
            var input_shape: [Int]
            var params_total: Int
            var params_excl_bias: Int
            var conv_fc_macs: Int
            var hook_rows: [[Cell]]
        }

        var torchvision: [String: Model]
        var notes: [String: NotesModel]
    }

    enum Cell: Decodable {
        case text(String), number(Int), shape([Int])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .shape(try container.decode([Int].self))
            }
        }

        var text: String { if case .text(let t) = self { t } else { "" } }
        var number: Int { if case .number(let n) = self { n } else { -1 } }
        var shape: [Int] { if case .shape(let s) = self { s } else { [] } }
    }

    static let reference: Reference = loadFixture("reference")

    /// Shipped files that are the measured torchvision models.
    static let torchvisionFiles = [
        ("alexnet", "alexnet-torchvision.yaml"), ("vgg11", "vgg11.yaml"), ("vgg13", "vgg13.yaml"),
        ("vgg16", "vgg16.yaml"), ("resnet34", "resnet34.yaml"), ("resnet50", "resnet50.yaml"),
    ]

    static let notesFiles = [
        ("cs231n_a_conv12_pool_fc10", "cifar10.yaml"),
        ("cs231n_b_2x_conv16_pool_fc64_fc10", "pattern-2x-conv-relu-pool.yaml"),
        ("cs231n_c_3x_convconvpool_32_64_128_fc256x2_fc10", "pattern-3x-conv-conv-pool.yaml"),
        ("lenet5", "lenet5.yaml"),
        ("alexnet_paper_227_single_tower", "alexnet.yaml"),
    ]

    /// torchvision's kinds, as convlint's.
    static func kind(_ torchType: String) -> LayerKind? {
        switch torchType {
        case "Conv2d": .conv
        case "Linear": .fc
        case "MaxPool2d": .maxPool
        case "AvgPool2d": .avgPool
        default: nil
        }
    }

    /// CONV, FC and pool rows of an analysis, with pools of any spelling as one kind.
    static func comparableRows(_ analysis: Analysis) -> [(LayerKind, Volume, Int, Int)] {
        analysis.layers.compactMap { layer in
            let kind: LayerKind =
                switch layer.node.kind {
                case .pool, .maxPool: .maxPool
                case .conv, .fc, .avgPool: layer.node.kind
                default: .input
                }
            guard kind != .input else { return nil }
            return (kind, layer.output, layer.cost.params, layer.cost.macs)
        }
    }

    @Test(arguments: torchvisionFiles)
    func paramsAndMACsEqualTorchvision(model: String, file: String) throws {
        let expected = try #require(Self.reference.torchvision[model])
        let analysis = analyzeArchitecture(file)
        #expect(analysis.isValid)
        #expect(analysis.totals.params == expected.params)
        #expect(analysis.totals.weights + analysis.totals.normParameters / 2 == expected.weights_and_bn_scale)
        #expect(analysis.totals.macs == expected.macs)
        // fvcore also counts pooling and BN work, so it is never below the CONV+FC MACs.
        #expect(analysis.totals.macs <= expected.fvcore_total)
    }

    @Test(arguments: torchvisionFiles)
    func layersEqualTorchvisionLayerByLayer(model: String, file: String) throws {
        let expected = try #require(Self.reference.torchvision[model]).layers
        let rows = Self.comparableRows(analyzeArchitecture(file))
        try #require(rows.count == expected.count, "\(file): \(rows.count) CONV/FC/POOL rows, torchvision has \(expected.count)")
        for (index, (row, reference)) in zip(rows, expected).enumerated() {
            let shape = reference[1].shape
            #expect(row.0 == Self.kind(reference[0].text), "\(file) row \(index)")
            #expect([row.1.d, row.1.h, row.1.w] == shape, "\(file) row \(index): \(row.1) vs \(shape)")
            #expect(row.2 == reference[2].number, "\(file) row \(index) params")
            #expect(row.3 == reference[3].number, "\(file) row \(index) MACs")
        }
    }

    @Test(arguments: notesFiles)
    func notesNetworksEqualPyTorch(model: String, file: String) throws {
        let expected = try #require(Self.reference.notes[model])
        let analysis = analyzeArchitecture(file)
        #expect(analysis.isValid)
        let input = try #require(analysis.input)
        #expect([1, input.d, input.h, input.w] == expected.input_shape)
        #expect(analysis.totals.params == expected.params_total)
        #expect(analysis.totals.weights == expected.params_excl_bias)
        #expect(analysis.totals.macs == expected.conv_fc_macs)
        let measured = expected.hook_rows.filter { Self.kind($0[0].text) != nil }
        let rows = Self.comparableRows(analysis)
        try #require(rows.count == measured.count)
        for (row, reference) in zip(rows, measured) {
            #expect([row.1.d, row.1.h, row.1.w] == reference[1].shape)
            #expect(row.2 == reference[2].number)
            #expect(row.3 == reference[3].number)
        }
    }
}
