import ArgumentParser
import ConvLintKit
import ConvLintONNX
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the checked network as another framework's model.",
        discussion: """
            --to onnx writes an ONNX model (opset 17): one node or a few per layer, tensors \
            N×C×H×W, and the weights `convlint run` draws from --seed as initializers, so that \
            ONNX Runtime, given the input `convlint run --save-input` wrote, computes the output \
            `--save-output` wrote. onnx.checker accepts it and Netron draws it:
              convlint export architectures/resnet50.yaml --to onnx -o resnet50.onnx

            --to pytorch writes Python source: an nn.Module with one submodule per layer that has \
            one in torch.nn (conv1, bn2, …) and a forward that follows the graph. Its parameters, \
            MACs and output shape are convlint's:
              convlint export architectures/resnet50.yaml --to pytorch -o resnet50.py
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable { case onnx, pytorch }

    @Argument(help: "An architecture file, or an ONNX model (.onnx).")
    var file: String

    @Option(help: "The format to write: onnx (a model with the run's weights) or pytorch (an nn.Module's Python source).")
    var to: Target

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the model.", valueName: "path"))
    var output: String

    @Option(help: "Images per batch (overrides the file's 'batch:'); the model's input and output have this batch.")
    var batch: Int?

    @Option(help: "Seed of the ONNX model's weights, as `convlint run --seed` draws them.")
    var seed: UInt64 = 0

    @Flag(help: "Leave the weights out: each is a graph input of its shape (the graph and its shapes, a few KiB).")
    var noWeights = false

    func run() throws {
        var options = AnalysisOptions()
        options.batch = batch
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        let analysis = ModelFile.analyze(path: file, options: options)
        Terminal.printDiagnostics([analysis]) { $0.severity == .error }
        guard analysis.isValid else { throw ExitCode(ExitStatus.code(for: [analysis], strict: false)) }
        let model: Data
        switch to {
        case .onnx:
            do {
                model = try ONNXExport.model(analysis, seed: seed, weights: !noWeights)
            } catch let unsupported as ONNXExport.Unsupported {
                Terminal.printError("\(unsupported)")
                throw ExitCode(1)
            }
        case .pytorch:
            if noWeights { throw ValidationError("--no-weights is for --to onnx: --to pytorch writes no weights") }
            model = Data(PyTorchModule.source(analysis, path: file).utf8)
        }
        do { try model.write(to: URL(fileURLWithPath: output)) } catch {
            Terminal.printError("error: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let layers = analysis.layers.count
        FileHandle.standardError.write(Data("wrote \(output): \(layers) layers, \(ByteCount(model.count).binary)\n".utf8))
    }
}
