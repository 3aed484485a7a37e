import ConvLintFuzzing
import Foundation

/// libFuzzer's entry point; build and run with `.ci/fuzz` (see the README).
///
/// `CONVLINT_FUZZ_MODE=text` (the default) hands the bytes to the front end as a file.
/// `CONVLINT_FUZZ_MODE=networks` reads them as the decisions of `RandomArchitecture.wild` or,
/// with the first byte odd, `.runnable`, and runs every small network the check accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let contents: [UInt8]
    switch mode {
    case .text:
        contents = bytes
    case .networks:
        var choices = Choices(bytes: Array(bytes.dropFirst()))
        let text = (bytes.first ?? 0) & 1 == 1 ? RandomArchitecture.runnable(&choices) : RandomArchitecture.wild(&choices)
        contents = Array(text.utf8)
    }
    // To see what a crash or timeout file stands for: CONVLINT_FUZZ_PRINT=1 convlint-fuzz FILE.
    if printInputs { FileHandle.standardError.write(Data((String(decoding: contents, as: UTF8.self) + "\n---\n").utf8)) }
    let broken = FrontEndProbe.violations(contents: contents, run: FrontEndProbe.RunBound()).violations
    if !broken.isEmpty {
        FileHandle.standardError.write(Data(("--- input\n" + String(decoding: contents, as: UTF8.self)).utf8))
        fatalError(broken.joined(separator: "\n"))
    }
    return 0
}

enum Mode: String { case text, networks }

let printInputs = ProcessInfo.processInfo.environment["CONVLINT_FUZZ_PRINT"] != nil

let mode = Mode(rawValue: ProcessInfo.processInfo.environment["CONVLINT_FUZZ_MODE"] ?? "text") ?? .text
