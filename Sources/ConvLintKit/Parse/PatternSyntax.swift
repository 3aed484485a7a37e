/// The syntax tree of a pattern such as `INPUT -> [[CONV(F) -> RELU]*N -> POOL]*5`.
indirect enum PatternNode {
    /// A layer (`CONV(64, F=3)`) or a block call (`basic(64)`); which one is decided when
    /// expanding, since blocks are named in the file.
    case call(Call)
    /// Terms joined by `->`.
    case chain([PatternNode])
    /// `X*N`: the body repeated; `location` is the count's token.
    case repeated(PatternNode, count: Operand, location: SourceLocation)
    /// `X?` or `X?P`.
    case optional(PatternNode, condition: Operand?, location: SourceLocation)
    /// `(A | B)` or `(A + B)`; `location` is the `(`.
    case group([PatternNode], Merge, location: SourceLocation)
}

/// How a branch group merges its branches.
enum Merge: String, Sendable {
    /// `|`: concatenated along depth.
    case concat = "CONCAT"
    /// `+`: summed elementwise.
    case sum = "ADD"
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
struct Argument {
    var label: String?
    var labelLocation: SourceLocation?
    var value: Operand
}

/// A value as written: a literal or a name to look up (block parameter, variable, keyword).
struct Operand {
    enum Form: Equatable {
        case integer(Int)
        case decimal(Double)
        case dimensions([Int])
        case name(String)
    }

    var form: Form
    var location: SourceLocation
}
