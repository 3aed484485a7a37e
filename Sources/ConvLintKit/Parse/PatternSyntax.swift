/// The syntax tree of a pattern such as `INPUT -> [[CONV(F) -> RELU]*N -> POOL]*5`.
indirect enum PatternNode: Sendable {
    /// A layer (`CONV(64, F=3)`) or a block call (`basic(64)`); which one is decided when
    /// expanding, since blocks are named in the file.
    case call(Call)
    /// Terms joined by `->`.
    case chain([PatternNode])
    /// `X*N`: the body repeated; `location` is the count's token.
    case repeated(PatternNode, count: Operand, location: SourceLocation)
    /// `X?` or `X?P`.
    case optional(PatternNode, condition: Operand?, location: SourceLocation)
    /// `(A | B)`, `(A + B)` or `(A * B)`; `location` is the `(`.
    case group([PatternNode], Merge, location: SourceLocation)
}

/// How a branch group merges its branches.
enum Merge: String, Sendable {
    /// `|`: concatenated along depth.
    case concat = "CONCAT"
    /// `+`: summed elementwise.
    case sum = "ADD"
    /// `*`: multiplied elementwise, broadcasting 1x1xC over WxHxC (a squeeze-excitation gate).
    case product = "MUL"

    init?(separator: Token.Kind) {
        switch separator {
        case .pipe: self = .concat
        case .plus: self = .sum
        case .star: self = .product
        default: return nil
        }
    }

    var separator: String {
        switch self {
        case .concat: "|"
        case .sum: "+"
        case .product: "*"
        }
    }

    var verb: String {
        switch self {
        case .concat: "concatenate"
        case .sum: "sum"
        case .product: "multiply"
        }
    }
}

/// `KIND(args)` or `block(args)`.
struct Call {
    var name: String
    var nameLocation: SourceLocation
    /// From the name to the closing parenthesis, for underlining.
    var location: SourceLocation
    var arguments: [Argument]
}

/// One argument: positional (`64`) or named (`F=3`).
struct Argument: Sendable {
    var label: String?
    var labelLocation: SourceLocation?
    var value: Operand
}

/// A value as written: a literal, a name to look up (block parameter, variable, keyword), or
/// integer arithmetic on them (`4*C`, `C/4`, `N-1`).
struct Operand: Equatable, Sendable {
    indirect enum Form: Equatable {
        case integer(Int)
        case decimal(Double)
        case dimensions([Int])
        case name(String)
        case arithmetic(ArithmeticOperator, Operand, Operand)
    }

    var form: Form
    var location: SourceLocation
}

/// `+`, `-`, `*` and `/` on whole numbers, with the usual precedence; `/` must divide exactly.
enum ArithmeticOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
}
