/// What a layer computes: one case per family of kinds, each a value whose arguments are all
/// resolved. A family answers everything about its kinds (`LayerOperation`): the switch in
/// `body` is the one place that lists the families, and the compiler asks each family for
/// every answer.
public enum Operation: Sendable, Equatable {
    case input(InputLayer)
    case convolution(ConvolutionLayer)
    case pooling(PoolingLayer)
    case adaptivePooling(AdaptivePoolingLayer)
    case dense(DenseLayer)
    case flatten(FlattenLayer)
    case activation(ActivationLayer)
    case normalization(NormalizationLayer)
    case dropout(DropoutLayer)
    case identity(IdentityLayer)
    case merge(MergeLayer)
    case scale(ScaleLayer)
    case chunk(ChunkLayer)
    case shuffle(ShuffleLayer)
    case upsample(UpsampleLayer)

    /// The families, in the order their kinds are listed to users.
    static let families: [any LayerOperation.Type] = [
        InputLayer.self, ConvolutionLayer.self, PoolingLayer.self, AdaptivePoolingLayer.self, DenseLayer.self,
        FlattenLayer.self, ActivationLayer.self, NormalizationLayer.self, DropoutLayer.self, IdentityLayer.self,
        MergeLayer.self, ScaleLayer.self, ChunkLayer.self, ShuffleLayer.self, UpsampleLayer.self,
    ]

    var body: any LayerOperation {
        switch self {
        case .input(let operation): operation
        case .convolution(let operation): operation
        case .pooling(let operation): operation
        case .adaptivePooling(let operation): operation
        case .dense(let operation): operation
        case .flatten(let operation): operation
        case .activation(let operation): operation
        case .normalization(let operation): operation
        case .dropout(let operation): operation
        case .identity(let operation): operation
        case .merge(let operation): operation
        case .scale(let operation): operation
        case .chunk(let operation): operation
        case .shuffle(let operation): operation
        case .upsample(let operation): operation
        }
    }

    /// The sliding window of a CONV, DECONV or pool.
    public var window: SlidingWindow? {
        switch self {
        case .convolution(let conv): conv.window
        case .pooling(let pool): pool.window
        case .input, .adaptivePooling, .dense, .flatten, .activation, .normalization, .dropout, .identity, .merge, .scale,
            .chunk, .shuffle, .upsample:
            nil
        }
    }

    /// The window of a CONV or pool: one that reads a patch of its input for each output.
    public var forwardWindow: SlidingWindow? {
        switch self {
        case .convolution(let conv): conv.transposed ? nil : conv.window
        case .pooling(let pool): pool.window
        case .input, .adaptivePooling, .dense, .flatten, .activation, .normalization, .dropout, .identity, .merge, .scale,
            .chunk, .shuffle, .upsample:
            nil
        }
    }

    /// An FC over the whole volume, whose input width is W·H·D.
    var isFlattening: Bool {
        if case .dense(let dense) = self { return !dense.perPixel }
        return false
    }

    /// A forward (not transposed) convolution.
    public var forwardConvolution: ConvolutionLayer? {
        if case .convolution(let conv) = self, !conv.transposed { return conv }
        return nil
    }

    public var label: String { body.label }
    public var storage: OutputStorage { body.storage }
    public var trainingStorage: OutputStorage { body.trainingStorage }
    public var linearity: Linearity { body.linearity }
    public var saved: SavedForBackward { body.saved }

    /// The receptive field after the layer; INPUT's is one pixel.
    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField {
        inputs.isEmpty ? .pixel : body.receptiveField(inputs: inputs, input: input)
    }

    /// The layer's cost per image; the activations it keeps follow from its storage.
    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost {
        var cost = try body.cost(inputs: inputs, output: output, checked: checked)
        cost.activations = storage == .inPlace ? 0 : output.elements
        return cost
    }
}

/// What every family answers for each of its layers.
protocol LayerOperation: Sendable {
    /// The kinds of this family, with their arguments.
    static var kinds: [KindDefinition] { get }
    /// The row label, in the notes' style: `CONV3-64`, `POOL2`, `FC-4096`.
    var label: String { get }
    var storage: OutputStorage { get }
    /// Where the output lives while autograd records (defaults to `storage`).
    var trainingStorage: OutputStorage { get }
    var linearity: Linearity { get }
    var saved: SavedForBackward { get }
    /// The output volume, or the located error that rejects the layer; warnings go to `context`.
    func output(of layer: LayerNode, inputs: [Volume], context: inout ShapeContext) throws(Diagnostic) -> Volume
    /// Parameters, buffers, MACs and other operations per image (`activations` is filled in by `Operation`).
    func cost(inputs: [Volume], output: Volume, checked: Checked) throws(Diagnostic) -> LayerCost
    /// The receptive field after the layer, from those of its inputs (never empty).
    func receptiveField(inputs: [ReceptiveField], input: Volume) -> ReceptiveField
}

extension LayerOperation {
    /// Where the output lives while autograd records: as at inference, for most kinds.
    var trainingStorage: OutputStorage { storage }
}

/// Where a layer's output lives.
public enum OutputStorage: Sendable, Equatable {
    /// A buffer of its own.
    case own
    /// Its input's buffer: an in-place activation, ID, a sum into its first input. It keeps no
    /// activations of its own (SPEC §5).
    case inPlace
    /// A buffer of its own in SPEC §5's table, but a view of its input in a framework (FLATTEN).
    case view
}

/// How a layer's output depends on its input, at inference: two affine layers with only linear
/// ones between them compose into one.
public enum Linearity: Sendable, Equatable {
    /// CONV, DECONV, FC.
    case affine
    /// BN, average pooling, dropout, reshapes and merges.
    case linear
    case nonlinear
}

/// What autograd keeps from the forward pass for a layer's backward pass, per the derivative
/// formulas of PyTorch's autograd. A buffer saved by two layers is kept once.
public struct SavedForBackward: Sendable, Equatable {
    /// The layer's (first) input.
    public var input = false
    /// Every input (the factors of a product).
    public var allInputs = false
    public var output = false
    /// Bytes per output element kept besides: max pooling's int64 indices, dropout's mask.
    public var bytesPerOutputElement = 0
    /// Bytes per image kept besides: stochastic depth's one draw per image.
    public var bytesPerImage = 0

    static let nothing = SavedForBackward()
    static let inputOnly = SavedForBackward(input: true)
    static let outputOnly = SavedForBackward(output: true)
}

/// What a family's shape inference may read and add to besides the layer itself.
struct ShapeContext {
    let network: [LayerNode]
    /// The file's rounding; a layer may override it.
    let rounding: Rounding
    /// Off while `ShapeFix` tries other inputs, so that a search does not search again.
    let suggestFixes: Bool
    var diagnostics: [Diagnostic] = []
    /// The output volumes of the layers before this one.
    var outputs: [Volume] = []
}

extension ReceptiveField {
    /// After a layer whose every output sees the whole input volume (FC, GAP, FLATTEN).
    init(wholeInput input: Volume, after previous: ReceptiveField) {
        self.init(
            size: (previous.size.w + Double(input.w - 1) * previous.jump.w,
                   previous.size.h + Double(input.h - 1) * previous.jump.h),
            jump: (previous.jump.w * Double(input.w), previous.jump.h * Double(input.h)))
    }
}
