import ArgumentParser
import ConvLintKit
import ConvLintONNX
import Foundation

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read an ONNX model into an architecture file.",
        discussion: """
            Each node becomes a layer (Conv → CONV, BatchNormalization → BN, Gemm → FC, …) or \
            nothing (shape arithmetic, Identity, the reshapes of a flatten or a channel shuffle, \
            ConvNeXt's permutes); the graph's branches become groups: Add → ( + ), Concat → ( | ), \
            a gate's Mul → ( * ). Groups that occur more than once become blocks, the numbers that \
            differ between occurrences their parameters, and runs of equal steps [ … ]*N. The file \
            is checked before it is written: it expands to the graph's layers, parameters and \
            output shape. Every other command also takes the .onnx file itself.

            A PyTorch model exported in eval mode has its BatchNorms folded into the convolutions \
            (conv biases instead of BN layers). To check the network as it trains, keep them:
              torch.onnx.export(model.eval(), x, "model.onnx", dynamo=False, do_constant_folding=False)
              convlint import model.onnx -o model.yaml

            An operator convlint has no layer for is an error naming the node and its type.
            """)

    @Argument(help: "An ONNX model (.onnx), with or without its weights.")
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the architecture file (default: standard output).", valueName: "path"))
    var output: String?

    func run() throws {
        let imported: ONNXImport.Imported
        do { imported = try ONNXImport.read(contentsOf: file) } catch {
            Terminal.printError("\(error)")
            throw ExitCode(error.unreadable ? 2 : 1)
        }
        guard let output else {
            print(imported.yaml, terminator: "")
            return
        }
        do { try Data(imported.yaml.utf8).write(to: URL(fileURLWithPath: output)) } catch {
            Terminal.printError("error: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let lines = imported.yaml.split(separator: "\n").count
        FileHandle.standardError.write(
            Data("wrote \(output): \(imported.nodes) nodes read into \(imported.layers) layers, \(lines) lines; \(imported.parameters.grouped) parameters, as the graph's\n".utf8))
    }
}
