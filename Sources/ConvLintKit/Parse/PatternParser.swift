/// Recursive-descent parser for the pattern grammar of SPEC §2.
struct PatternParser {
    /// Brackets and parentheses may nest this deep (SPEC §2).

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
        case .star: "branches multiplied together (a gate) go in parentheses, e.g. '(ID * GAP -> CONV(16, F=1) -> SIGMOID)'"
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
        if let star = peek, star.kind == .star, !startsProductBranch(at: index + 1) {
            index += 1
            guard let operand = try countOperand() else {
                throw Diagnostic(
                    RuleID.patternSyntax, "'*' must be followed by a repeat count",
                    at: peek?.location ?? star.location,
                    help: "write a number or a variable, e.g. '[CONV -> RELU]*3', '[CONV -> RELU]*N' or '[CONV]*(N-1)'")
            }
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

    /// Whether the `*` before `position` multiplies branches, as a gate does (`(ID * GAP -> …)`),
    /// rather than repeating: it does when a layer, a call, a bracket or a group follows, not a
    /// count (a number, a variable, or arithmetic in parentheses).
    private func startsProductBranch(at position: Int) -> Bool {
        guard position < tokens.count else { return false }
        switch tokens[position].kind {
        case .identifier(let name):
            let isCall = position + 1 < tokens.count && tokens[position + 1].kind == .openParen
            return isCall || LayerKind(name: name) != nil || PaperName.layer(named: name) != nil
        case .openBracket:
            return true
        case .openParen:
            var nesting = 0
            for token in tokens[position...] {
                switch token.kind {
                case .openParen: nesting += 1
                case .closeParen:
                    nesting -= 1
                    if nesting == 0 { return false }
                case .identifier(let name) where LayerKind(name: name) == nil && PaperName.layer(named: name) == nil: break
                case .integer, .plus, .minus, .star, .slash: break
                default: return true
                }
            }
            return false
        default:
            return false
        }
    }

    /// A repeat count: a number, a name, or arithmetic in parentheses.
    private mutating func countOperand() throws(Diagnostic) -> Operand? {
        guard let token = peek else { return nil }
        if token.kind == .openParen { return try factor() }
        guard let count = operand(token), count.form.isCount else { return nil }
        index += 1
        return count
    }

    /// `a + b - c`: sums of products, left to right.
    private mutating func expression() throws(Diagnostic) -> Operand? {
        guard var left = try product() else { return nil }
        while let sign = peek, sign.kind == .plus || sign.kind == .minus {
            index += 1
            guard let right = try product() else { throw missingOperand(after: sign) }
            left = Operand(
                form: .arithmetic(sign.kind == .plus ? .add : .subtract, left, right),
                location: left.location.through(right.location))
        }
        return left
    }

    /// `a * b / c`, left to right.
    private mutating func product() throws(Diagnostic) -> Operand? {
        guard var left = try factor() else { return nil }
        while let sign = peek, sign.kind == .star || sign.kind == .slash {
            index += 1
            guard let right = try factor() else { throw missingOperand(after: sign) }
            left = Operand(
                form: .arithmetic(sign.kind == .star ? .multiply : .divide, left, right),
                location: left.location.through(right.location))
        }
        return left
    }

    /// A literal, a name, or `(expression)`.
    private mutating func factor() throws(Diagnostic) -> Operand? {
        guard let token = peek else { return nil }
        guard token.kind == .openParen else {
            guard let value = operand(token) else { return nil }
            index += 1
            return value
        }
        index += 1
        try enter(token)
        guard let inner = try expression() else { throw missingOperand(after: token) }
        guard let close = take(.closeParen) else { throw unclosed(token, expected: ")") }
        depth -= 1
        return Operand(form: inner.form, location: token.location.through(close.location))
    }

    private func missingOperand(after token: Token) -> Diagnostic {
        Diagnostic(
            RuleID.patternSyntax, "expected a number or a name after '\(token.text)'", at: peek?.location ?? token.location,
            help: "arithmetic is on whole numbers and names, e.g. CONV(4*C), CONV(C/4) or [X]*(N-1)")
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
        if depth > Limits.nesting {
            throw Diagnostic(
                RuleID.expansionLimit,
                "brackets nest deeper than \(Limits.nesting) levels",
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
            while let separator = peek, let kind = Merge(separator: separator.kind) {
                if let merge, merge != kind {
                    throw Diagnostic(
                        RuleID.patternSyntax,
                        "a group mixes '\(merge.separator)' (\(merge.verb)) and '\(kind.separator)' (\(kind.verb))",
                        at: separator.location,
                        help: "nest one group inside the other, e.g. '((A \(merge.separator) B) \(kind.separator) C)'")
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
            guard let first = peek else {
                throw Diagnostic(
                    RuleID.patternSyntax, "expected an argument of \(name)", at: here,
                    help: "arguments are values or NAME=value, e.g. CONV(64, F=3, S=1, P=1)")
            }
            if case .identifier(let label) = first.kind, index + 1 < tokens.count, tokens[index + 1].kind == .equals {
                index += 2
                guard let argument = try expression() else {
                    throw Diagnostic(
                        RuleID.patternSyntax, "expected a value after '\(label)='", at: here,
                        help: "for example \(label)=3")
                }
                call.arguments.append(Argument(label: label, labelLocation: first.location, value: argument))
            } else {
                guard let value = try expression() else {
                    throw Diagnostic(
                        RuleID.patternSyntax, "expected an argument of \(name)", at: here,
                        help: "arguments are values or NAME=value, e.g. CONV(64, F=3, S=1, P=1)")
                }
                if peek?.kind == .equals {
                    throw Diagnostic(
                        RuleID.patternSyntax, "'\(first.text)' cannot name an argument", at: first.location,
                        help: "argument names are words, e.g. F=3")
                }
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
        case .integer, .name, .arithmetic: true
        case .decimal, .dimensions: false
        }
    }
}
