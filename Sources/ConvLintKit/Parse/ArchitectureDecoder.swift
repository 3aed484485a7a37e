/// Turns the YAML of an architecture file into an `ArchitectureFile`, checking keys and types
/// and parsing every pattern string with its token locations.
struct ArchitectureDecoder {
    static let topLevelKeys = ["name", "input", "batch", "dtype", "rounding", "defaults", "vars", "blocks", "network"]

    let source: SourceFile

    func decode(_ root: YAMLNode?) throws(Diagnostic) -> ArchitectureFile {
        guard let root else {
            throw Diagnostic(
                RuleID.fileFormat, "the file is empty", at: SourceLocation(line: 1, column: 1),
                help: "an architecture file needs at least 'input: 32x32x3' and 'network: INPUT -> CONV(16) -> RELU -> FC(10)'")
        }
        guard case .mapping(let pairs) = root.content else {
            throw Diagnostic(
                RuleID.fileFormat, "an architecture file is a map of keys, but this is \(root.kindName)",
                at: root.location, help: "start with keys such as 'name:', 'input:' and 'network:'")
        }
        var seen = [String: SourceLocation]()
        var name: String?
        var input: Located<[Int]>?
        var batch: Located<Int>?
        var dtype: Located<DType>?
        var rounding: Located<Rounding>?
        var defaults = [String: Located<[Argument]>]()
        var variables = [String: Located<VariableValue>]()
        var blocks = [String: BlockDefinition]()
        var network: (PatternNode, SourceLocation)?
        for (keyNode, value) in pairs {
            let key = try keyString(keyNode)
            if let first = seen[key] {
                throw Diagnostic(
                    RuleID.fileFormat, "duplicate key '\(key)'", at: keyNode.location.withLength(key),
                    help: "'\(key)' is already set at line \(first.line); keep one of them")
            }
            seen[key] = keyNode.location
            switch key {
            case "name": name = try scalar(value, for: key)
            case "input": input = try shape(value)
            case "batch":
                batch = Located(
                    value: try positiveInteger(value, for: key), location: value.location.withLength(value.scalar ?? ""))
            case "dtype": dtype = Located(value: try choice(value, for: key), location: value.location)
            case "rounding": rounding = Located(value: try choice(value, for: key), location: value.location)
            case "defaults": defaults = try decodeDefaults(value)
            case "vars": variables = try decodeVariables(value)
            case "blocks": blocks = try decodeBlocks(value)
            case "network": network = (try decodeNetwork(value), value.location)
            default:
                throw Diagnostic(
                    RuleID.fileFormat,
                    "unknown key '\(key)'\(Suggestion.phrase(for: key, among: Self.topLevelKeys))",
                    at: keyNode.location.withLength(key),
                    help: "the keys are: \(Self.topLevelKeys.joined(separator: ", "))")
            }
        }
        guard let network else {
            throw Diagnostic(
                RuleID.fileFormat, "the file has no 'network' key", at: root.location,
                help: "add a pattern, e.g. 'network: INPUT -> [CONV(32) -> RELU -> POOL]*2 -> FC(10)'")
        }
        return ArchitectureFile(
            name: name, input: input, batch: batch, dtype: dtype, rounding: rounding,
            defaults: defaults, variables: variables, blocks: blocks,
            network: network.0, networkLocation: network.1)
    }

    // MARK: Scalars

    private func keyString(_ node: YAMLNode) throws(Diagnostic) -> String {
        guard let key = node.scalar else {
            throw Diagnostic(
                RuleID.fileFormat, "a key must be plain text, but this is \(node.kindName)",
                at: node.location, help: "write keys as words, e.g. 'network:'")
        }
        return key
    }

    private func scalar(_ node: YAMLNode, for key: String) throws(Diagnostic) -> String {
        guard let text = node.scalar else {
            throw Diagnostic(
                RuleID.fileFormat, "'\(key)' must be a single value, but it is \(node.kindName)",
                at: node.location, help: nil)
        }
        return text
    }

    private func integer(_ node: YAMLNode, for key: String) throws(Diagnostic) -> Int {
        let text = try scalar(node, for: key)
        guard let value = Self.parseInteger(text) else {
            let digits = text.drop { $0 == "-" || $0 == "+" }
            let tooLarge = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
            throw Diagnostic(
                RuleID.fileFormat,
                tooLarge ? "'\(key)' is too large: \(text)" : "'\(key)' must be an integer, but it is '\(text)'",
                at: node.location.withLength(text),
                help: tooLarge ? "numbers must be at most \(Limits.integerLiteral.grouped)" : nil)
        }
        return value
    }

    private func positiveInteger(_ node: YAMLNode, for key: String) throws(Diagnostic) -> Int {
        let value = try integer(node, for: key)
        guard value >= 1 else {
            throw Diagnostic(
                RuleID.fileFormat, "'\(key)' must be at least 1, but it is \(value)",
                at: node.location, help: nil)
        }
        return value
    }

    /// `0.25`, `.5`: finite decimals as YAML writes them.
    static func parseDecimal(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.contains("."), trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
            let value = Double(trimmed), value.isFinite
        else { return nil }
        return value
    }

    static func parseInteger(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 13, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let value = Int(text), abs(value) <= Limits.integerLiteral
        else { return nil }
        return value
    }

    static func parseBoolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: YAMLNode, for key: String
    ) throws(Diagnostic) -> Choice where Choice.RawValue == String {
        let text = try scalar(node, for: key)
        if let value = Choice.named(text) { return value }
        throw Diagnostic(
            RuleID.fileFormat,
            "'\(text)' is not a valid \(key)\(Suggestion.phrase(for: text, among: Choice.allCases.map(\.rawValue)))",
            at: node.location.withLength(text), help: "use one of: \(Choice.names)")
    }

    /// `224x224x3` or `[224, 224, 3]`.
    private func shape(_ node: YAMLNode) throws(Diagnostic) -> Located<[Int]> {
        let help = "write the input as W x H x D, e.g. 'input: 224x224x3' or 'input: [224, 224, 3]'"
        var dimensions: [Int]
        switch node.content {
        case .sequence(let items):
            dimensions = []
            for item in items { dimensions.append(try integer(item, for: "input")) }
        case .scalar:
            let operand = try singleOperand(node, for: "input")
            switch operand.form {
            case .dimensions(let values): dimensions = values
            case .integer(let value): dimensions = [value]
            default: dimensions = []
            }
        case .mapping:
            throw Diagnostic(RuleID.fileFormat, "'input' must be a shape, not a map", at: node.location, help: help)
        }
        guard dimensions.count == 3 else {
            throw Diagnostic(
                RuleID.fileFormat, "'input' needs three dimensions (W x H x D), got \(dimensions.count)",
                at: node.location, help: help)
        }
        return Located(value: dimensions, location: node.location)
    }

    /// A YAML scalar read as one pattern operand (`3`, `3x3`, `same`, `0.5`).
    func singleOperand(_ node: YAMLNode, for key: String) throws(Diagnostic) -> Operand {
        let text = PatternText(node: node, in: source)
        let tokens = try PatternLexer.tokenize(text)
        let operand: Operand? =
            switch tokens.first?.kind {
            case .integer(let v) where tokens.count == 1: Operand(form: .integer(v), location: tokens[0].location)
            case .decimal(let v) where tokens.count == 1: Operand(form: .decimal(v), location: tokens[0].location)
            case .dimensions(let v) where tokens.count == 1:
                Operand(form: .dimensions(v), location: tokens[0].location)
            case .identifier(let v) where tokens.count == 1: Operand(form: .name(v), location: tokens[0].location)
            default: nil
            }
        guard let operand else {
            throw Diagnostic(
                RuleID.fileFormat, "'\(key)' must be a single value such as 3, 3x3, same or true",
                at: node.location, help: nil)
        }
        return operand
    }

    // MARK: Sections

    private func mapping(_ node: YAMLNode, for key: String, help: String) throws(Diagnostic) -> [(
        key: YAMLNode, value: YAMLNode
    )] {
        guard case .mapping(let pairs) = node.content else {
            throw Diagnostic(
                RuleID.fileFormat, "'\(key)' must be a map, but it is \(node.kindName)", at: node.location,
                help: help)
        }
        var seen = Set<String>()
        for pair in pairs {
            let name = try keyString(pair.key)
            guard seen.insert(name.lowercased()).inserted else {
                throw Diagnostic(
                    RuleID.fileFormat, "duplicate key '\(name)' in '\(key)'",
                    at: pair.key.location.withLength(name), help: "keep one of them")
            }
        }
        return pairs
    }

    private func decodeDefaults(_ node: YAMLNode) throws(Diagnostic) -> [String: Located<[Argument]>] {
        let help = "for example 'defaults: {CONV: {size: 3, stride: 1, pad: 1}, POOL: {size: 2, stride: 2}}'"
        var defaults = [String: Located<[Argument]>]()
        for (kindNode, arguments) in try mapping(node, for: "defaults", help: help) {
            let kindName = try keyString(kindNode)
            guard let kind = LayerKind(name: kindName), kind.isCallable else {
                throw Diagnostic(
                    RuleID.unknownName,
                    "unknown layer kind '\(kindName)' in 'defaults'" + KindCatalog.suggestion(for: kindName, among: []),
                    at: kindNode.location.withLength(kindName), help: help)
            }
            var list = [Argument]()
            for (labelNode, valueNode) in try mapping(arguments, for: "defaults.\(kindName)", help: help) {
                let label = try keyString(labelNode)
                list.append(
                    Argument(
                        label: label, labelLocation: labelNode.location.withLength(label),
                        value: try singleOperand(valueNode, for: label)))
            }
            defaults[kind.rawValue] = Located(value: list, location: kindNode.location.withLength(kindName))
        }
        return defaults
    }

    private func decodeVariables(_ node: YAMLNode) throws(Diagnostic) -> [String: Located<VariableValue>] {
        let help = "for example 'vars: {N: 2, F: [64, 128, 256], BN: true}'"
        var variables = [String: Located<VariableValue>]()
        for (nameNode, valueNode) in try mapping(node, for: "vars", help: help) {
            let name = try keyString(nameNode)
            guard let first = name.unicodeScalars.first, PatternLexer.isIdentifierStart(first),
                name.unicodeScalars.allSatisfy(PatternLexer.isIdentifierPart)
            else {
                throw Diagnostic(
                    RuleID.fileFormat, "'\(name)' is not a valid variable name",
                    at: nameNode.location.withLength(name), help: "names are letters, digits and '_', e.g. N or F_1")
            }
            variables[name] = Located(value: try variableValue(valueNode, name: name), location: nameNode.location)
        }
        return variables
    }

    func variableValue(_ node: YAMLNode, name: String) throws(Diagnostic) -> VariableValue {
        switch node.content {
        case .scalar(let text, _):
            if let value = Self.parseInteger(text) { return .integer(value) }
            if let value = Self.parseBoolean(text) { return .boolean(value) }
            if let value = Self.parseDecimal(text) { return .decimal(value) }
            throw Diagnostic(
                RuleID.fileFormat, "variable '\(name)' must be an integer, a decimal, a boolean or a list, not '\(text)'",
                at: node.location.withLength(text), help: nil)
        case .sequence(let items):
            var values = [VariableValue]()
            for item in items { values.append(try variableValue(item, name: name)) }
            return .list(values)
        case .mapping:
            throw Diagnostic(
                RuleID.fileFormat, "variable '\(name)' must be an integer, a decimal, a boolean or a list, not a map",
                at: node.location, help: nil)
        }
    }

    private func decodeBlocks(_ node: YAMLNode) throws(Diagnostic) -> [String: BlockDefinition] {
        let help = "for example 'blocks: {basic(C): (CONV(C) -> BN -> RELU -> CONV(C) -> BN + ID) -> RELU}'"
        var blocks = [String: BlockDefinition]()
        for (signatureNode, bodyNode) in try mapping(node, for: "blocks", help: help) {
            let signature = try keyString(signatureNode)
            let tokens = try PatternLexer.tokenize(PatternText(node: signatureNode, in: source))
            guard case .identifier(let name) = tokens.first?.kind else {
                throw Diagnostic(
                    RuleID.patternSyntax, "'\(signature)' is not a block name", at: signatureNode.location,
                    help: help)
            }
            if LayerKind(name: name) != nil || PaperName.layer(named: name) != nil {
                throw Diagnostic(
                    RuleID.fileFormat, "a block may not be named like the layer kind '\(name)'",
                    at: tokens[0].location, help: "rename the block, e.g. '\(name.lowercased())_block'")
            }
            let parameters = try blockParameters(tokens, signature: signature)
            guard blocks[name] == nil else {
                throw Diagnostic(
                    RuleID.fileFormat, "block '\(name)' is defined twice", at: tokens[0].location,
                    help: "keep one definition")
            }
            blocks[name] = BlockDefinition(
                name: name, location: tokens[0].location, parameters: parameters,
                body: try pattern(bodyNode, for: "block '\(name)'"))
        }
        return blocks
    }

    /// `name` or `name(A, B)`.
    private func blockParameters(_ tokens: [Token], signature: String) throws(Diagnostic) -> [String] {
        guard tokens.count > 1 else { return [] }
        var parameters = [String]()
        var index = 1
        func fail(_ at: SourceLocation) -> Diagnostic {
            Diagnostic(
                RuleID.patternSyntax, "malformed block signature '\(signature)'", at: at,
                help: "write 'name(P, Q)': parameter names in parentheses, separated by commas")
        }
        guard tokens[index].kind == .openParen else { throw fail(tokens[index].location) }
        index += 1
        while index < tokens.count {
            guard case .identifier(let parameter) = tokens[index].kind else { throw fail(tokens[index].location) }
            if parameters.contains(parameter) {
                throw Diagnostic(
                    RuleID.fileFormat, "parameter '\(parameter)' appears twice", at: tokens[index].location,
                    help: nil)
            }
            parameters.append(parameter)
            index += 1
            guard index < tokens.count else { break }
            if tokens[index].kind == .comma {
                index += 1
            } else if tokens[index].kind == .closeParen, index == tokens.count - 1 {
                return parameters
            } else {
                throw fail(tokens[index].location)
            }
        }
        throw fail(tokens.last!.location)
    }

    /// One pattern string, or a list of them chained with `->`.
    private func decodeNetwork(_ node: YAMLNode) throws(Diagnostic) -> PatternNode {
        switch node.content {
        case .scalar:
            return try pattern(node, for: "network")
        case .sequence(let items):
            // `network: [CONV -> RELU]*2` is a flow sequence to YAML, not a pattern.
            if node.start < source.scalars.count, source.scalars[node.start] == "[" {
                throw YAMLShapeMistake.diagnostic(for: node, in: source)
            }
            guard !items.isEmpty else {
                throw Diagnostic(
                    RuleID.fileFormat, "'network' is an empty list", at: node.location,
                    help: "list the stages, e.g. '- INPUT -> CONV(32) -> RELU'")
            }
            var tokens = [Token]()
            for item in items {
                guard item.scalar != nil else { throw YAMLShapeMistake.diagnostic(for: item, in: source) }
                var line = try PatternLexer.tokenize(PatternText(node: item, in: source))
                guard !line.isEmpty else {
                    throw Diagnostic(
                        RuleID.patternSyntax, "this stage of 'network' is empty", at: item.location,
                        help: "remove the empty item")
                }
                // Stages are chained with '->'; one written at a stage's end or start is the same.
                if let last = tokens.last, last.kind != .arrow, line[0].kind != .arrow {
                    tokens.append(Token(kind: .arrow, location: line[0].location))
                }
                if tokens.isEmpty, line[0].kind == .arrow { line.removeFirst() }
                tokens.append(contentsOf: line)
            }
            let end = items.last.map { PatternText(node: $0, in: source).endLocation } ?? node.location
            return try PatternParser.parse(tokens, end: end)
        case .mapping:
            throw YAMLShapeMistake.diagnostic(for: node, in: source)
        }
    }

    private func pattern(_ node: YAMLNode, for what: String) throws(Diagnostic) -> PatternNode {
        guard node.scalar != nil else { throw YAMLShapeMistake.diagnostic(for: node, in: source) }
        let text = PatternText(node: node, in: source)
        let tokens = try PatternLexer.tokenize(text)
        guard !tokens.isEmpty else {
            throw Diagnostic(
                RuleID.patternSyntax, "\(what) is empty", at: node.location,
                help: "write a pattern, e.g. 'INPUT -> CONV(32) -> RELU -> FC(10)'")
        }
        do {
            return try PatternParser.parse(tokens, end: text.endLocation)
        } catch {
            throw splitAtComma(node) ?? error
        }
    }

    /// In a flow map (`{b: CONV(8, F=3)}`) YAML ends a plain value at its first comma, which
    /// leaves a pattern cut in two; say so rather than blame the pattern.
    private func splitAtComma(_ node: YAMLNode) -> Diagnostic? {
        guard case .scalar(let text, .plain) = node.content else { return nil }
        var index = node.end
        while index < source.scalars.count, source.scalars[index] == " " { index += 1 }
        guard index < source.scalars.count, source.scalars[index] == "," else { return nil }
        return Diagnostic(
            RuleID.unquotedPattern, "YAML ends this pattern at the comma after '\(text)'",
            at: source.location(ofIndex: index),
            help: "inside { } a comma separates entries: quote the pattern, or write the map one entry per line")
    }
}

extension SourceLocation {
    /// The same start, underlining `text`.
    func withLength(_ text: String) -> SourceLocation {
        SourceLocation(line: line, column: column, length: text.unicodeScalars.count)
    }
}
