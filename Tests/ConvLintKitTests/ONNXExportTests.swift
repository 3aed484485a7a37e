import ConvLintKit
import Foundation
import Testing

@testable import ConvLintExecutor
@testable import ConvLintONNX

/// The exported graph's structure and weights; ONNX Runtime runs every shipped architecture in
/// Tests/python/test_onnx_export.py.
@Suite struct ONNXExportTests {
    func analysis(_ text: String) throws -> Analysis {
        let analysis = Analyzer.analyze(source: SourceFile(path: "net.yaml", text: text), options: AnalysisOptions())
        try #require(analysis.isValid, "\(analysis.diagnostics.map(\.message))")
        return analysis
    }

    @Test func aSmallNetworkBecomesItsNodesWithShapesAndTheRunsWeights() throws {
        let network = try analysis(
            "input: 8x6x3\nbatch: 2\nnetwork: INPUT -> CONV(4, F=3, P=1) -> BN -> RELU -> MAXPOOL(F=2, S=2) -> DROPOUT -> FC(10)")
        let model = try Onnx_ModelProto(serializedBytes: ONNXExport.model(network, seed: 7))
        #expect(model.irVersion == 8 && model.opsetImport.map(\.version) == [17])
        let graph = model.graph
        #expect(graph.node.map(\.opType) == ["Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Gemm", "Reshape"])
        func dims(_ info: Onnx_ValueInfoProto) -> [Int64] { info.type.tensorType.shape.dim.map(\.dimValue) }
        #expect(graph.input.map(dims) == [[2, 3, 6, 8]])
        #expect(graph.output.map(dims) == [[2, 10, 1, 1]])
        // DROPOUT is the identity: the flatten reads the pool's output.
        #expect(graph.node[4].input == graph.node[3].output)
        // The conv's weights, transposed from K × Kh × Kw × C to K × C × Kh × Kw.
        var options = Executor.Options()
        options.seed = 7
        let executor = Executor(analysis: network, options: options)
        let drawn = Array(executor.parameters(of: 1)[0])
        let weight = try #require(graph.initializer.first { $0.name == graph.node[0].input[1] })
        #expect(weight.dims == [4, 3, 3, 3])
        let values = weight.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        // Filter 2, channel 1, tap (0, 2): index ((2·3 + 1)·9 + 2) in ONNX, ((2·9 + 2)·3 + 1) as drawn.
        #expect(values[(2 * 3 + 1) * 9 + 2] == drawn[(2 * 9 + 2) * 3 + 1])
        #expect(values.count == drawn.count && Set(values) == Set(drawn))
        let parameters = graph.initializer.filter { $0.dataType == 1 }.map { $0.dims.reduce(1, *) }.reduce(0, +)
        #expect(Int(parameters) == network.totals.params + network.totals.buffers)
    }

    @Test func withoutWeightsEachIsAnInputOfItsShape() throws {
        let network = try analysis("input: 8x8x3\nnetwork: INPUT -> CONV(4, F=3, P=1) -> BN -> GAP -> FC(10)")
        let graph = try Onnx_ModelProto(serializedBytes: ONNXExport.model(network, weights: false)).graph
        #expect(graph.initializer.filter { $0.dataType == 1 }.isEmpty)
        let shapes = graph.input.dropFirst().map { $0.type.tensorType.shape.dim.map(\.dimValue) }
        // Conv weight and bias, BN's four vectors, FC weight and bias.
        #expect(shapes == [[4, 3, 3, 3], [4], [4], [4], [4], [4], [10, 4], [10]])
    }

    @Test func aLayerWithoutAnONNXFormIsALocatedError() throws {
        let network = try analysis("input: 7x7x3\nnetwork: INPUT -> CONV(4, F=1) -> ADAPTIVEAVGPOOL(3)")
        #expect {
            try ONNXExport.model(network)
        } throws: { error in
            guard let unsupported = error as? ONNXExport.Unsupported else { return false }
            return unsupported.layer.node.index == 2 && "\(unsupported)".contains("windows overlap")
                && "\(unsupported)".contains("net.yaml:2:")
        }
    }
}
