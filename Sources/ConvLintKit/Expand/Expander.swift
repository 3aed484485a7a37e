/// One call of a block in the expanded network: which block, and its integer arguments in the
/// order of its parameters (`LayerNode.blockCalls` numbers them).
public struct BlockCall: Sendable, Equatable {
    public let block: String
    public let parameters: [String]
    /// The integer arguments (nil for the others).
    public let integers: [Int?]
}

/// Expands a pattern into the list of layers it stands for: repetitions unrolled, optional
/// layers decided, blocks inlined with their arguments, list variables indexed by the
/// repetitions around them (SPEC §2), and each group's merge row added after its branches.
struct Expander {

    private struct Repetition {
        var index: Int
        var count: Int
        var location: SourceLocation
    }

    private struct Frame {
        var block: String
        var arguments: [String: Value]
    }

    let file: ArchitectureFile
    private(set) var layers: [LayerNode] = []
    private var repetitions: [Repetition] = []
    private var frames: [Frame] = []
    private var calls: [SourceLocation] = []
    /// The numbers of the block calls being expanded, outermost first, and how many there have been.
    private var callNumbers: [Int] = []
    private var callCount = 0
    /// Each call's block and arguments, by number.
    private var blockCalls: [BlockCall] = []
    private var depth = 0
    private var steps = 0

    init(file: ArchitectureFile) { self.file = file }

    /// The expanded network, starting with its INPUT row.
    static func expand(_ file: ArchitectureFile) throws(Diagnostic) -> [LayerNode] { try expansion(file).layers }

    /// The layers, and every block call that made some of them, by call number.
    static func expansion(_ file: ArchitectureFile) throws(Diagnostic) -> (layers: [LayerNode], calls: [BlockCall]) {
        var expander = Expander(file: file)
        try expander.expandNetwork()
        return (expander.layers, expander.blockCalls)
    }

    private mutating func expandNetwork() throws(Diagnostic) {
        try checkDefaults()
        try checkNames(in: file.network)
        for block in file.blocks.values { try checkNames(in: block.body) }
        var bound = ExpansionBound(file: file, limit: Limits.expandedLayers)
        if bound.lower(file.network) > Limits.expandedLayers {
            throw tooManyLayers(at: bound.culprit ?? file.networkLocation)
        }
        var terms: [PatternNode]
        if case .chain(let chain) = file.network { terms = chain } else { terms = [file.network] }
        var inputCall: Call?
        if case .call(let call) = terms.first, LayerKind(name: call.name) == .input {
            inputCall = call
            terms.removeFirst()
        }
        try addInput(inputCall)
        var current = 0
        for term in terms { current = try expand(term, from: current) }
    }

    private mutating func addInput(_ call: Call?) throws(Diagnostic) {
        var resolver = ArgumentResolver(kind: .input)
        if let call { try applyArguments(of: call, to: &resolver) }
        var shape = resolver.arguments.shape("shape") ?? []
        let location = call?.nameLocation ?? file.input?.location ?? file.networkLocation
        if let declared = file.input {
            if !shape.isEmpty, shape != declared.value, !file.inputOverridden {
                throw Diagnostic(
                    RuleID.fileFormat,
                    "INPUT(\(Self.shapeText(shape))) differs from 'input: \(Self.shapeText(declared.value))'",
                    at: resolver.locations["shape"] ?? location,
                    help: "give the shape once, in 'input:' or in INPUT(...)")
            }
            shape = declared.value
        }
        guard !shape.isEmpty else {
            throw Diagnostic(
                RuleID.fileFormat, "the network has no input shape", at: location,
                help: "add 'input: 224x224x3' or open the network with INPUT(224x224x3)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw Diagnostic(
                RuleID.invalidShape, "input dimensions must be at least 1, but the input is \(Self.shapeText(shape))",
                at: file.input?.location ?? location, help: "for example 'input: 224x224x3'")
        }
        layers.append(
            LayerNode(
                index: 0, kind: .input, operation: .input(InputLayer(shape: shape)), inputs: [], location: location,
                calledFrom: [], argumentLocations: resolver.locations))
    }

    static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    // MARK: Checks of what may never be expanded

    /// `defaults` are checked whether or not a layer of that kind is used (SPEC §1).
    private func checkDefaults() throws(Diagnostic) {
        for (key, entry) in file.defaults {
            let arguments = entry.value
            guard let kind = LayerKind(rawValue: key), kind != .input else {
                throw Diagnostic(
                    RuleID.fileFormat, "INPUT takes no defaults", at: arguments.first?.labelLocation,
                    help: "give the input shape with 'input: 224x224x3'")
            }
            var resolver = ArgumentResolver(kind: kind)
            var given = [String: SourceLocation]()
            for argument in arguments {
                let at = argument.labelLocation ?? argument.value.location
                let spec = try resolver.spec(labelled: argument.label, at: at, positionalIndex: 1)
                if let first = given[spec.name] {
                    throw Diagnostic(
                        RuleID.badArgument, "defaults for \(key) set \(spec.name) twice", at: at,
                        help: "'\(spec.name)' is already set at line \(first.line), column \(first.column); keep one")
                }
                given[spec.name] = at
                // Literal values are checked now; names depend on where the layer is used.
                if case .name = argument.value.form { continue }
                try resolver.apply(spec, try evaluate(argument.value), at: argument.value.location)
            }
        }
    }

    /// Every call names a layer kind, a paper name or a block, also in parts that `*0`, `?false`
    /// or an unused block would never expand.
    private func checkNames(in node: PatternNode) throws(Diagnostic) {
        switch node {
        case .call(let call):
            guard file.block(named: call.name) == nil, LayerKind(name: call.name)?.isCallable != true,
                PaperName.layer(named: call.name) == nil
            else { return }
            throw unknownCall(call)
        case .chain(let terms):
            for term in terms { try checkNames(in: term) }
        case .repeated(let body, _, _), .optional(let body, _, _):
            try checkNames(in: body)
        case .group(let branches, _, _):
            for branch in branches { try checkNames(in: branch) }
        }
    }

    private func unknownCall(_ call: Call) -> Diagnostic {
        Diagnostic(
            RuleID.unknownName,
            "unknown layer kind or block '\(call.name)'\(KindCatalog.suggestion(for: call.name, among: Array(file.blocks.keys)))",
            at: call.nameLocation,
            help: "layer kinds are \(LayerKind.callableNames.joined(separator: ", ")); blocks are defined under 'blocks:'")
    }

    // MARK: Walking the pattern

    /// Expands `node` reading from layer `input`; returns the layer holding its output.
    private mutating func expand(_ node: PatternNode, from input: Int) throws(Diagnostic) -> Int {
        steps += 1
        if steps > 4 * layers.count + Limits.idleExpansionSteps {
            throw Diagnostic(
                RuleID.expansionLimit,
                "the pattern repeats bodies that make no layers: \(steps.grouped) steps for \(layers.count.grouped) layers",
                at: repetitions.first?.location ?? file.networkLocation,
                help: "lower these repeat counts; repeating a body that makes no layers does nothing")
        }
        switch node {
        case .call(let call):
            return try expandCall(call, from: input)
        case .chain(let terms):
            var current = input
            for term in terms { current = try expand(term, from: current) }
            return current
        case .repeated(let body, let countOperand, let location):
            try enter(at: location)
            defer { depth -= 1 }
            let count = try repeatCount(countOperand)
            var current = input
            for index in 0..<count {
                let before = layers.count
                repetitions.append(Repetition(index: index, count: count, location: location))
                current = try expand(body, from: current)
                repetitions.removeLast()
                if index == 0 {
                    // Fail before unrolling when the first copy shows the total is too big.
                    let projected = Saturating.multiply(layers.count - before, count) + before
                    if projected > Limits.expandedLayers { throw tooManyLayers(at: location) }
                }
            }
            return current
        case .optional(let body, let condition, let location):
            guard let condition else {
                if case .call(let call) = body, file.optionalLayers[call.name.uppercased()] == false { return input }
                return try expand(body, from: input)
            }
            guard case .boolean(let present) = try evaluate(condition) else {
                throw Diagnostic(
                    RuleID.badArgument, "the condition of '?' must be true or false", at: location,
                    help: "set a boolean variable, e.g. 'vars: {\(condition.nameText): true}'")
            }
            return present ? try expand(body, from: input) : input
        case .group(let branches, let merge, let location):
            try enter(at: location)
            defer { depth -= 1 }
            var outputs = [Int]()
            for branch in branches { outputs.append(try expand(branch, from: input)) }
            let mode: MergeLayer.Mode =
                switch merge {
                case .concat: .concat
                case .sum: .add
                case .product: .multiply
                }
            let operation = MergeLayer(mode: mode)
            try append(
                LayerNode(
                    index: layers.count, kind: operation.kind, operation: .merge(operation), inputs: outputs,
                    location: location, calledFrom: calls, argumentLocations: [:], blockCalls: callNumbers))
            return layers.count - 1
        }
    }

    private mutating func enter(at location: SourceLocation) throws(Diagnostic) {
        depth += 1
        guard depth <= Limits.nesting else {
            throw Diagnostic(
                RuleID.expansionLimit, "the pattern nests deeper than \(Limits.nesting) levels", at: location,
                help: "flatten the pattern; no network needs this depth")
        }
    }

    private func tooManyLayers(at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            RuleID.expansionLimit, "the network expands to more than \(Limits.expandedLayers.grouped) layers",
            at: location, help: "lower this repeat count; convlint checks networks of up to \(Limits.expandedLayers.grouped) layers")
    }

    private mutating func append(_ layer: LayerNode) throws(Diagnostic) {
        guard layers.count < Limits.expandedLayers else {
            throw tooManyLayers(at: repetitions.first?.location ?? layer.location)
        }
        layers.append(layer)
    }

    private mutating func repeatCount(_ operand: Operand) throws(Diagnostic) -> Int {
        guard case .integer(let count) = try evaluate(operand) else {
            throw Diagnostic(
                RuleID.badArgument, "a repeat count must be a whole number", at: operand.location,
                help: "write a number, e.g. *3, or a variable holding one")
        }
        guard count >= 0 else {
            throw Diagnostic(
                RuleID.badArgument, "a repeat count cannot be negative (\(count))", at: operand.location,
                help: "*0 removes the body; use a count of 0 or more")
        }
        guard count <= Limits.expandedLayers else { throw tooManyLayers(at: operand.location) }
        return count
    }

    // MARK: Calls

    private mutating func expandCall(_ call: Call, from input: Int) throws(Diagnostic) -> Int {
        if let block = file.block(named: call.name) { return try expandBlock(block, call: call, from: input) }
        let paper = LayerKind(name: call.name) == nil ? PaperName.layer(named: call.name) : nil
        guard let kind = LayerKind(name: call.name) ?? paper?.kind, kind.isCallable else { throw unknownCall(call) }
        guard kind != .input else {
            throw Diagnostic(
                RuleID.patternSyntax, "INPUT may only open the network", at: call.nameLocation,
                help: "remove this INPUT; the network's first layer receives the input")
        }
        var resolver = ArgumentResolver(kind: kind)
        for key in kind.defaultKeys {
            for argument in file.defaults[key]?.value ?? [] {
                let spec = try resolver.spec(
                    labelled: argument.label, at: argument.labelLocation ?? argument.value.location, positionalIndex: 1)
                try resolver.apply(spec, try evaluate(argument.value), at: argument.value.location)
            }
        }
        for (name, value) in paper?.preset ?? [] {
            let spec = try resolver.spec(labelled: name, at: call.nameLocation, positionalIndex: 1)
            try resolver.apply(spec, value, at: call.nameLocation)
        }
        try applyArguments(of: call, to: &resolver)
        let operation = try resolver.finish(at: call.location)
        try append(
            LayerNode(
                index: layers.count, kind: kind, operation: operation, inputs: [input], location: call.location,
                calledFrom: calls, argumentLocations: resolver.locations, blockCalls: callNumbers))
        return layers.count - 1
    }

    private mutating func applyArguments(of call: Call, to resolver: inout ArgumentResolver) throws(Diagnostic) {
        var given = Set<String>()
        for (position, argument) in call.arguments.enumerated() {
            let spec = try resolver.spec(
                labelled: argument.label, at: argument.labelLocation ?? argument.value.location,
                positionalIndex: argument.label == nil ? position : 1)
            guard given.insert(spec.name).inserted else {
                throw Diagnostic(
                    RuleID.badArgument, "\(call.name) sets \(spec.name) twice",
                    at: argument.labelLocation ?? argument.value.location, help: "keep one of them")
            }
            try resolver.apply(spec, try evaluate(argument.value), at: argument.value.location)
        }
    }

    private mutating func expandBlock(_ block: BlockDefinition, call: Call, from input: Int) throws(Diagnostic) -> Int {
        if let first = frames.firstIndex(where: { $0.block == block.name }) {
            // Name the blocks in between, so that a cycle through others reads as one.
            let through = frames[(first + 1)...].map { "'\($0.block)'" }
            throw Diagnostic(
                RuleID.patternSyntax,
                "block '\(block.name)' calls itself" + (through.isEmpty ? "" : " through \(through.joined(separator: ", "))"),
                at: call.nameLocation,
                help: "a block cannot contain itself; repeat it with [\(block.name)]*N instead")
        }
        var arguments = [String: Value]()
        for (position, argument) in call.arguments.enumerated() {
            let parameter: String
            if let label = argument.label {
                guard let match = block.parameters.first(where: { $0.lowercased() == label.lowercased() }) else {
                    throw Diagnostic(
                        RuleID.badArgument,
                        "block '\(block.name)' has no parameter '\(label)'"
                            + Suggestion.phrase(for: label, among: block.parameters),
                        at: argument.labelLocation ?? argument.value.location,
                        help: "its parameters are: \(block.parameters.joined(separator: ", "))")
                }
                parameter = match
            } else {
                guard position < block.parameters.count else {
                    throw Diagnostic(
                        RuleID.badArgument,
                        "block '\(block.name)' takes \(block.parameters.count) argument(s), but more are given",
                        at: argument.value.location, help: "remove the extra arguments")
                }
                parameter = block.parameters[position]
            }
            guard arguments[parameter] == nil else {
                throw Diagnostic(
                    RuleID.badArgument, "'\(parameter)' is given twice", at: argument.value.location,
                    help: "keep one of them")
            }
            arguments[parameter] = try evaluate(argument.value)
        }
        let missing = block.parameters.filter { arguments[$0] == nil }
        if let first = missing.first {
            let positional = call.arguments.prefix { $0.label == nil }
            guard positional.count > 1 else {
                throw Diagnostic(
                    RuleID.badArgument, "block '\(block.name)' needs a value for '\(first)'", at: call.location,
                    help: "call it as \(block.name)(\(block.parameters.joined(separator: ", ")))")
            }
            // By position, a value left out in the middle shifts every later one: the last
            // parameters look missing while the real gap may be anywhere.
            let named = zip(block.parameters, call.arguments).map { parameter, argument in
                "\(parameter)=\(argument.label == nil ? sourceText(argument.value) : "…")"
            } + missing.map { "\($0)=…" }
            throw Diagnostic(
                RuleID.badArgument,
                "block '\(block.name)' takes \(block.parameters.count) arguments (\(block.parameters.joined(separator: ", "))), "
                    + "but this call gives \(call.arguments.count): "
                    + "\(missing.map { "'\($0)'" }.joined(separator: " and ")) \(missing.count == 1 ? "gets" : "get") no value, "
                    + "or a value in the middle was left out and the ones after it moved up",
                at: call.location,
                help: "name the arguments to be sure which is missing: \(block.name)(\(named.joined(separator: ", ")))")
        }
        try enter(at: call.nameLocation)
        frames.append(Frame(block: block.name, arguments: arguments))
        calls.append(call.location)
        callNumbers.append(callCount)
        callCount += 1
        blockCalls.append(
            BlockCall(
                block: block.name, parameters: block.parameters,
                integers: block.parameters.map { if case .integer(let value) = arguments[$0]! { value } else { nil } }))
        let output = try expand(block.body, from: input)
        callNumbers.removeLast()
        calls.removeLast()
        frames.removeLast()
        depth -= 1
        return output
    }

    // MARK: Names

    /// An argument as written, for messages.
    private func sourceText(_ operand: Operand) -> String {
        switch operand.form {
        case .integer(let value): String(value)
        case .decimal(let value): String(value)
        case .dimensions(let values): Self.shapeText(values)
        case .name(let name): name
        case .arithmetic(let operation, let left, let right):
            "\(nested(left))\(operation.rawValue)\(nested(right))"
        }
    }

    private func nested(_ operand: Operand) -> String {
        if case .arithmetic = operand.form { return "(\(sourceText(operand)))" }
        return sourceText(operand)
    }

    /// Looks a name up as block parameter, then variable, then keyword (SPEC §2); computes
    /// arithmetic on whole numbers.
    private func evaluate(_ operand: Operand) throws(Diagnostic) -> Value {
        switch operand.form {
        case .integer(let value): return .integer(value)
        case .decimal(let value): return .decimal(value)
        case .dimensions(let values): return .dimensions(values)
        case .arithmetic(let operation, let left, let right):
            return .integer(try compute(operation, try whole(left), try whole(right), at: operand.location))
        case .name(let name):
            if let value = lookUp(name, at: operand.location) { return try value.get() }
            // `N-1` lexes as one name, as `conv3-64` does: a difference when its parts are known.
            let parts = name.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            if parts.count > 1, let first = Self.wholeNumber(parts[0], lookUp(parts[0], at: operand.location)) {
                var result: Int? = first
                for part in parts.dropFirst() {
                    guard let value = Self.wholeNumber(part, lookUp(part, at: operand.location)), let left = result else {
                        result = nil
                        break
                    }
                    result = try compute(.subtract, left, value, at: operand.location)
                }
                if let result { return .integer(result) }
            }
            let known = (frames.last.map { Array($0.arguments.keys) } ?? []) + Array(file.variables.keys) + Value.keywords
            throw Diagnostic(
                RuleID.unknownName, "unknown name '\(name)'\(Suggestion.phrase(for: name, among: known))",
                at: operand.location,
                help: "define it under 'vars:' (e.g. '\(name): 2') or as a block parameter")
        }
    }

    private func lookUp(_ name: String, at location: SourceLocation) -> Result<Value, Diagnostic>? {
        if let value = frames.last?.arguments[name] { return .success(value) }
        if let variable = file.variables[name] {
            do throws(Diagnostic) {
                return .success(try index(variable.value, name: name, at: location))
            } catch {
                return .failure(error)
            }
        }
        if let keyword = Value.keyword(named: name) { return .success(keyword) }
        return nil
    }

    /// A part of a hyphenated name as a whole number: a literal or a name holding one.
    private static func wholeNumber(_ text: String, _ value: Result<Value, Diagnostic>?) -> Int? {
        if let literal = Int(text), literal >= 0 { return literal }
        if case .success(.integer(let number)) = value { return number }
        return nil
    }

    private func whole(_ operand: Operand) throws(Diagnostic) -> Int {
        let value = try evaluate(operand)
        guard case .integer(let number) = value else {
            throw Diagnostic(
                RuleID.badArgument, "arithmetic needs whole numbers, but this is '\(value.text)'", at: operand.location,
                help: "use numbers and names that hold them, e.g. CONV(4*C) with 'vars: {C: 96}'")
        }
        return number
    }

    /// One operation, checked: no overflow, no division by zero, and a quotient that is exact.
    private func compute(
        _ operation: ArithmeticOperator, _ left: Int, _ right: Int, at location: SourceLocation
    ) throws(Diagnostic) -> Int {
        let checked = Checked(location: location, what: "\(left) \(operation.rawValue) \(right)")
        switch operation {
        case .add: return try checked.add(left, right)
        case .subtract:
            let (difference, overflow) = left.subtractingReportingOverflow(right)
            guard !overflow else { throw checked.overflow }
            return difference
        case .multiply: return try checked.multiply(left, right)
        case .divide:
            guard right != 0 else {
                throw Diagnostic(
                    RuleID.badArgument, "division by zero: \(left) / 0", at: location, help: "divide by a whole number other than 0")
            }
            guard left % right == 0 else {
                let up = (left + right - 1) / right
                throw Diagnostic(
                    RuleID.badArgument,
                    "\(left) / \(right) is not a whole number (\(OutputSize.decimal(Double(left) / Double(right))))",
                    at: location,
                    help: "use a multiple of \(right) (such as \(up * right)), or write the rounding you mean: (a + \(right - 1))/\(right) rounds up")
            }
            return left / right
        }
    }

    /// A list variable is indexed by the repetitions around its use, outermost first.
    private func index(_ variable: VariableValue, name: String, at location: SourceLocation) throws(Diagnostic) -> Value {
        var current = variable
        var level = 0
        while case .list(let items) = current {
            guard level < repetitions.count else {
                throw Diagnostic(
                    RuleID.badArgument,
                    "'\(name)' is a list, but "
                        + (level == 0 ? "no repetition encloses" : "only \(level) repetition\(level == 1 ? "" : "s") enclose")
                        + " this use to pick an element",
                    at: location,
                    help: level == 0
                        ? "use it inside a repetition such as [ ... ]*\(items.count), or give '\(name)' a single value"
                        : "nest the use in one more repetition, or flatten '\(name)' by one level")
            }
            let repetition = repetitions[level]
            guard items.count == repetition.count else {
                throw Diagnostic(
                    RuleID.badArgument,
                    "'\(name)' has \(items.count) values at this level, but the repetition at line "
                        + "\(repetition.location.line):\(repetition.location.column) runs \(repetition.count) times",
                    at: location, help: "give '\(name)' exactly \(repetition.count) values, one per repetition")
            }
            current = items[repetition.index]
            level += 1
        }
        switch current {
        case .integer(let value): return .integer(value)
        case .decimal(let value): return .decimal(value)
        case .boolean(let value): return .boolean(value)
        case .list: fatalError("unreachable: the loop above unwraps lists")
        }
    }
}

extension Operand {
    var nameText: String {
        if case .name(let name) = form { return name }
        return "P"
    }
}
