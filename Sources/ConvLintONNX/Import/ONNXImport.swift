import ConvLintKit
import Foundation
import SwiftProtobuf

/// Reads an ONNX model into an architecture file: each node becomes a layer (or nothing, for
/// shape arithmetic and layout moves), the graph's branches become groups, groups that repeat
/// become blocks with parameters, and runs of equal steps `[…]*N`. The file is checked before it
/// is returned: its expansion must have the figures of the graph spelled out layer by layer, and
/// those must agree with the ONNX model's parameter count and output shape.
public enum ONNXImport {
    public static let rule = "onnx-import"

    /// A model that cannot be read, and the node it concerns when there is one.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        /// `node 57 'Conv_57': Conv` when a node is at fault.
        public let node: String?
        public let message: String
        public let help: String?
        /// The file is not an ONNX model at all (exit 2), rather than one convlint cannot write (exit 1).
        public let unreadable: Bool

        public var description: String {
            "\(path): error[\(unreadable ? RuleID.unreadableFile : ONNXImport.rule)]: " + (node.map { "\($0): " } ?? "") + message
                + (help.map { "\n  help: \($0)" } ?? "")
        }

        /// The failure as an analysis' finding, on a one-line source that names the node.
        public var analysis: Analysis {
            let line = node ?? URL(fileURLWithPath: path).lastPathComponent
            let source = SourceFile(path: path, text: line)
            let diagnostic = Diagnostic(
                unreadable ? RuleID.unreadableFile : ONNXImport.rule, message, at: SourceLocation(line: 1, column: 1, length: line.count), help: help)
            return Analyzer.rejected(source: source, diagnostic)
        }
    }

    /// The written file, and what it was checked against.
    public struct Imported {
        /// The architecture file, with blocks and repetitions.
        public let yaml: String
        /// The same network one layer per step, no blocks: what `yaml` is checked against.
        public let flatYAML: String
        /// Nodes read, and layers made of them.
        public let nodes: Int
        public let layers: Int
        /// Elements of the learnt tensors the graph's layers read.
        public let parameters: Int
    }

    public static func read(contentsOf path: String) throws(Failure) -> Imported {
        let data: Data
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(path: path, node: nil, message: "no such file", help: nil, unreadable: true)
        }
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > Limits.onnxFileBytes {
                throw Failure(
                    path: path, node: nil, message: "the file is \(ByteCount(size).binary), over the \(ByteCount(Limits.onnxFileBytes).binary) an ONNX model may have",
                    help: nil, unreadable: true)
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(path: path, node: nil, message: "cannot read the file: \(error.localizedDescription)", help: nil, unreadable: true)
        }
        return try read(data, path: path)
    }

    public static func read(_ data: Data, path: String) throws(Failure) -> Imported {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            let yaml = [".yaml", ".yml"].contains { path.lowercased().hasSuffix($0) }
            throw Failure(
                path: path, node: nil, message: "not an ONNX model: the protobuf does not decode (\(error))",
                help: yaml
                    ? "this is an architecture file already: check it with `convlint \(path)`"
                    : "give a .onnx file written by torch.onnx.export, onnx.save or convlint export", unreadable: true)
        }
        let graph = model.graph
        guard graph.node.count <= Limits.onnxNodes else {
            throw Failure(
                path: path, node: nil, message: "the graph has \(graph.node.count) nodes, over the \(Limits.onnxNodes) convlint reads",
                help: nil, unreadable: false)
        }
        let nodes = Peephole.fuse(graph)
        var reader: GraphReader
        do { reader = try GraphReader(graph: graph, nodes: nodes) } catch {
            throw Failure(path: path, node: nil, message: error.message, help: error.help, unreadable: false)
        }
        for (index, node) in nodes.enumerated() {
            do { try reader.read(node) } catch {
                throw Failure(path: path, node: describe(node, index), message: error.message, help: error.help, unreadable: false)
            }
        }
        do {
            guard graph.output.count == 1 else {
                throw ImportProblem(
                    "the graph has \(graph.output.count) outputs (\(graph.output.map(\.name).joined(separator: ", "))); convlint checks networks with one",
                    help: "export the output to check, e.g. model(x)['out'] for a segmentation model")
            }
            let output = try reader.output(graph.output[0].name)
            let (layers, chain) = try SeriesParallel.chain(reader.layers, output: output.layer)
            let file = FileWriter(model: model, path: path, layers: layers, chain: chain, batch: reader.batch, dtype: reader.dtype)
            let imported = Imported(
                yaml: file.yaml(), flatYAML: file.yaml(flat: true), nodes: graph.node.count, layers: layers.count, parameters: reader.parameters)
            try check(imported, path: path, output: output.volume)
            return imported
        } catch let problem as ImportProblem {
            throw Failure(path: path, node: nil, message: problem.message, help: problem.help, unreadable: false)
        } catch {
            throw Failure(path: path, node: nil, message: "\(error)", help: nil, unreadable: false)
        }
    }

    /// `node 57 'Conv_57': Conv`.
    private static func describe(_ node: Onnx_NodeProto, _ index: Int) -> String {
        "node \(index) '\(node.displayName)': \(node.opType)"
    }

    /// The written file must expand to the flat one's figures, and those must be the graph's.
    private static func check(_ imported: Imported, path: String, output: Volume) throws(ImportProblem) {
        let written = Analyzer.analyze(source: SourceFile(path: path + ".yaml", text: imported.yaml))
        let flat = Analyzer.analyze(source: SourceFile(path: path + ".flat.yaml", text: imported.flatYAML))
        for analysis in [flat, written] {
            if let error = analysis.diagnostics.first(where: { $0.severity == .error }) {
                throw ImportProblem("convlint rejects the network it read: \(error.message)", help: error.help)
            }
        }
        let figures = { (analysis: Analysis) in [analysis.layers.count, analysis.totals.params, analysis.totals.macs, analysis.totals.activations] }
        guard figures(written) == figures(flat) else {
            throw ImportProblem(
                "the file with blocks (layers, params, MACs, activations \(figures(written))) differs from the graph layer by layer (\(figures(flat))); "
                    + "this is a bug in convlint's import")
        }
        guard let last = flat.layers.last?.output, last == output else {
            throw ImportProblem("convlint's output \(flat.layers.last.map { "\($0.output)" } ?? "-") differs from ONNX's \(output)")
        }
        guard flat.totals.params == imported.parameters else {
            throw ImportProblem("convlint counts \(flat.totals.params) parameters where the graph's layers read \(imported.parameters)")
        }
    }
}
