/// A figure of a sweep's result that `--where` compares and `--sort` orders by.
public enum SweepKey: Sendable, Equatable {
    case params, macs, flops, forwardBytes, trainingBytes, largestBatch
    /// A varied setting, by its position in the grid; its values must be numbers.
    case axis(Int)

    public static let figures: [(String, SweepKey)] = [
        ("params", .params), ("macs", .macs), ("flops", .flops), ("forward_bytes", .forwardBytes),
        ("training_bytes", .trainingBytes), ("largest_batch", .largestBatch),
    ]

    /// A figure's name, or a varied setting's.
    public init(name: String, grid: SweepGrid) throws(SweepError) {
        if let figure = Self.figures.first(where: { $0.0 == name.lowercased() }) {
            self = figure.1
        } else if let position = grid.axes.firstIndex(where: { $0.name == name }) {
            guard grid.axes[position].values.allSatisfy({ Double($0) != nil }) else {
                throw SweepError("'\(name)' takes values that are not numbers, so it cannot be compared or sorted")
            }
            self = .axis(position)
        } else {
            let known = Self.figures.map(\.0) + grid.axes.map(\.name)
            throw SweepError("unknown figure '\(name)'\(Suggestion.phrase(for: name, among: known)); one of \(known.joined(separator: ", "))")
        }
    }

    /// The figure for `result`; nil when it has none (an invalid combination, no --gpu-memory).
    public func value(of result: SweepResult) -> Double? {
        if case .axis(let position) = self { return Double(result.values[position]) }
        guard result.isValid else { return nil }
        return switch self {
        case .params: Double(result.params)
        case .macs: Double(result.macs)
        case .flops: 2 * Double(result.macs)
        case .forwardBytes: Double(result.forwardBytes)
        case .trainingBytes: Double(result.trainingBytes)
        case .largestBatch: result.largestBatch.map(Double.init)
        case .axis: nil
        }
    }
}

/// `--where`: comparisons of figures joined by `and`, `or` and `not`, with parentheses:
/// `params < 20M and training_bytes < 12GiB`, `valid`, `invalid or macs >= 1.5G`.
public indirect enum SweepFilter: Sendable {
    case compare(SweepKey, Comparison, Double)
    case valid
    case all([SweepFilter])
    case any([SweepFilter])
    case not(SweepFilter)

    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">"
    }

    public func matches(_ result: SweepResult) -> Bool {
        switch self {
        case .valid: return result.isValid
        case .all(let filters): return filters.allSatisfy { $0.matches(result) }
        case .any(let filters): return filters.contains { $0.matches(result) }
        case .not(let filter): return !filter.matches(result)
        case .compare(let key, let comparison, let bound):
            guard let value = key.value(of: result) else { return false }
            switch comparison {
            case .less: return value < bound
            case .lessOrEqual: return value <= bound
            case .greater: return value > bound
            case .greaterOrEqual: return value >= bound
            case .equal: return value == bound
            case .notEqual: return value != bound
            }
        }
    }

    public init(parsing text: String, grid: SweepGrid) throws(SweepError) {
        var parser = Parser(tokens: try Parser.tokens(text), text: text, grid: grid)
        self = try parser.either()
        if parser.position < parser.tokens.count {
            throw SweepError("--where '\(text)': unexpected '\(parser.tokens[parser.position])'")
        }
    }

    /// A number with an optional unit: a memory size's (KiB…TiB, powers of 1024; KB…TB, powers
    /// of 1000; B) or K, M, G, T (powers of 1000, as for parameters and MACs).
    public static func quantity(_ text: String) -> Double? {
        let units = MemorySize.units + [("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return Double(text)
    }

    private struct Parser {
        let tokens: [String]
        let text: String
        let grid: SweepGrid
        var position = 0

        init(tokens: [String], text: String, grid: SweepGrid) {
            self.tokens = tokens
            self.text = text
            self.grid = grid
        }

        /// Words, numbers with units, parentheses and the comparison operators.
        static func tokens(_ text: String) throws(SweepError) -> [String] {
            var tokens = [String](), index = text.startIndex
            while index < text.endIndex {
                let character = text[index]
                if character == " " {
                    index = text.index(after: index)
                } else if "()".contains(character) {
                    tokens.append(String(character))
                    index = text.index(after: index)
                } else if let op = Comparison.allCases.first(where: { text[index...].hasPrefix($0.rawValue) }) {
                    tokens.append(op.rawValue)
                    index = text.index(index, offsetBy: op.rawValue.count)
                } else if character.isLetter || character.isNumber || "_.?-".contains(character) {
                    let end = text[index...].firstIndex { !($0.isLetter || $0.isNumber || "_.?-".contains($0)) } ?? text.endIndex
                    tokens.append(String(text[index..<end]))
                    index = end
                } else {
                    throw SweepError("--where '\(text)': unexpected '\(character)'")
                }
            }
            return tokens
        }

        var next: String? { position < tokens.count ? tokens[position] : nil }

        mutating func either() throws(SweepError) -> SweepFilter {
            try joined(by: "or", { (parser: inout Parser) throws(SweepError) in try parser.both() }, SweepFilter.any)
        }

        mutating func both() throws(SweepError) -> SweepFilter {
            try joined(by: "and", { (parser: inout Parser) throws(SweepError) in try parser.single() }, SweepFilter.all)
        }

        /// Operands separated by `word`: one is itself, more are combined.
        private mutating func joined(
            by word: String, _ operand: (inout Parser) throws(SweepError) -> SweepFilter,
            _ combine: ([SweepFilter]) -> SweepFilter
        ) throws(SweepError) -> SweepFilter {
            var terms = [try operand(&self)]
            while next?.lowercased() == word {
                position += 1
                terms.append(try operand(&self))
            }
            return terms.count == 1 ? terms[0] : combine(terms)
        }

        mutating func single() throws(SweepError) -> SweepFilter {
            guard let word = next else { throw SweepError("--where '\(text)' ends where a comparison was expected") }
            position += 1
            switch word.lowercased() {
            case "not": return .not(try single())
            case "valid": return .valid
            case "invalid": return .not(.valid)
            case "(":
                let inner = try either()
                guard next == ")" else { throw SweepError("--where '\(text)': a '(' is not closed") }
                position += 1
                return inner
            default:
                let key = try SweepKey(name: word, grid: grid)
                guard let op = next.flatMap(Comparison.init(rawValue:)) else {
                    throw SweepError("--where '\(text)': '\(word)' needs a comparison, e.g. \(word) < 20M")
                }
                position += 1
                guard let number = next, let bound = SweepFilter.quantity(number) else {
                    throw SweepError("--where '\(text)': '\(word) \(op.rawValue)' needs a number, e.g. 20M or 12GiB")
                }
                position += 1
                return .compare(key, op, bound)
            }
        }
    }
}
