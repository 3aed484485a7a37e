/// Who reads each layer's output: the layers that take it as an input, once for each time
/// they do.
public struct LayerReaders: Sendable {
    private let readers: [[Int]]
    private let inputs: [[Int]]

    public init(_ layers: [LayerReport]) {
        inputs = layers.map(\.node.inputs)
        var readers = [[Int]](repeating: [], count: layers.count)
        for (index, layerInputs) in inputs.enumerated() { for input in layerInputs { readers[input].append(index) } }
        self.readers = readers
    }

    /// The layers that read layer `index`'s output.
    public func all(of index: Int) -> [Int] { readers[index] }

    /// How many reads each layer's output has.
    public var counts: [Int] { readers.map(\.count) }

    /// The layer that alone reads layer `index`'s output and reads nothing else, if one does:
    /// a layer that may take that output over (fuse into it, or reuse its variable).
    public func sole(of index: Int) -> Int? {
        guard readers[index].count == 1, let reader = readers[index].first, inputs[reader] == [index] else { return nil }
        return reader
    }
}
