/// Recursive-descent parser for the pattern grammar of SPEC §2.
struct PatternParser {
    /// Brackets and parentheses may nest this deep (SPEC §2).
    static let maxDepth = 256

    private let tokens: [Token]
    private let end: SourceLocation
    private var index = 0
    private var depth = 0

    init(tokens: [Token], end: SourceLocation) {
        self.tokens = tokens
        self.end = end
    }

    /// Parses a whole pattern; every token must be used.
    static func parse(_ tokens: [Token], end: SourceLocation) throws(Diagnostic) -> PatternNode {
        var parser = PatternParser(tokens: tokens, end: end)
        let chain = try parser.chain()
        if let extra = parser.peek {
            throw Diagnostic(
                RuleID.patternSyntax, "unexpected '\(extra.text)' after a complete pattern",
                at: extra.location, help: parser.hint(for: extra))
        }
        return chain
    }

    private var peek: Token? { index < tokens.count ? tokens[index] : nil }

    private mutating func take(_ kind: Token.Kind) -> Token? {
        guard let token = peek, token.kind == kind else { return nil }
        index += 1
        return token
    }

    private var here: SourceLocation { peek?.location ?? end }

    private func hint(for token: Token) -> String {
        switch token.kind {
        case .closeBracket, .closeParen: "this closes a bracket that was never opened; remove it"
        case .identifier, .openBracket, .openParen: "join layers with '->', e.g. 'CONV -> RELU'"
        default: "a pattern is layers joined by '->', such as 'INPUT -> [CONV -> RELU]*2 -> POOL'"
        }
    }

    mutating func chain() throws(Diagnostic) -> PatternNode {
        var terms = [try term()]
        while take(.arrow) != nil { terms.append(try term()) }
        return terms.count == 1 ? terms[0] : .chain(terms)
    }

    private mutating func term() throws(Diagnostic) -> PatternNode {
        let body = try atom()
        if let star = take(.star) {
            guard let count = peek, let operand = operand(count), operand.form.isCount else {
                throw Diagnostic(
                    RuleID.patternSyntax, "'*' must be followed by a repeat count",
                    at: peek?.location ?? star.location,
                    help: "write a number or a variable, e.g. '[CONV -> RELU]*3' or '[CONV -> RELU]*N'")
            }
            index += 1
            return .repeated(body, count: operand, location: operand.location)
        }
        if let question = take(.question) {
            if let token = peek, case .identifier = token.kind, let condition = operand(token) {
                index += 1
                return .optional(body, condition: condition, location: condition.location)
            }
            return .optional(body, condition: nil, location: question.location)
        }
        return body
    }

    private func operand(_ token: Token) -> Operand? {
        switch token.kind {
        case .integer(let value): Operand(form: .integer(value), location: token.location)
        case .decimal(let value): Operand(form: .decimal(value), location: token.location)
        case .dimensions(let values): Operand(form: .dimensions(values), location: token.location)
        case .identifier(let name): Operand(form: .name(name), location: token.location)
        default: nil
        }
    }

    private mutating func enter(_ opener: Token) throws(Diagnostic) {
        depth += 1
        if depth > Self.maxDepth {
            throw Diagnostic(
                RuleID.expansionLimit,
                "brackets nest deeper than \(Self.maxDepth) levels",
                at: opener.location, help: "flatten the pattern; no network needs this depth")
        }
    }

    private mutating func atom() throws(Diagnostic) -> PatternNode {
        guard let token = peek else {
            throw Diagnostic(
                RuleID.patternSyntax, "the pattern ends where a layer was expected", at: end,
                help: "remove the trailing '->' or add a layer after it")
        }
        switch token.kind {
        case .identifier(let name):
            index += 1
            return .call(try call(name: name, token: token))
        case .openBracket:
            index += 1
            try enter(token)
            let body = try chain()
            guard take(.closeBracket) != nil else {
                throw unclosed(token, expected: "]")
            }
            depth -= 1
            return body
        case .openParen:
            index += 1
            try enter(token)
            var branches = [try chain()]
            var merge: Merge?
            while let separator = peek, separator.kind == .pipe || separator.kind == .plus {
                let kind: Merge = separator.kind == .pipe ? .concat : .sum
                if let merge, merge != kind {
                    throw Diagnostic(
                        RuleID.patternSyntax, "a group mixes '|' (concatenate) and '+' (sum)",
                        at: separator.location,
                        help: "nest one group inside the other, e.g. '((A | B) + C)'")
                }
                merge = kind
                index += 1
                branches.append(try chain())
            }
            guard take(.closeParen) != nil else { throw unclosed(token, expected: ")") }
            depth -= 1
            guard let merge else { return branches[0] }
            return .group(branches, merge, location: token.location)
        case .arrow:
            throw Diagnostic(
                RuleID.patternSyntax, "'->' must stand between two layers", at: token.location,
                help: "remove the extra '->'")
        default:
            throw Diagnostic(
                RuleID.patternSyntax, "expected a layer, '[' or '(' but found '\(token.text)'",
                at: token.location,
                help: "a pattern is layers joined by '->', such as 'INPUT -> [CONV -> RELU]*2 -> POOL'")
        }
    }

    private func unclosed(_ opener: Token, expected: String) -> Diagnostic {
        let found = peek.map { "'\($0.text)'" } ?? "the end of the pattern"
        return Diagnostic(
            RuleID.patternSyntax, "'\(opener.text)' is not closed: expected '\(expected)' before \(found)",
            at: opener.location, help: "add '\(expected)' where the group ends")
    }

    private mutating func call(name: String, token: Token) throws(Diagnostic) -> Call {
        var call = Call(name: name, nameLocation: token.location, location: token.location, arguments: [])
        guard let open = take(.openParen) else { return call }
        try enter(open)
        defer { depth -= 1 }
        if let close = take(.closeParen) {
            call.location = token.location.through(close.location)
            return call
        }
        while true {
            guard let first = peek, let value = operand(first) else {
                throw Diagnostic(
                    RuleID.patternSyntax, "expected an argument of \(name)", at: here,
                    help: "arguments are values or NAME=value, e.g. CONV(64, F=3, S=1, P=1)")
            }
            index += 1
            if take(.equals) != nil {
                guard case .name(let label) = value.form else {
                    throw Diagnostic(
                        RuleID.patternSyntax, "'\(first.text)' cannot name an argument", at: first.location,
                        help: "argument names are words, e.g. F=3")
                }
                guard let valueToken = peek, let argument = operand(valueToken) else {
                    throw Diagnostic(
                        RuleID.patternSyntax, "expected a value after '\(label)='", at: here,
                        help: "for example \(label)=3")
                }
                index += 1
                call.arguments.append(Argument(label: label, labelLocation: first.location, value: argument))
            } else {
                call.arguments.append(Argument(label: nil, labelLocation: nil, value: value))
            }
            if take(.comma) != nil { continue }
            if let close = take(.closeParen) {
                call.location = token.location.through(close.location)
                return call
            }
            throw Diagnostic(
                RuleID.patternSyntax, "expected ',' or ')' in the arguments of \(name)", at: here,
                help: "separate arguments with ',' and close them with ')'")
        }
    }
}

extension Operand.Form {
    var isCount: Bool {
        switch self {
        case .integer, .name: true
        default: false
        }
    }
}
