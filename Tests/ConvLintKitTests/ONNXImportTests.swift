import ConvLintKit
import Foundation
import Testing

@testable import ConvLintExecutor
@testable import ConvLintONNX

extension SeededRandom: RandomNumberGenerator {}

/// `convlint import` against figures nobody here wrote: torchvision's models as
/// torch.onnx.export writes them (Fixtures/onnx, their weights left out by
/// Benchmarks/onnx_import.py), and every shipped architecture through our own export and back.
@Suite struct ONNXImportTests {
    struct Zoo: Decodable {
        struct Model: Decodable {
            let params: Int
            let macs: Int
            let output: [Int]
        }
        let models: [String: Model]
    }

    struct Reference: Decodable {
        struct Model: Decodable {
            let params: Int
            let macs: Int
        }
        let torchvision: [String: Model]
    }

    /// torchvision's params, MACs and output (C, H, W; a classifier's is [1000]) of each fixture.
    static let torchvision: [String: (params: Int, macs: Int, output: [Int])] = {
        var figures: [String: (params: Int, macs: Int, output: [Int])] = [:]
        for (name, model) in loadFixture("torchvision_zoo_layers", as: Zoo.self).models { figures[name] = (model.params, model.macs, model.output) }
        for (name, model) in loadFixture("reference", as: Reference.self).torchvision where ["alexnet", "vgg16", "resnet50"].contains(name) {
            figures[name] = (model.params, model.macs, [1000])
        }
        // ../shared/reference/torchvision_zoo.json (torchvision 0.29.2).
        figures["wide_resnet50_2"] = (68_883_240, 11_398_021_120, [1000])
        return figures
    }()

    static let fixtures: [String] = {
        let folder = Bundle.module.url(forResource: "onnx", withExtension: nil, subdirectory: "Fixtures")!
        return (try! FileManager.default.contentsOfDirectory(atPath: folder.path)).filter { $0.hasSuffix(".onnx") }.sorted()
    }()

    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "onnx", withExtension: nil, subdirectory: "Fixtures")!.appendingPathComponent(name).path
    }

    static func imported(_ name: String) throws -> (ONNXImport.Imported, Analysis) {
        let imported = try ONNXImport.read(contentsOf: fixture(name))
        return (imported, Analyzer.analyze(source: SourceFile(path: name, text: imported.yaml)))
    }

    @Test(arguments: fixtures)
    func torchvisionsExportImportsWithTorchvisionsFigures(_ file: String) throws {
        let name = String(file.dropLast(".onnx".count))
        let expected = try #require(Self.torchvision[name], "no torchvision figures for \(name)")
        let (_, analysis) = try Self.imported(file)
        #expect(analysis.isValid, "\(analysis.diagnostics.filter { $0.severity == .error }.map(\.message))")
        #expect(analysis.totals.params == expected.params)
        #expect(analysis.totals.macs == expected.macs)
        let output = try #require(analysis.layers.last?.output)
        let shape = expected.output.count == 1 ? [expected.output[0], 1, 1] : expected.output
        #expect([output.d, output.h, output.w] == shape)
    }

    @Test func resNet50ComesOutAsTwoBlocksAndAStageALine() throws {
        let (imported, _) = try Self.imported("resnet50.onnx")
        let lines = imported.yaml.split(separator: "\n")
        #expect(lines.count <= 25, "\(imported.yaml)")
        #expect(imported.yaml.contains("residual(c): "))
        #expect(imported.yaml.contains("projection(c, s): "))
        for stage in ["projection(64, 1) -> [residual(64)]*2", "projection(128, 2) -> [residual(128)]*3", "projection(256, 2) -> [residual(256)]*5"] {
            #expect(imported.yaml.contains(stage))
        }
        // 53 convolutions, 53 BNs, 49 ReLUs, 16 merges, a pool, a GAP and an FC, read from 375 nodes.
        #expect(imported.nodes == 375 && imported.layers == 175)
    }

    @Test func efficientNetsBlocksWithAndWithoutTheShortcutShareOneBody() throws {
        let (imported, _) = try Self.imported("efficientnet_b0.onnx")
        #expect(imported.yaml.split(separator: "\n").count <= 30, "\(imported.yaml)")
        #expect(imported.yaml.contains("  residual(c, k, p): \"(body(c, k, 1, p, c/6) + ID)\""))
        // A stage a line: its first block strided and without the shortcut, then the residual ones.
        #expect(imported.yaml.contains("  - \"body(96, 3, 2, 1, 24) -> residual(144, 3, 1)\"   # 56x56x24"))
        // The stem is no block's: its 3x3 stride-2 convolution is not an expansion's 1x1.
        #expect(imported.yaml.contains("  - \"CONV(32, F=3, S=2, P=1) -> BN -> SILU"))
    }

    @Test func vggComesOutAStageALineAndNoRepetitionOpensWithAPool() throws {
        let (imported, _) = try Self.imported("vgg16.onnx")
        for (filters, count, output) in [(64, 2, "112x112x64"), (256, 3, "28x28x256"), (512, 3, "7x7x512")] {
            #expect(imported.yaml.contains("  - \"[CONV(\(filters), F=3, P=1) -> RELU]*\(count) -> MAXPOOL(F=2)\"   # \(output)\n"), "\(imported.yaml)")
        }
        #expect(!imported.yaml.contains("[MAXPOOL"))
    }

    @Test func aFlattenedConcatOfNestedOnesIsNestedAgain() throws {
        // Inception-v3's Mixed_7b concatenates [1x1, cat(1x3, 3x1), cat(1x3, 3x1), pool] in one node.
        let (imported, _) = try Self.imported("inception_v3.onnx")
        #expect(imported.yaml.contains("(CONV(384, F=3x1, P=1x0) -> BN -> RELU | CONV(384, F=1x3, P=0x1) -> BN -> RELU)"))
    }

    @Test func denseNetsGrowingConcatsBecomeARepeatedDenseBlock() throws {
        let (imported, _) = try Self.imported("densenet121.onnx")
        #expect(imported.yaml.contains("dense: \"(ID | BN -> RELU -> CONV(128, F=1) -> BN -> RELU -> CONV(32, F=3, P=1))\""), "\(imported.yaml)")
        for count in [6, 12, 24, 16] { #expect(imported.yaml.contains("[dense]*\(count)")) }
    }

    /// Every shipped architecture, exported without weights and read back, has its figures.
    @Test func everyShippedArchitectureSurvivesExportAndImport() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: architecturesDirectory.path)
            .filter { $0.hasSuffix(".yaml") && $0 != "alexnet-224.yaml" }.sorted()
        #expect(files.count >= 30)
        for file in files {
            let original = analyzeArchitecture(file)
            let model = try ONNXExport.model(original, weights: false)
            let imported = try ONNXImport.read(model, path: file.replacingOccurrences(of: ".yaml", with: ".onnx"))
            let back = Analyzer.analyze(source: SourceFile(path: file, text: imported.yaml))
            #expect(back.isValid, "\(file): \(back.diagnostics.filter { $0.severity == .error }.map(\.message))")
            #expect(back.totals.params == original.totals.params, "\(file)")
            #expect(back.totals.macs == original.totals.macs, "\(file)")
            #expect(back.layers.last?.output == original.layers.last?.output, "\(file)")
        }
    }

    // MARK: Hand-made graphs

    /// A graph of `nodes` on a 1×3×8×8 input named "x", with float initializers of the given shapes.
    /// `constants` become `Constant` nodes (value_ints) before the others.
    static func model(
        _ nodes: [(op: String, inputs: [String], output: String)], weights: [String: [Int64]], constants: [String: [Int64]] = [:], output: String
    ) throws -> Data {
        var graph = Onnx_GraphProto()
        var input = Onnx_ValueInfoProto()
        input.name = "x"
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = 1
        var shape = Onnx_TensorShapeProto()
        shape.dim = [Int64(1), 3, 8, 8].map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = size
            return dimension
        }
        tensor.shape = shape
        input.type.tensorType = tensor
        graph.input = [input]
        for (name, dims) in weights.sorted(by: { $0.key < $1.key }) {
            var weight = Onnx_TensorProto()
            weight.name = name
            weight.dims = dims
            weight.dataType = 1
            graph.initializer.append(weight)
        }
        for (name, values) in constants.sorted(by: { $0.key < $1.key }) {
            var node = Onnx_NodeProto()
            node.opType = "Constant"
            node.output = [name]
            var attribute = Onnx_AttributeProto()
            attribute.name = "value_ints"
            attribute.type = .ints
            attribute.ints = values
            node.attribute = [attribute]
            graph.node.append(node)
        }
        for (op, inputs, output) in nodes {
            var node = Onnx_NodeProto()
            node.opType = op
            node.input = inputs
            node.output = [output]
            node.name = output
            graph.node.append(node)
        }
        var result = Onnx_ValueInfoProto()
        result.name = output
        graph.output = [result]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.graph = graph
        return try model.serializedData()
    }

    func importFailure(_ data: Data) -> ONNXImport.Failure? {
        do {
            _ = try ONNXImport.read(data, path: "net.onnx")
            return nil
        } catch {
            return error
        }
    }

    @Test func anOperatorWithoutALayerNamesItsNodeAndType() throws {
        let data = try Self.model(
            [("Conv", ["x", "w"], "conv"), ("Relu", ["conv"], "relu"), ("Swizzle", ["relu"], "swizzled")], weights: ["w": [4, 3, 3, 3]],
            output: "swizzled")
        let failure = try #require(importFailure(data))
        #expect(failure.node == "node 2 'swizzled': Swizzle")
        #expect(failure.message == "operator Swizzle has no convlint layer")
        #expect(!failure.unreadable)
        #expect("\(failure)".hasPrefix("net.onnx: error[onnx-import]: node 2 'swizzled': Swizzle: operator Swizzle"))
        // As an analysis: exit 1, the node's line underlined.
        let analysis = failure.analysis
        #expect(ExitStatus.code(for: [analysis], strict: false) == 1)
        #expect(analysis.diagnostics.map(\.rule) == ["onnx-import"])
    }

    @Test func aLayerReadFromOutsideItsBranchIsNotSeriesParallel() throws {
        // b reads a, c reads both a and b, and the output sums b and c: a feeds c from outside
        // b's branch, which no group of the pattern language writes.
        let data = try Self.model(
            [("Relu", ["x"], "a"), ("Sigmoid", ["a"], "b"), ("Add", ["a", "b"], "c"), ("Tanh", ["b"], "d"), ("Add", ["c", "d"], "out")],
            weights: [:], output: "out")
        let failure = try #require(importFailure(data))
        #expect(failure.message.contains("not series-parallel"), "\(failure)")
    }

    @Test func aSmallHandMadeGraphBecomesItsLayers() throws {
        let data = try Self.model(
            [
                ("Conv", ["x", "w", "b"], "conv"), ("Sigmoid", ["conv"], "gate"), ("Mul", ["conv", "gate"], "silu"),
                ("GlobalAveragePool", ["silu"], "pool"), ("Flatten", ["pool"], "flat"), ("Gemm", ["flat", "fc", "fcb"], "out"),
            ], weights: ["w": [4, 3, 3, 3], "b": [4], "fc": [4, 10], "fcb": [10]], output: "out")
        let imported = try ONNXImport.read(data, path: "net.onnx")
        // Sigmoid and Mul are one SILU; the flatten is the FC's own; a line ends where the size changes.
        #expect(imported.yaml.hasSuffix("  - INPUT\n  - \"CONV(4, F=3) -> SILU\"   # 6x6x4\n  - \"GAP -> FC(10)\"   # 1x1x10\n"), "\(imported.yaml)")
        #expect(imported.parameters == 4 * 27 + 4 + 40 + 10)
    }

    @Test func aZeroBiasTheExporterComputedIsNoBias() throws {
        // torch.onnx's dynamo exporter gives a bias-free Conv the bias Expand(0, [K]).
        let data = try Self.model(
            [("Expand", ["zero", "filters"], "bias"), ("Conv", ["x", "w", "bias"], "conv"), ("Relu", ["conv"], "out")],
            weights: ["w": [4, 3, 3, 3]], constants: ["zero": [0], "filters": [4]], output: "out")
        let imported = try ONNXImport.read(data, path: "net.onnx")
        #expect(imported.yaml.contains("  CONV: {bias: false}\n") && imported.yaml.contains("\"CONV(4, F=3) -> RELU\""), "\(imported.yaml)")
        #expect(imported.parameters == 4 * 27)
    }

    @Test func chunksAsTheDynamoExporterWritesThemAreChunkLayers() throws {
        // x.chunk(2, dim=1): SplitToSequence in chunks of 2 channels of 4, and SequenceAt 0 and 1.
        var data = try Self.model(
            [
                ("Conv", ["x", "w"], "conv"), ("SplitToSequence", ["conv", "size"], "parts"), ("SequenceAt", ["parts", "zero"], "a"),
                ("SequenceAt", ["parts", "one"], "b"), ("Relu", ["b"], "relu"), ("Concat", ["a", "relu"], "out"),
            ], weights: ["w": [4, 3, 1, 1]], constants: ["size": [2], "zero": [0], "one": [1]], output: "out")
        var model = try Onnx_ModelProto(serializedBytes: data)
        for index in model.graph.node.indices where ["SplitToSequence", "Concat"].contains(model.graph.node[index].opType) {
            var axis = Onnx_AttributeProto()
            axis.name = "axis"
            axis.type = .int
            axis.i = 1
            model.graph.node[index].attribute = [axis]
        }
        data = try model.serializedData()
        let imported = try ONNXImport.read(data, path: "net.onnx")
        #expect(imported.yaml.contains("\"CONV(4, F=1) -> (CHUNK | CHUNK(index=1) -> RELU)\""), "\(imported.yaml)")
    }

    @Test func hostileSizesAreErrorsNotTraps() throws {
        let huge: Int64 = 1 << 40
        for (nodes, weights, constants) in [
            // A weight of 2^80 elements, a group count that multiplies past 2^63, a reshape to 2^120.
            ([("Conv", ["x", "w"], "out")], ["w": [huge, huge, 1, 1]], [String: [Int64]]()),
            ([("Conv", ["x", "w"], "out")], ["w": [4, huge, 1, 1]], [:]),
            ([("Reshape", ["x", "shape"], "out")], [:], ["shape": [huge, huge, huge, -1]]),
            ([("Reshape", ["x", "shape"], "out")], [:], ["shape": [Int64.max, -1]]),
            ([("Split", ["x", "sizes"], "out")], [:], ["sizes": [Int64.max, Int64.max, 3]]),
            // Channels split in two factors whose product overflows; Int.min / −1 in shape arithmetic.
            ([("Reshape", ["x", "shape"], "out")], [:], ["shape": [1, 1 << 62, 1 << 62, 8, 8]]),
            ([("Div", ["low", "minus"], "q"), ("Reshape", ["x", "q"], "out")], [:], ["low": [Int64.min], "minus": [-1]]),
        ] as [([(op: String, inputs: [String], output: String)], [String: [Int64]], [String: [Int64]])] {
            let data = try Self.model(nodes, weights: weights, constants: constants, output: "out")
            let failure = try #require(importFailure(data), "\(nodes)")
            #expect(!failure.unreadable)
        }
    }

    @Test func nestingConcatsIsBoundedWork() throws {
        // One concat of 1,001 pairs, each pair two branches of its own layer: 1,001 concats to
        // nest, one past the bound, each a pass over the graph.
        var nodes: [(op: String, inputs: [String], output: String)] = []
        var parts: [String] = []
        for pair in 0...Limits.onnxNestedConcats {
            nodes += [("Relu", ["x"], "t\(pair)"), ("Sigmoid", ["t\(pair)"], "a\(pair)"), ("Tanh", ["t\(pair)"], "b\(pair)")]
            parts += ["a\(pair)", "b\(pair)"]
        }
        var model = try Onnx_ModelProto(serializedBytes: Self.model(nodes + [("Concat", parts, "out")], weights: [:], output: "out"))
        var axis = Onnx_AttributeProto()
        (axis.name, axis.type, axis.i) = ("axis", .int, 1)
        model.graph.node[model.graph.node.count - 1].attribute = [axis]
        let failure = try #require(importFailure(try model.serializedData()))
        #expect(failure.message.contains("more than 1000 concatenations nest"), "\(failure)")
    }

    @Test func bytesThatAreNoModelAreUnreadableNotACrash() throws {
        let model = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("squeezenet1_1.onnx")))
        var generator = SeededRandom(seed: 15)
        var unreadable = 0
        // Cut short anywhere, or with bytes flipped: a clean failure or a model, never a trap.
        for trial in 0..<200 {
            var bytes = model.prefix(Int.random(in: 0..<model.count, using: &generator))
            if trial % 2 == 1 {
                bytes = model
                for _ in 0..<8 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            }
            if let failure = importFailure(Data(bytes)), failure.unreadable { unreadable += 1 }
        }
        #expect(unreadable > 0)
        #expect(importFailure(Data("name: net\nnetwork: INPUT".utf8))?.unreadable == true)
    }
}
