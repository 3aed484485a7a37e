import Foundation

/// What `--vary` may vary: the command line's settings, a bare optional layer, or a variable.
public enum SweepSetting: Sendable, Equatable {
    case input, batch, dtype, rounding, optimizer
    /// `gpu-memory`: the budget a training step must fit, and the largest batch that does.
    case gpuMemory
    /// `POOL?`: whether the pattern's bare optional POOL layers are present.
    case optionalLayer(String)
    /// A variable, as `--set NAME=VALUE` gives it.
    case variable(String)
    /// `CONV.size`: one argument of a kind's `defaults`.
    case defaultArgument(kind: String, argument: String)
}

extension SweepSetting {
    /// Whether the setting changes the network itself; the others change only what its memory
    /// is sized at, which a sweep works out without building the network again.
    var shapesNetwork: Bool {
        switch self {
        case .input, .rounding, .optionalLayer, .variable, .defaultArgument: true
        case .batch, .dtype, .optimizer, .gpuMemory: false
        }
    }
}

/// One value of an axis, read once with the axis and applied to every combination that takes it.
enum SweepValue: Sendable, Equatable {
    case input([Int]), batch(Int), dtype(DType), rounding(Rounding), optimizer(Optimizer), gpuMemory(ByteCount)
    /// Whether the bare optional layers of a name are present.
    case optionalLayer(String, present: Bool)
    /// A variable's or a defaults argument's text, which the analysis reads as it reads the file.
    case variable(String, text: String)
    case defaultArgument(kind: String, argument: String, text: String)
}

/// One `--vary NAME=VALUES`: a setting and the values it takes, as written.
public struct SweepAxis: Sendable, Equatable {
    public var name: String
    public var setting: SweepSetting
    public var values: [String]
    /// `values`, read.
    let read: [SweepValue]

    /// Reads `N=1...4`, `F=[32,64],[64,128]`, `input=224x224x3,256x256x3`, `gpu-memory=16GiB,80GiB`
    /// or `POOL?=true,false`.
    public init(parsing text: String) throws(SweepError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw SweepError("--vary takes NAME=VALUES, e.g. --vary N=1...4 or --vary batch=16,32,64; got '\(text)'")
        }
        name = String(text[..<equals])
        let spec = String(text[text.index(after: equals)...])
        setting =
            switch name.lowercased() {
            case "input": .input
            case "batch": .batch
            case "dtype": .dtype
            case "rounding": .rounding
            case "optimizer": .optimizer
            case "gpu-memory": .gpuMemory
            default:
                if name.hasSuffix("?") {
                    .optionalLayer(String(name.dropLast()))
                } else if let (kind, argument) = DefaultOverride.split(name) {
                    .defaultArgument(kind: kind, argument: argument)
                } else {
                    .variable(name)
                }
            }
        values = try Self.values(spec, name: name)
        var read = [SweepValue]()
        for value in values { read.append(try Self.read(value, for: setting, name: name)) }
        self.read = read
    }

    /// A range `A...B` (whole numbers, both ends included) or a comma-separated list whose
    /// items may be bracketed lists themselves.
    static func values(_ spec: String, name: String) throws(SweepError) -> [String] {
        let parts = spec.split(separator: "...", omittingEmptySubsequences: false)
        if parts.count == 2, let low = Int(parts[0].trimmed), let high = Int(parts[1].trimmed) {
            guard low <= high else { throw SweepError("--vary \(name)=\(spec): the range runs backwards") }
            guard high - low < SweepGrid.maxCombinations else {
                throw SweepError("--vary \(name)=\(spec): more than \(SweepGrid.maxCombinations.grouped) values")
            }
            return (low...high).map(String.init)
        }
        var values = [String](), current = "", depth = 0
        for character in spec {
            switch character {
            case "[": depth += 1
            case "]": depth -= 1
            case "," where depth == 0:
                values.append(current.trimmed)
                current = ""
                continue
            default: break
            }
            guard depth >= 0 else { throw SweepError("--vary \(name)=\(spec): a ']' without its '['") }
            current.append(character)
        }
        guard depth == 0 else { throw SweepError("--vary \(name)=\(spec): a '[' is not closed") }
        values.append(current.trimmed)
        if let empty = values.firstIndex(where: \.isEmpty) {
            throw SweepError("--vary \(name)=\(spec): value \(empty + 1) is empty")
        }
        return values
    }

    /// `value` read for `setting`, or why it cannot be.
    static func read(_ value: String, for setting: SweepSetting, name: String) throws(SweepError) -> SweepValue {
        func fail(_ expected: String) throws(SweepError) -> Never {
            throw SweepError("--vary \(name): '\(value)' is not \(expected)")
        }
        func choice<Choice: CaseIterable & RawRepresentable>(_: Choice.Type) throws(SweepError) -> Choice
        where Choice.RawValue == String {
            guard let choice = Choice.named(value) else { try fail("one of \(Choice.names)") }
            return choice
        }
        switch setting {
        case .input:
            guard let input = InputShape.parse(value) else { try fail("W x H x D, e.g. 224x224x3") }
            return .input(input)
        case .batch:
            guard let batch = Int(value), batch >= 1, batch <= Limits.batch else { try fail("a batch of at least 1") }
            return .batch(batch)
        case .dtype: return .dtype(try choice(DType.self))
        case .rounding: return .rounding(try choice(Rounding.self))
        case .optimizer: return .optimizer(try choice(Optimizer.self))
        case .gpuMemory:
            guard let size = MemorySize.parse(value) else { try fail("a memory size, e.g. 16GiB or 80GB") }
            return .gpuMemory(size)
        case .optionalLayer(let layer):
            guard ["true", "false"].contains(value.lowercased()) else { try fail("true or false") }
            return .optionalLayer(layer, present: value.lowercased() == "true")
        case .defaultArgument(let kind, let argument):
            do {
                _ = try DefaultOverride.parse(kind: kind, argument: argument, text: value)
            } catch {
                throw SweepError("--vary \(name): \(error.message)")
            }
            return .defaultArgument(kind: kind, argument: argument, text: value)
        case .variable(let variable):
            do {
                _ = try VariableOverride.parse(name: variable, text: value)
            } catch {
                throw SweepError("--vary \(name): \(error.message)" + (error.help.map { " (\($0))" } ?? ""))
            }
            return .variable(variable, text: value)
        }
    }

    /// `base` with this axis at its `position`-th value.
    func apply(_ position: Int, to base: inout AnalysisOptions) {
        switch read[position] {
        case .input(let input): base.input = input
        case .batch(let batch): base.batch = batch
        case .dtype(let dtype): base.dtype = dtype
        case .rounding(let rounding): base.rounding = rounding
        case .optimizer(let optimizer): base.optimizer = optimizer
        case .gpuMemory(let size): base.gpuMemory = size
        case .optionalLayer(let layer, let present): base.optionalLayers.append((layer, present))
        case .variable(let variable, let text): base.variables.append((variable, text))
        case .defaultArgument(let kind, let argument, let text): base.defaults.append((kind, argument, text))
        }
    }
}

/// A `--vary` that cannot be read: a usage error (exit 2).
public struct SweepError: Error, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Every combination of the axes' values, the first axis slowest, as `for` loops would nest.
public struct SweepGrid: Sendable {
    /// More combinations than a person reads; a bound so that a typo cannot start a day's work.
    public static let maxCombinations = 1_000_000

    public let axes: [SweepAxis]
    public let count: Int
    /// Combinations of the axes that shape the network, and of those that size its memory:
    /// `count` is their product.
    public let structures: Int
    public let sizings: Int
    /// How far apart in grid order consecutive values of each axis are.
    private let strides: [Int]

    public init(_ axes: [SweepAxis]) throws(SweepError) {
        var names = Set<String>()
        for axis in axes where !names.insert(axis.name).inserted {
            throw SweepError("--vary \(axis.name) is given twice; list every value in one --vary")
        }
        var count = 1
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, product <= Self.maxCombinations else {
                throw SweepError(
                    "the grid has more than \(Self.maxCombinations.grouped) combinations; vary fewer settings or fewer values")
            }
            count = product
        }
        self.axes = axes
        self.count = count
        structures = axes.filter(\.setting.shapesNetwork).reduce(1) { $0 * $1.values.count }
        sizings = count / structures
        var strides = [Int](repeating: 1, count: axes.count)
        for position in axes.indices.dropLast().reversed() {
            strides[position] = strides[position + 1] * axes[position + 1].values.count
        }
        self.strides = strides
    }

    public func varies(_ setting: SweepSetting) -> Bool { axes.contains { $0.setting == setting } }

    /// The grid index of the `sizing`-th combination of the memory axes with the `structure`-th
    /// of the others, each counted with its first axis slowest.
    public func index(structure: Int, sizing: Int) -> Int {
        var (structure, sizing, index) = (structure, sizing, 0)
        for position in axes.indices.reversed() {
            let count = axes[position].values.count
            if axes[position].setting.shapesNetwork {
                index += structure % count * strides[position]
                structure /= count
            } else {
                index += sizing % count * strides[position]
                sizing /= count
            }
        }
        return index
    }

    /// Which of its values each axis takes in combination `index`.
    func positions(at index: Int) -> [Int] {
        axes.indices.map { index / strides[$0] % axes[$0].values.count }
    }

    /// The value of each axis in combination `index`, as written.
    public func values(at index: Int) -> [String] {
        zip(axes, positions(at: index)).map { axis, position in axis.values[position] }
    }

    /// `base` with every axis set to its value in combination `index`, or only the axes that
    /// shape the network, or only the others.
    public func options(at index: Int, base: AnalysisOptions, shapingNetwork: Bool? = nil) -> AnalysisOptions {
        var options = base
        for (axis, position) in zip(axes, positions(at: index)) where shapingNetwork.map({ $0 == axis.setting.shapesNetwork }) ?? true {
            axis.apply(position, to: &options)
        }
        return options
    }
}

extension StringProtocol {
    var trimmed: String { String(self).trimmingCharacters(in: .whitespaces) }
}
