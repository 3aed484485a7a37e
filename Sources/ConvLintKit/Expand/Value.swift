/// A pattern value after names are looked up.
enum Value: Equatable {
    case integer(Int)
    case decimal(Double)
    case dimensions([Int])
    case boolean(Bool)
    /// `same`, `valid`, `floor`, `ceil`, `strict`.
    case keyword(String)

    static let keywords = [
        "same", "valid", "true", "false", "floor", "ceil", "strict", "nearest", "bilinear", "image", "channels",
    ]

    /// A keyword value, or nil when `name` is none.
    static func keyword(named name: String) -> Value? {
        switch name.lowercased() {
        case "true": .boolean(true)
        case "false": .boolean(false)
        case let word where keywords.contains(word): .keyword(word)
        default: nil
        }
    }

    var text: String {
        switch self {
        case .integer(let value): String(value)
        case .decimal(let value): String(value)
        case .dimensions(let values): values.map(String.init).joined(separator: "x")
        case .boolean(let value): String(value)
        case .keyword(let word): word
        }
    }
}
