/// One argument a layer kind takes (SPEC §3), and how its value is checked.
struct ParameterSpec: Sendable {
    enum Form: Sendable {
        /// A positive integer.
        case count
        /// An integer ≥ 0.
        case index
        /// N or WxH, at least `minimum` on each axis.
        case pair(minimum: Int)
        /// An integer ≥ 0, WxH, `same` or `valid`.
        case padding
        case boolean
        case rounding
        /// A decimal in [0, 1).
        case rate
        case shape
        /// One of these words.
        case choice([String])
    }

    var name: String
    var aliases: [String] = []
    var form: Form
    /// What the argument means, for `docs/convlint.schema.json`'s editor hovers.
    var summary: String

    var names: [String] { [name] + aliases }

    func matches(_ label: String) -> Bool {
        names.contains { $0.caseInsensitiveEquals(label) }
    }

    static func table(for kind: LayerKind) -> [ParameterSpec] { kind.definition.parameters }

    static let bias = ParameterSpec(
        name: "bias", form: .boolean,
        summary: "Whether the layer has a bias per filter or unit (counted in params). Default true; often false when BN follows. Example: bias: false")
}

/// An argument's value once checked against its form.
enum ArgumentValue: Equatable, Sendable {
    case count(Int)
    case pair(Pair)
    case padding(PaddingSpec)
    case boolean(Bool)
    case rounding(Rounding)
    case rate(Double)
    case shape([Int])
    case choice(String)
}

/// The arguments of one layer after built-in defaults, `defaults`, a paper name's preset and
/// the call are merged, by parameter name, with where each was written.
struct Arguments: Sendable {
    let kind: LayerKind
    var values: [String: ArgumentValue] = [:]
    var locations: [String: SourceLocation] = [:]
    /// The call, for diagnostics about what it lacks.
    var callLocation: SourceLocation?

    func location(of parameter: String) -> SourceLocation? { locations[parameter] ?? callLocation }

    func count(_ name: String) -> Int? {
        if case .count(let value) = values[name] { return value }
        return nil
    }

    func pair(_ name: String) -> Pair? {
        if case .pair(let value) = values[name] { return value }
        return nil
    }

    func padding(_ name: String) -> PaddingSpec? {
        if case .padding(let value) = values[name] { return value }
        return nil
    }

    func boolean(_ name: String) -> Bool? {
        if case .boolean(let value) = values[name] { return value }
        return nil
    }

    func rounding(_ name: String) -> Rounding? {
        if case .rounding(let value) = values[name] { return value }
        return nil
    }

    func rate(_ name: String) -> Double? {
        if case .rate(let value) = values[name] { return value }
        return nil
    }

    func shape(_ name: String) -> [Int]? {
        if case .shape(let value) = values[name] { return value }
        return nil
    }

    func choice(_ name: String) -> String? {
        if case .choice(let value) = values[name] { return value }
        return nil
    }
}

/// Checks each argument where it was written and collects them for the kind's family.
struct ArgumentResolver {
    let kind: LayerKind
    let specs: [ParameterSpec]
    private(set) var arguments: Arguments

    init(kind: LayerKind) {
        self.kind = kind
        self.specs = ParameterSpec.table(for: kind)
        arguments = Arguments(kind: kind)
    }

    /// Where each parameter got its value, for diagnostics about it.
    var locations: [String: SourceLocation] { arguments.locations }

    func spec(labelled label: String?, at location: SourceLocation, positionalIndex: Int) throws(Diagnostic) -> ParameterSpec {
        guard let label else {
            guard positionalIndex == 0, let first = specs.first else {
                let help = specs.isEmpty
                    ? "\(kind.rawValue) takes no arguments"
                    : "name it, e.g. \(specs.dropFirst().first.map { "\($0.aliases.first ?? $0.name)=…" } ?? "\(specs[0].name)=…"); only the first argument may be positional"
                throw Diagnostic(
                    RuleID.badArgument, "\(kind.rawValue) takes \(specs.isEmpty ? "no" : "only one") positional argument",
                    at: location, help: help)
            }
            return first
        }
        if let spec = specs.first(where: { $0.matches(label) }) { return spec }
        let names = specs.flatMap(\.names)
        throw Diagnostic(
            RuleID.badArgument,
            "\(kind.rawValue) has no argument '\(label)'\(Suggestion.phrase(for: label, among: names))",
            at: location,
            help: names.isEmpty ? "\(kind.rawValue) takes no arguments" : "its arguments are: \(names.joined(separator: ", "))")
    }

    mutating func apply(_ spec: ParameterSpec, _ value: Value, at location: SourceLocation) throws(Diagnostic) {
        arguments.values[spec.name] = try check(spec, value, at: location)
        arguments.locations[spec.name] = location
    }

    private func check(_ spec: ParameterSpec, _ value: Value, at location: SourceLocation) throws(Diagnostic) -> ArgumentValue {
        func fail(_ expected: String, help: String? = nil) -> Diagnostic {
            Diagnostic(
                RuleID.badArgument,
                "\(kind.rawValue) \(spec.name) must be \(expected), but it is '\(value.text)'",
                at: location, help: help)
        }
        switch spec.form {
        case .count:
            guard case .integer(let number) = value, number >= 1 else { throw fail("a whole number of at least 1") }
            return .count(number)
        case .index:
            guard case .integer(let number) = value, number >= 0 else { throw fail("a whole number of at least 0") }
            return .count(number)
        case .pair(let minimum):
            let pair: Pair
            switch value {
            case .integer(let number): pair = Pair(square: number)
            case .dimensions(let values) where values.count == 2: pair = Pair(values[0], values[1])
            default: throw fail("N or WxH, e.g. 3 or 1x7")
            }
            guard pair.w >= minimum, pair.h >= minimum else {
                throw fail("at least \(minimum)", help: spec.name == "stride"
                    ? "a stride of 1 moves the window one pixel at a time, 2 halves W and H" : nil)
            }
            return .pair(pair)
        case .padding:
            switch value {
            case .integer(let number) where number >= 0: return .padding(.explicit(Pair(square: number)))
            case .dimensions(let values) where values.count == 2 && values.allSatisfy { $0 >= 0 }:
                return .padding(.explicit(Pair(values[0], values[1])))
            case .keyword("same"): return .padding(.same)
            case .keyword("valid"): return .padding(.valid)
            default: throw fail("a number ≥ 0, WxH, same or valid")
            }
        case .boolean:
            guard case .boolean(let flag) = value else { throw fail("true or false") }
            return .boolean(flag)
        case .rounding:
            guard case .keyword(let word) = value, let rounding = Rounding(rawValue: word) else {
                throw fail("strict, floor or ceil")
            }
            return .rounding(rounding)
        case .rate:
            let rate: Double
            switch value {
            case .decimal(let number): rate = number
            case .integer(0): rate = 0
            default: throw fail("a decimal in [0, 1), e.g. 0.5")
            }
            guard rate >= 0, rate < 1 else { throw fail("a decimal in [0, 1), e.g. 0.5") }
            return .rate(rate)
        case .shape:
            guard case .dimensions(let values) = value, values.count == 3, values.allSatisfy({ $0 >= 1 }) else {
                throw fail("a shape W x H x D, e.g. 224x224x3")
            }
            return .shape(values)
        case .choice(let words):
            guard case .keyword(let word) = value, words.contains(word) else {
                throw fail(words.count == 2 ? "\(words[0]) or \(words[1])" : "one of \(words.joined(separator: ", "))")
            }
            return .choice(word)
        }
    }

    /// Builds the layer's operation, checking that required values are present.
    func finish(at callLocation: SourceLocation) throws(Diagnostic) -> Operation {
        var arguments = arguments
        arguments.callLocation = callLocation
        return try kind.definition.make(arguments)
    }
}
