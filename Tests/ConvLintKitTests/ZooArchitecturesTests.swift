import Foundation
import Testing

@testable import ConvLintKit

/// The modern zoo shipped in architectures/, against PyTorch: every Conv2d, ConvTranspose2d and
/// Linear in execution order (output shape, parameters, MACs), the totals and the output, as
/// Benchmarks/zoo_reference.py measured them with torch 2.15 and torchvision 0.29
/// (Fixtures/torchvision_zoo_layers.json).
@Suite struct ZooArchitecturesTests {
    struct Reference: Decodable {
        struct Layer: Decodable {
            var type: String
            /// C, H, W; a Linear on a vector: its features.
            var shape: [Int]
            var params: Int
            var macs: Int
        }

        struct Model: Decodable {
            var input: Int
            var params: Int
            var macs: Int
            var norm_params: Int
            var output: [Int]
            var layers: [Layer]
        }

        var models: [String: Model]
    }

    static let reference: Reference = loadFixture("torchvision_zoo_layers")

    static let files = [
        ("efficientnet_b0", "efficientnet-b0.yaml"), ("mobilenet_v3_small", "mobilenet-v3-small.yaml"),
        ("mobilenet_v3_large", "mobilenet-v3-large.yaml"), ("regnet_y_400mf", "regnet-y-400mf.yaml"),
        ("convnext_tiny", "convnext-tiny.yaml"), ("shufflenet_v2_x1_0", "shufflenet-v2-x1.0.yaml"),
        ("densenet121", "densenet121.yaml"), ("inception_v3", "inception-v3.yaml"),
        ("resnext50_32x4d", "resnext50-32x4d.yaml"), ("squeezenet1_1", "squeezenet1.1.yaml"),
        ("unet", "unet.yaml"), ("fcn_resnet50", "fcn-resnet50.yaml"),
    ]

    /// convlint's rows as the reference writes them: PyTorch's module type, C×H×W (a Linear on
    /// a vector: its features), parameters and MACs.
    static func rows(_ analysis: Analysis) -> [(type: String, shape: [Int], params: Int, macs: Int)] {
        analysis.layers.compactMap { layer in
            let output = layer.output
            let volume = [output.d, output.h, output.w]
            switch layer.node.operation {
            case .convolution(let conv):
                return (conv.transposed ? "ConvTranspose2d" : "Conv2d", volume, layer.cost.params, layer.cost.macs)
            case .dense(let dense):
                return ("Linear", dense.perPixel ? volume : [output.d], layer.cost.params, layer.cost.macs)
            case .input, .pooling, .adaptivePooling, .flatten, .activation, .normalization, .dropout, .identity, .merge,
                .scale, .chunk, .shuffle, .upsample:
                return nil
            }
        }
    }

    @Test(arguments: files)
    func totalsEqualPyTorchs(model: String, file: String) throws {
        let expected = try #require(Self.reference.models[model])
        let analysis = analyzeArchitecture(file)
        try #require(analysis.isValid, "\(file): \(analysis.diagnostics.map(\.message))")
        let input = try #require(analysis.input)
        #expect(input == Volume(expected.input, expected.input, 3))
        #expect(analysis.totals.params == expected.params, "\(file) params")
        #expect(analysis.totals.macs == expected.macs, "\(file) MACs")
        #expect(analysis.totals.normParameters == expected.norm_params, "\(file) norm parameters")
        let output = try #require(analysis.layers.last?.output)
        let shape = expected.output.count == 1 ? [output.d] : [output.d, output.h, output.w]
        #expect(shape == expected.output, "\(file) output \(output)")
    }

    @Test(arguments: files)
    func layersEqualPyTorchsLayerByLayer(model: String, file: String) throws {
        let expected = try #require(Self.reference.models[model]).layers
        let rows = Self.rows(analyzeArchitecture(file))
        try #require(rows.count == expected.count, "\(file): \(rows.count) CONV/DECONV/FC rows, PyTorch has \(expected.count)")
        for (index, (row, reference)) in zip(rows, expected).enumerated() {
            #expect(row.type == reference.type, "\(file) row \(index)")
            #expect(row.shape == reference.shape, "\(file) row \(index): \(row.shape) vs \(reference.shape)")
            #expect(row.params == reference.params, "\(file) row \(index) params")
            #expect(row.macs == reference.macs, "\(file) row \(index) MACs")
        }
    }
}
