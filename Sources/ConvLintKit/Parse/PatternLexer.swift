/// A token of the pattern grammar (SPEC §2).
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case integer(Int)
        case decimal(Double)
        /// `WxH` or `WxHxD`.
        case dimensions([Int])
        case arrow, star, question, comma, equals, pipe, plus, minus, slash
        case openBracket, closeBracket, openParen, closeParen
    }

    var kind: Kind
    var location: SourceLocation

    var text: String {
        switch kind {
        case .identifier(let name): name
        case .integer(let value): String(value)
        case .decimal(let value): String(value)
        case .dimensions(let values): values.map(String.init).joined(separator: "x")
        case .arrow: "->"
        case .star: "*"
        case .question: "?"
        case .comma: ","
        case .equals: "="
        case .pipe: "|"
        case .plus: "+"
        case .minus: "-"
        case .slash: "/"
        case .openBracket: "["
        case .closeBracket: "]"
        case .openParen: "("
        case .closeParen: ")"
        }
    }
}

/// Splits pattern text into tokens, each with its source location.
struct PatternLexer {
    /// Integers in a pattern stay far below the point where products of a few of them could
    /// overflow unnoticed; bigger literals are typos or attacks.

    let text: PatternText
    private var index = 0
    /// Whether the last token ends an operand, after which `-1` is a subtraction, not a literal.
    private var afterOperand = false

    init(_ text: PatternText) { self.text = text }

    static func tokenize(_ text: PatternText) throws(Diagnostic) -> [Token] {
        var lexer = PatternLexer(text)
        var tokens = [Token]()
        while let token = try lexer.next() { tokens.append(token) }
        return tokens
    }

    private var scalars: [Unicode.Scalar] { text.scalars }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    /// The text scanned since `start`.
    private func text(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<index]))
    }

    private func span(from start: Int) -> SourceLocation {
        text.location(at: start).through(text.location(at: index - 1))
    }

    mutating func next() throws(Diagnostic) -> Token? {
        let token = try scan()
        switch token?.kind {
        case .identifier, .integer, .decimal, .dimensions, .closeParen: afterOperand = true
        default: afterOperand = false
        }
        return token
    }

    private mutating func scan() throws(Diagnostic) -> Token? {
        while let scalar = peek(), scalar.properties.isWhitespace { index += 1 }
        guard let scalar = peek() else { return nil }
        let start = index
        func single(_ kind: Token.Kind) -> Token {
            index += 1
            return Token(kind: kind, location: text.location(at: start))
        }
        switch scalar {
        case "-" where peek(1) == ">":
            index += 2
            return Token(kind: .arrow, location: span(from: start))
        case "-" where peek(1).map(Self.isDigit) == true && !afterOperand:
            index += 1
            return try number(from: start, negative: true)
        case "-": return single(.minus)
        case "/": return single(.slash)
        case "*": return single(.star)
        case "?": return single(.question)
        case ",": return single(.comma)
        case "=": return single(.equals)
        case "|": return single(.pipe)
        case "+": return single(.plus)
        case "[": return single(.openBracket)
        case "]": return single(.closeBracket)
        case "(": return single(.openParen)
        case ")": return single(.closeParen)
        default:
            if Self.isDigit(scalar) { return try number(from: start, negative: false) }
            if Self.isIdentifierStart(scalar) { return identifier(from: start) }
            throw Diagnostic(
                RuleID.patternSyntax, "unexpected character '\(scalar)' in the pattern",
                at: text.location(at: start),
                help: "a pattern is made of layers joined by '->', such as 'CONV(64) -> RELU -> POOL'")
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }
    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    /// `[A-Za-z_][A-Za-z0-9_]*('-'[A-Za-z0-9_]+)*`, where `->` always ends the identifier.
    private mutating func identifier(from start: Int) -> Token {
        while true {
            while let scalar = peek(), Self.isIdentifierPart(scalar) { index += 1 }
            if peek() == "-", let after = peek(1), Self.isIdentifierPart(after) {
                index += 1
                continue
            }
            break
        }
        return Token(kind: .identifier(text(from: start)), location: span(from: start))
    }

    private mutating func digits(from start: Int) throws(Diagnostic) -> Int {
        let digitsStart = index
        var value = 0
        while let scalar = peek(), Self.isDigit(scalar) {
            index += 1
            value = value * 10 + Int(scalar.value - 48)
            if value > Limits.integerLiteral {
                while let more = peek(), Self.isDigit(more) { index += 1 }
                throw Diagnostic(
                    RuleID.patternSyntax,
                    "the number \(text(from: digitsStart)) is too large",
                    at: span(from: start),
                    help: "numbers in a pattern must be at most \(Limits.integerLiteral.grouped)")
            }
        }
        return value
    }

    private mutating func number(from start: Int, negative: Bool) throws(Diagnostic) -> Token {
        let sign = negative ? -1 : 1
        let first = try digits(from: start) * sign
        if peek() == ".", peek(1).map(Self.isDigit) == true {
            index += 1
            _ = try digits(from: start)
            return Token(kind: .decimal(Double(text(from: start)) ?? 0), location: span(from: start))
        }
        var dimensions = [first]
        while peek() == "x" || peek() == "X", peek(1).map(Self.isDigit) == true {
            index += 1
            dimensions.append(try digits(from: start))
        }
        if let scalar = peek(), Self.isIdentifierStart(scalar) {
            while let more = peek(), Self.isIdentifierPart(more) { index += 1 }
            throw Diagnostic(
                RuleID.patternSyntax,
                "'\(text(from: start))' is neither a number nor a name",
                at: span(from: start),
                help: "sizes are written like 224x224x3; names start with a letter")
        }
        let kind: Token.Kind = dimensions.count == 1 ? .integer(first) : .dimensions(dimensions)
        return Token(kind: kind, location: span(from: start))
    }
}
