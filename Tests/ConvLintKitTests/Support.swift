import Foundation
import Testing

@testable import ConvLintKit

/// Analyzes YAML text as if it were a file named `test.yaml`.
func analyze(_ yaml: String, options: AnalysisOptions = AnalysisOptions()) -> Analysis {
    Analyzer.analyze(source: SourceFile(path: "test.yaml", text: yaml), options: options)
}

/// The repository's `architectures/` folder.
let architecturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("architectures")

/// Decodes `Fixtures/<name>.json`: figures measured with PyTorch and others, copied into the tests.
func loadFixture<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T {
    let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")!
    return try! JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

func analyzeArchitecture(_ name: String, options: AnalysisOptions = AnalysisOptions()) -> Analysis {
    Analyzer.analyze(path: architecturesDirectory.appendingPathComponent(name).path, options: options)
}

/// The first error, which most tests of rejected input look at.
extension Analysis {
    var firstError: Diagnostic? { diagnostics.first { $0.severity == .error } }

    /// Layers a table shows: without in-place activations.
    var visibleLayers: [LayerReport] { layers.filter { !$0.node.isInPlaceActivation } }
}

/// Whether this test binary was built with AddressSanitizer, whose shadow memory needs more
/// address space than any cap on it allows.
let underAddressSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil
