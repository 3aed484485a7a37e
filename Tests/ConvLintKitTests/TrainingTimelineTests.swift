import Foundation
import Testing

@testable import ConvLintKit

/// The simulated training step against PyTorch's own on the CPU (Fixtures/cpu_timeline_*.json,
/// from Benchmarks/memory_timeline.py with torch 2.15), in float32 and under bfloat16 autocast:
/// the bytes autograd saves within 2%, and the peak of live tensors over forward and backward
/// within 5%. Library workspaces are on neither side; the H100 rows of MemoryModelTests check
/// the GPU's whole peak.
@Suite struct TrainingTimelineTests {
    struct Row: Decodable, Sendable, CustomTestStringConvertible {
        var file: String
        var batch: Int
        var saved_bytes: Int
        var timeline_peak_bytes: Int
        var peak_phase: String
        /// Live tensors at their peak in one `inference_mode` forward pass, the input excluded.
        var inference_peak_bytes: Int?
        var autocast: Bool? = nil
        var checkpoint: Bool? = nil
        var testDescription: String {
            "\(file) batch \(batch)\(autocast == true ? " bfloat16 autocast" : "")\(checkpoint == true ? " checkpointed" : "")"
        }
    }

    struct Fixture: Decodable {
        var autocast: Bool?
        var checkpoint: Bool?
        var models: [String: Row]
    }

    static func load(_ name: String) -> [Row] {
        let fixture = loadFixture(name, as: Fixture.self)
        return fixture.models.values.sorted { $0.file < $1.file }.map { row in
            var row = row
            row.autocast = fixture.autocast ?? false
            row.checkpoint = fixture.checkpoint ?? false
            return row
        }
    }

    static let rows = ["cpu_timeline_batch4", "cpu_timeline_batch16", "cpu_timeline_autocast_batch4"].flatMap(load)
    /// ResNets with torch.utils.checkpoint around each residual block, against `--checkpoint blocks`.
    static let checkpointed = load("cpu_timeline_checkpoint_batch4")

    static func memory(_ row: Row) throws -> PyTorchMemory {
        var options = AnalysisOptions()
        options.batch = row.batch
        if row.autocast == true { options.dtype = .bfloat16 }
        if row.checkpoint == true { options.checkpoint = .blocks }
        let analysis = analyzeArchitecture(row.file, options: options)
        return try #require(analysis.memory?.pytorch, "\(row.file)")
    }

    /// Under autocast, the weight copies it saves count too.
    @Test(arguments: rows)
    func savedBytesEqualAutograds(_ row: Row) throws {
        let memory = try Self.memory(row)
        let saved = Double(memory.savedActivations.bytes + memory.castWeights.bytes)
        #expect(abs(saved / Double(row.saved_bytes) - 1) <= 0.02, "\(row): \(saved) vs \(row.saved_bytes)")
    }

    @Test(arguments: rows + checkpointed)
    func tensorPeakEqualsPyTorchsTimeline(_ row: Row) throws {
        let timeline = try Self.memory(row).timeline
        #expect(abs(Double(timeline.bytes) / Double(row.timeline_peak_bytes) - 1) <= 0.05,
                "\(row): simulated \(timeline.bytes), measured \(row.timeline_peak_bytes)")
        #expect(timeline.phase.rawValue == row.peak_phase, "\(row)")
    }

    /// Inference frees each tensor after its last reader, and a block call's input when the
    /// call returns. DenseNet's PyTorch code concatenates a list of all earlier features anew
    /// at every layer, and ConvNeXt's LayerNorm copies its permuted input: implementation
    /// choices that the architecture does not show.
    @Test(arguments: rows.filter { $0.inference_peak_bytes != nil })
    func inferenceTensorsEqualPyTorchs(_ row: Row) throws {
        let memory = try Self.memory(row)
        let predicted = Double(memory.inferenceTensors.bytes - memory.input.bytes)
        let measured = Double(try #require(row.inference_peak_bytes))
        withKnownIssue("a framework's implementation, not the architecture") {
            #expect(abs(predicted / measured - 1) <= 0.05, "\(row): \(predicted) vs \(measured)")
        } when: { ["densenet121.yaml", "convnext-tiny.yaml"].contains(row.file) }
    }

    /// Checkpointing trades memory for a second forward pass through each block.
    @Test func checkpointingLowersThePeakAndAddsTheBlocksForward() throws {
        var options = AnalysisOptions()
        options.batch = 16
        let plain = try #require(analyzeArchitecture("resnet50.yaml", options: options).memory?.pytorch)
        options.checkpoint = .blocks
        let checkpointed = try #require(analyzeArchitecture("resnet50.yaml", options: options).memory?.pytorch)
        #expect(checkpointed.timeline.bytes * 2 < plain.timeline.bytes)
        #expect(checkpointed.trainingPeak < plain.trainingPeak)
        // Every layer but the stem, the pool and the classifier runs twice.
        let analysis = analyzeArchitecture("resnet50.yaml")
        let blockMACs = analysis.layers.filter { $0.node.blockCall != nil }.reduce(0) { $0 + $1.cost.macs }
        #expect(checkpointed.backwardMACs == plain.backwardMACs + blockMACs)
    }

    /// A hand-counted chain: CONV → RELU → FC at batch 2 on a 4x4x1 input.
    @Test func aSmallChainPeaksWhereItsTensorsSayItShould() throws {
        var options = AnalysisOptions()
        options.batch = 2
        let analysis = analyze("input: 4x4x1\nnetwork: INPUT -> CONV(2, F=3, P=1) -> RELU -> FC(3)", options: options)
        let timeline = try #require(analysis.memory?.pytorch.timeline)
        // Forward: the CONV output (2·4·4·2 floats = 256 B, a 512 B block) is kept (RELU saves
        // it, FC saves it); FC's output 2·3 floats (one block). Backward at FC: its input
        // gradient (a block) and its weight gradient 32·3 + 3 floats (396 B, a block) appear.
        #expect(timeline.phase == .backward)
        #expect(timeline.layer == 3)
        #expect(timeline.breakdown.activations == 512 + 512)
        #expect(timeline.breakdown.weightGradients == 512)
        // The loss's gradient of the output and FC's input gradient.
        #expect(timeline.breakdown.activationGradients == 512 + 512)
        // Backward MACs: FC's weight and input gradients (2 · 96), CONV's weight gradient only.
        #expect(analysis.memory?.pytorch.backwardMACs == 2 * 96 + 288)
    }
}
