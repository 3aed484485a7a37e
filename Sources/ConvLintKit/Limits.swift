/// Every bound convlint puts on its input, in one place. Beyond each, the answer is a located
/// error instead of a hang, a trap or unbounded memory. docs/FORMAT.md §7 lists the same
/// figures, and a test holds the two together.
public enum Limits {
    /// Bytes of one architecture or configuration file; real ones are a few KiB.
    public static let fileBytes = 1 << 20
    /// Bytes of one ONNX model: protobuf's own bound on a message.
    public static let onnxFileBytes = 1 << 31
    /// Nodes of an ONNX graph `convlint import` reads: as many as the layers a file may expand to.
    public static let onnxNodes = expandedLayers
    /// Inputs of an ONNX Concat whose prefixes the import compares with earlier concats
    /// (DenseNet-264's blocks have 65); a hostile one's would cost their square.
    public static let onnxConcatPrefixInputs = 1024
    /// Concats the import nests inside a flattened one (Inception-v3 has 4), each a pass over the graph.
    public static let onnxNestedConcats = 1000
    /// YAML nodes a document may stand for once its aliases are followed (an "alias bomb").
    public static let yamlNodes = 100_000
    /// Nesting of YAML collections, and of brackets, groups, repetitions and block calls.
    public static let nesting = 256
    /// Layers after expansion, the INPUT row included. The deepest published CNNs have a few
    /// thousand rows (ResNet-1202 with its BN and RELU rows, about 3,600); 100,000 layers check in
    /// about a second and 90 MB, a million took 9 s, 0.9 GB and, under the sanitizers, over ten
    /// minutes, which no CI step or fuzzer should wait for.
    public static let expandedLayers = 100_000
    /// Pattern nodes visited while expanding may exceed the layers made by at most this many:
    /// `[[X?false]*1000000]*1000000` makes no layers but would loop 10^12 times.
    public static let idleExpansionSteps = 100_000
    /// An integer literal in a pattern, `input:` or `vars`.
    public static let integerLiteral = 1 << 40
    /// Sizes, parameters and MACs saturate here: large enough for any real network, small enough
    /// that a sum of a few never overflows.
    public static let saturatedSize = Int.max / 4
    /// The largest batch the memory search reports.
    public static let batch = 1 << 30
}
