/// One layer of the expanded network, in execution order.
public struct LayerNode: Sendable {
    /// Position in execution order; 0 is INPUT.
    public var index: Int
    /// The kind as written (POOL and MAXPOOL are both max pooling).
    public var kind: LayerKind
    /// The notes' style of name: `CONV3-64`, `POOL2`, `FC-4096`.
    public var label: String
    public var operation: Operation
    /// Indices of the layers whose outputs this one reads.
    public var inputs: [Int]
    /// The token that made this layer (inside a block: the block body's token).
    public var location: SourceLocation
    /// The block calls that led here, outermost first.
    public var calledFrom: [SourceLocation]
    /// Which call of a top-level block made this layer (each call, and each repetition of
    /// one, its own number); nil outside blocks.
    public var blockCall: Int? { blockCalls.first }
    /// Every block call around this layer, outermost first, by number.
    public var blockCalls: [Int]
    /// Where each argument was written, for diagnostics that point at one.
    var argumentLocations: [String: SourceLocation]

    init(
        index: Int, kind: LayerKind, operation: Operation, inputs: [Int], location: SourceLocation,
        calledFrom: [SourceLocation], argumentLocations: [String: SourceLocation], blockCalls: [Int] = []
    ) {
        self.index = index
        self.kind = kind
        self.label = operation.label
        self.operation = operation
        self.inputs = inputs
        self.location = location
        self.calledFrom = calledFrom
        self.argumentLocations = argumentLocations
        self.blockCalls = blockCalls
    }

    func location(of parameter: String) -> SourceLocation {
        argumentLocations[parameter] ?? location
    }
}
