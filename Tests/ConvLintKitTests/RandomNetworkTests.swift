import Testing

@testable import ConvLintExecutor
@testable import ConvLintKit

/// Random small networks from the format's grammar: every one the static check accepts must
/// run, and the run must measure exactly the shapes, parameters and MACs the check predicted.
/// Rectangular kernels wider than their input once crashed the executor this way.
@Suite struct RandomNetworkTests {
    /// SplitMix64: the same networks on every machine.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        mutating func pick(_ choices: [String]) -> String { choices[next(choices.count)] }
    }

    static let layers = [
        "CONV(8, F=3, P=1)", "CONV(8, F=7x1, P=same)", "CONV(8, F=5x3, S=2, P=same)", "CONV(8, F=3, P=2, dilation=2)",
        "CONV(8, F=3, P=1, groups=8)", "CONV(2*C, F=1)", "DECONV(8, F=2, S=2)", "DECONV(8, F=3, S=2, P=1, output_pad=1)",
        "POOL", "MAXPOOL(F=3, S=2, P=1)", "AVGPOOL(F=3, S=1, P=1)", "ADAPTIVEAVGPOOL(3)", "ADAPTIVEAVGPOOL(2x5)",
        "FC(16, per_pixel=true)", "RELU", "SILU", "HARDSWISH", "GELU", "PRELU(per_channel=true)", "SOFTMAX", "BN",
        "LN(over=channels)", "LN", "LRN(3)", "DROPOUT", "DROPPATH(0.1)", "SCALE", "CHUNK(2, index=1)", "SHUFFLE(2)",
        "UPSAMPLE(2)", "UPSAMPLE(size=7x9, mode=bilinear)", "ID",
    ]

    static func term(_ random: inout Generator, depth: Int) -> String {
        let roll = random.next(100)
        if depth > 1 || roll < 55 { return random.pick(layers) }
        if roll < 65 { return "[\(chain(&random, depth: depth + 1))]*2" }
        if roll < 78 { return "(\(chain(&random, depth: depth + 1)) | \(chain(&random, depth: depth + 1)))" }
        if roll < 90 { return "(\(chain(&random, depth: depth + 1)) + ID)" }
        return "(ID * GAP -> CONV(4, F=1) -> RELU -> CONV(C, F=1) -> SIGMOID)"
    }

    static func chain(_ random: inout Generator, depth: Int) -> String {
        (0...random.next(3)).map { _ in term(&random, depth: depth) }.joined(separator: " -> ")
    }

    @Test func everyValidRandomNetworkRunsAsPredicted() {
        var random = Generator(state: 2026)
        var valid = 0
        for _ in 0..<160 {
            let (w, h) = ([5, 8, 9, 16][random.next(4)], [4, 8, 12][random.next(3)])
            let yaml = """
                input: \(w)x\(h)x8
                rounding: floor
                vars: {C: 8}
                network: "INPUT -> CONV(8, F=1) -> \(Self.chain(&random, depth: 0))"
                """
            var options = AnalysisOptions()
            options.batch = 2
            let analysis = Analyzer.analyze(source: SourceFile(path: "random.yaml", text: yaml), options: options)
            guard analysis.isValid else { continue }
            valid += 1
            let run = Executor(analysis: analysis).run()
            #expect(run.mismatches(with: analysis).isEmpty, "\(yaml)\n\(run.mismatches(with: analysis))")
        }
        // The generator must keep producing buildable networks for the test to mean anything.
        #expect(valid >= 40, "only \(valid) valid networks")
    }
}
