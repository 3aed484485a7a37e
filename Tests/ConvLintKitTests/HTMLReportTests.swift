import Foundation
import Testing

@testable import ConvLintKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The HTML report read back as XML: each chart holds one mark per layer with the layer's figure.
@Suite struct HTMLReportTests {
    /// An element of the page with its attributes, its ancestors' classes and its text.
    struct Element {
        var name: String
        var attributes: [String: String]
        var ancestors: [[String: String]]
        var text = ""

        func inside(_ attribute: String, _ value: String) -> Bool { ancestors.contains { $0[attribute] == value } }
        var value: Double? { attributes["data-value"].flatMap(Double.init) }
        var layer: Int? { attributes["data-layer"].flatMap { Int($0) } }
    }

    final class Reader: NSObject, XMLParserDelegate {
        var elements = [Element]()
        private var open = [Int]()
        var failure: Error?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append(Element(name: name, attributes: attributes, ancestors: open.map { elements[$0].attributes }))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let current = open.last { elements[current].text += string }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { failure = parseError }
    }

    static func read(_ page: String) throws -> [Element] {
        let parser = XMLParser(data: Data(page.utf8))
        let reader = Reader()
        parser.delegate = reader
        let parsed = parser.parse()
        #expect(parsed, "the page is not well-formed XML: \(String(describing: reader.failure ?? parser.parserError))")
        return reader.elements
    }

    static func check(_ file: String, _ options: AnalysisOptions = AnalysisOptions()) -> Analysis {
        Checker.check(path: architecturesDirectory.appendingPathComponent(file).path, options: options)
    }

    @Test func eachLayerChartHasOneBarPerRowWithTheLayersFigure() throws {
        let analysis = Self.check("vgg16.yaml")
        let page = try Self.read(HTMLReport().render([analysis]))
        let rows = analysis.layers.filter { !$0.node.isInPlaceActivation }
        #expect(rows.count == 22)  // INPUT, 13 CONV, 5 POOL and 3 FC
        let figures: [String: (LayerReport) -> Int] = [
            "activations": { $0.cost.activations }, "params": { $0.cost.params }, "macs": { $0.cost.macs },
        ]
        for (metric, figure) in figures {
            for scale in ["scale-linear", "scale-log"] {
                let bars = page.filter { $0.name == "rect" && $0.inside("data-metric", metric) && $0.inside("class", scale) }
                #expect(bars.map(\.layer) == rows.map(\.node.index), "\(metric) \(scale)")
                #expect(bars.map(\.value) == rows.map { Double(figure($0)) }, "\(metric) \(scale)")
            }
        }
        // On the linear scale the largest bar is the panel's width and the others in proportion:
        // the first FC's 102,764,544 parameters against the second's 16,781,312.
        let params = page.filter { $0.name == "rect" && $0.inside("data-metric", "params") && $0.inside("class", "scale-linear") }
        let width = { (layer: Int) in params.first { $0.layer == layer }?.attributes["width"].flatMap(Double.init) ?? -1 }
        #expect(abs(width(34) / width(32) - 16_781_312 / 102_764_544) < 0.001)
        let titles = page.filter { $0.name == "title" && $0.inside("data-metric", "params") }
        #expect(titles.contains { $0.text == "FC-4096, layer 32: 102,764,544 parameters (74% of all)" })
    }

    @Test func theDepthChartFollowsTheOutputWidthAndTheReceptiveField() throws {
        let analysis = Self.check("vgg16.yaml")
        let page = try Self.read(HTMLReport().render([analysis]))
        let rows = analysis.layers.filter { !$0.node.isInPlaceActivation }
        let spatial = page.filter { $0.name == "circle" && $0.inside("data-series", "spatial") }
        let field = page.filter { $0.name == "circle" && $0.inside("data-series", "receptive-field") }
        #expect(spatial.map(\.value) == rows.map { Double($0.output.w) })
        #expect(field.map(\.value) == rows.map { $0.receptiveField.size.w })
        #expect(field.last?.value == 404 && spatial.first?.value == 224)
        // At batch 1 the step's tensors peak in the backward pass at the RELU after the seventh
        // CONV (layer 16), a hidden row: the line stands at its CONV.
        let peak = try #require(analysis.memory?.pytorch.timeline)
        #expect(peak.layer == 16 && peak.phase == .backward)
        let line = try #require(page.first { $0.attributes["class"] == "peak-line" })
        let conv = try #require(spatial.first { $0.layer == 15 })
        #expect(line.layer == 16 && line.attributes["x1"] == conv.attributes["cx"])
        // The last layer with a spatial extent is the fifth POOL, 7x7, which sees 212x212 of 224x224.
        #expect(page.first { $0.attributes["class"] == "field-extent" }?.attributes["data-value"] == "212x212")
        #expect(page.first { $0.attributes["class"] == "input-extent" }?.attributes["data-value"] == "224x224")
    }

    /// The stacked bars add up to the phases' peaks, the budget line sits at the budget, and the
    /// parts the text lists are the parts drawn.
    @Test func trainingMemoryStacksToEachPhasesPeakBesideTheBudget() throws {
        var options = AnalysisOptions()
        options.batch = 64
        options.gpuMemory = ByteCount(16 << 30)
        let analysis = Self.check("vgg16.yaml", options)
        let memory = try #require(analysis.memory?.pytorch)
        let page = try Self.read(HTMLReport().render([analysis]))
        for phase in [PyTorchMemory.Phase.backward, .optimizerStep] {
            let stack = try #require(page.first { $0.attributes["class"] == "stack" && $0.attributes["data-phase"] == phase.rawValue })
            #expect(stack.value == Double(memory.peak(of: phase).bytes))
            let parts = page.filter { $0.attributes["class"] == "part" && $0.inside("data-phase", phase.rawValue) }
            #expect(parts.compactMap(\.value).reduce(0, +) == Double(memory.peak(of: phase).bytes))
            #expect(parts.compactMap { $0.attributes["data-part"] } == memory.parts(of: phase).filter { $0.bytes.bytes > 0 }.map(\.name))
        }
        #expect(page.first { $0.attributes["class"] == "budget" }?.value == Double(16 << 30))
    }

    @Test func everyPhasesPartsAddUpToItsPeakOnEveryShippedNetwork() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: architecturesDirectory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count > 30)
        for file in files {
            for optimizer in [Optimizer.sgd, .adam] {
                var options = AnalysisOptions()
                options.optimizer = optimizer
                options.dtype = file.hasPrefix("resnet") ? .bfloat16 : nil
                guard let memory = Self.check(file, options).memory?.pytorch else { continue }
                for phase in [PyTorchMemory.Phase.backward, .optimizerStep] {
                    #expect(memory.parts(of: phase).map(\.bytes.bytes).reduce(0, +) == memory.peak(of: phase).bytes, "\(file) \(phase)")
                }
            }
        }
    }

    /// A diagnostic links to the row of the layer it is about, and the row back to it.
    @Test func diagnosticsAndTheirLayersLinkBothWays() throws {
        let page = try Self.read(HTMLReport().render([Self.check("vgg16.yaml")]))
        let item = try #require(page.first { $0.name == "li" && $0.attributes["class"] == "warning" })
        #expect(item.attributes["id"] == "n0-diagnostic-1")
        let link = try #require(page.first { $0.name == "a" && $0.inside("id", "n0-diagnostic-1") })
        #expect(link.attributes["href"] == "#n0-layer-32")
        let row = try #require(page.first { $0.name == "tr" && $0.attributes["id"] == "n0-layer-32" })
        #expect(row.attributes["class"] == "flagged")
        #expect(page.contains { $0.name == "a" && $0.inside("id", "n0-layer-32") && $0.attributes["href"] == "#n0-diagnostic-1" })
    }

    @Test func aRejectedFileStillMakesAPageWithItsError() throws {
        let analysis = Self.check("alexnet-224.yaml")
        #expect(!analysis.isValid)
        let page = try Self.read(HTMLReport().render([analysis, Self.check("lenet5.yaml")]))
        #expect(page.contains { $0.name == "li" && $0.attributes["class"] == "error" })
        #expect(page.contains { $0.name == "strong" && $0.text == "error[non-integer-output]" })
        #expect(page.filter { $0.name == "section" }.count == 2)
        // Each section's ids are its own.
        let ids = page.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
    }

    /// A run's layer times are drawn as measured, beside the total spread by MACs; the totals
    /// table marks what differs.
    @Test func aRunsTimesSitBesideWhatTheMACsPredict() throws {
        let analysis = Self.check("lenet5.yaml")
        let seconds = analysis.layers.indices.map { Double($0 + 1) / 1000 }
        let measured = HTMLReport.Measured(
            seconds: seconds, setting: "batch 1", totals: [("parameters", "61,706", "61,706"), ("MACs", "416,520", "416,000")])
        let page = try Self.read(HTMLReport(measured: measured).render([analysis]))
        let rows = analysis.layers.filter { !$0.node.isInPlaceActivation }
        let bars = page.filter { $0.name == "rect" && $0.attributes["class"] == "time measured" }
        #expect(bars.map(\.layer) == rows.map(\.node.index))
        #expect(bars.map(\.value) == rows.map { seconds[$0.node.index] })
        let predicted = page.filter { $0.name == "rect" && $0.attributes["class"] == "time predicted" }.compactMap(\.value)
        #expect(abs(predicted.reduce(0, +) - seconds.reduce(0, +)) < 1e-9)
        let macs = Double(rows.map(\.cost.macs).reduce(0, +))
        #expect(zip(predicted, rows).allSatisfy { abs($0 - Double($1.cost.macs) / macs * seconds.reduce(0, +)) < 1e-9 })
        #expect(page.filter { $0.name == "tr" && $0.attributes["class"] == "flagged" && $0.inside("class", "layers measured") }.count == 1)
    }

    /// Found by the networks fuzzer: 256 stride-2 CONVs make a receptive field of about 2^256
    /// pixels, whose coordinates trapped when made integers. They are clamped; the value stays.
    @Test func anAstronomicalReceptiveFieldStillDraws() throws {
        let yaml = """
            input: 16x16x3
            rounding: floor
            vars: {N: 2}
            network: "INPUT -> [[[[CONV(8, F=5x3, S=2, P=same)]*(N*N)]*(N*N)]*(N*N)]*(N*N)"
            """
        let analysis = Checker.check(source: SourceFile(path: "deep.yaml", text: yaml))
        #expect(analysis.isValid && (analysis.layers.last?.receptiveField.size.w ?? 0) > 0x1p250)
        let page = try Self.read(HTMLReport().render([analysis]))
        let field = page.filter { $0.name == "circle" && $0.inside("data-series", "receptive-field") }
        #expect(field.count == 257 && (field.last?.value ?? 0) > 0x1p250)
        #expect(field.allSatisfy { ($0.attributes["cy"].flatMap(Double.init) ?? -1) >= 0 })
    }

    /// An HTML parser does not decode entities inside `<style>`, so the CSS is written raw and
    /// may hold none of the characters XML would need escaped.
    @Test func theStyleSheetNeedsNoEscaping() {
        #expect(!HTMLReport.style.contains { "<&\"".contains($0) })
    }
}
