import ConvLintKit
import ConvLintONNX

/// A network file on the command line: an architecture file, or an ONNX model read into one as
/// `convlint import` writes it (its diagnostics point into that file).
enum ModelFile {
    static func isONNX(_ path: String) -> Bool { path.lowercased().hasSuffix(".onnx") }

    static func analyze(path: String, options: AnalysisOptions) -> Analysis {
        guard isONNX(path) else { return Analyzer.analyze(path: path, options: options) }
        switch imported(path) {
        case .success(let source): return Analyzer.analyze(source: source, options: options)
        case .failure(let failure): return failure.analysis
        }
    }

    static func check(path: String, options: AnalysisOptions, configuration: Configuration) -> Analysis {
        guard isONNX(path) else { return Checker.check(path: path, options: options, configuration: configuration) }
        switch imported(path) {
        case .success(let source): return Checker.check(source: source, options: options, configuration: configuration)
        case .failure(let failure): return failure.analysis
        }
    }

    private static func imported(_ path: String) -> Result<SourceFile, ONNXImport.Failure> {
        Result { () throws(ONNXImport.Failure) in SourceFile(path: path, text: try ONNXImport.read(contentsOf: path).yaml) }
    }
}
