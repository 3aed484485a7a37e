import ArgumentParser
import ConvLintKit
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the check's report as one self-contained HTML page with charts.",
        discussion: """
            The page needs nothing else to be viewed (inline SVG and CSS, no network): the \
            diagnostics linked to their layers, a bar per layer of activations, parameters and MACs \
            (with a log-scale toggle), the output width and receptive field through the depth, the \
            receptive field against the input to scale, the training step's memory by phase with \
            the --gpu-memory line and where its tensors peak, and the VGG-style table. Several files \
            make one page. The page is also well-formed XML, so scripts can read the charts' values \
            from their data-value attributes.

            Examples:
              convlint report architectures/vgg16.yaml                     (writes vgg16.html)
              convlint report net.yaml -o report.html --batch 64 --gpu-memory 16GiB
              convlint architectures/vgg16.yaml --format html > vgg16.html (the same, to standard output)

            Exit status: as the check's (0 no errors, 1 errors, 2 unreadable input); the page is \
            written either way, with the errors on it.
            """)

    @Argument(help: "Architecture files (YAML), or ONNX models (.onnx).")
    var files: [String]

    @Option(
        name: .shortAndLong, help: ArgumentHelp("Where to write the page (default: the first file's name, .html, here).", valueName: "PATH")
    )
    var output: String?

    @OptionGroup var flags: CheckFlags

    func run() throws {
        let analyses = try flags.check(files)
        Terminal.printDiagnostics(analyses)
        let path = output ?? URL(fileURLWithPath: files[0]).deletingPathExtension().lastPathComponent + ".html"
        let page = HTMLReport(allLayers: flags.allLayers).render(analyses)
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
        Terminal.printError("wrote \(path) (\(ByteCount(page.utf8.count).binary))")
        throw flags.exitCode(for: analyses)
    }
}
