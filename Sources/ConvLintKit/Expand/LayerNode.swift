/// One layer of the expanded network, in execution order.
public struct LayerNode: Sendable {
    /// Position in execution order; 0 is INPUT.
    public var index: Int
    /// The kind as written (POOL and MAXPOOL are both max pooling).
    public var kind: LayerKind
    public var operation: Operation
    /// The token that made this layer (inside a block: the block body's token).
    public var location: SourceLocation
    /// What never changes once the layer is made, in one shared object: copying a layer (which
    /// the memory simulations do for every layer, several times per estimate) retains one object
    /// instead of one per array, which on a deep network is one cache miss instead of several.
    private let origin: Origin

    /// The notes' style of name: `CONV3-64`, `POOL2`, `FC-4096`.
    public var label: String { origin.label }
    /// Indices of the layers whose outputs this one reads.
    public var inputs: [Int] { origin.inputs }
    /// The block calls that led here, outermost first.
    public var calledFrom: [SourceLocation] { origin.calledFrom }
    /// Which call of a top-level block made this layer (each call, and each repetition of
    /// one, its own number); nil outside blocks.
    public var blockCall: Int? { origin.blockCalls.first }
    /// Every block call around this layer, outermost first, by number.
    public var blockCalls: [Int] { origin.blockCalls }
    /// Where each argument was written, for diagnostics that point at one.
    var argumentLocations: [String: SourceLocation] { origin.argumentLocations }

    private final class Origin: Sendable {
        let label: String
        let inputs: [Int]
        let calledFrom: [SourceLocation]
        let blockCalls: [Int]
        let argumentLocations: [String: SourceLocation]

        init(
            label: String, inputs: [Int], calledFrom: [SourceLocation], blockCalls: [Int],
            argumentLocations: [String: SourceLocation]
        ) {
            self.label = label
            self.inputs = inputs
            self.calledFrom = calledFrom
            self.blockCalls = blockCalls
            self.argumentLocations = argumentLocations
        }
    }

    init(
        index: Int, kind: LayerKind, operation: Operation, inputs: [Int], location: SourceLocation,
        calledFrom: [SourceLocation], argumentLocations: [String: SourceLocation], blockCalls: [Int] = []
    ) {
        self.index = index
        self.kind = kind
        self.operation = operation
        self.location = location
        origin = Origin(
            label: operation.label, inputs: inputs, calledFrom: calledFrom, blockCalls: blockCalls,
            argumentLocations: argumentLocations)
    }

    func location(of parameter: String) -> SourceLocation {
        argumentLocations[parameter] ?? location
    }
}
