/// A position in an architecture file: 1-based line and column, counted in Unicode scalars
/// (the unit libyaml counts in), plus how many columns to underline.
public struct SourceLocation: Hashable, Sendable, Codable {
    public var line: Int
    public var column: Int
    public var length: Int

    public init(line: Int, column: Int, length: Int = 1) {
        self.line = line
        self.column = column
        self.length = max(1, length)
    }

    /// The span from `self` to the end of `end`, when both sit on one line; otherwise `self`
    /// underlined to the end of its line.
    func through(_ end: SourceLocation) -> SourceLocation {
        guard end.line == line, end.column >= column else {
            return SourceLocation(line: line, column: column, length: Int.max / 2)
        }
        return SourceLocation(line: line, column: column, length: end.column + end.length - column)
    }
}

/// The text of one architecture file, kept so that diagnostics can quote its lines.
public struct SourceFile: Sendable {
    public let path: String
    /// The file's text without a byte-order mark, as Unicode scalars (libyaml's index unit).
    public let scalars: [Unicode.Scalar]
    private let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        // The line breaks libyaml counts: LF, CR (alone or before LF), NEL, LS and PS.
        var starts = [0]
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\r" where index + 1 < scalars.count && scalars[index + 1] == "\n": continue
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": starts.append(index + 1)
            default: continue
            }
        }
        self.lineStarts = starts
    }

    public var lineCount: Int { lineStarts.count }

    /// The text of a 1-based line, without its line break.
    public func line(_ number: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: lineScalars(number))
        return String(view)
    }

    /// The scalars of a 1-based line, without its line break.
    func lineScalars(_ number: Int) -> ArraySlice<Unicode.Scalar> {
        guard number >= 1, number <= lineStarts.count else { return [] }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : scalars.count
        if end > start, scalars[end - 1] == "\r" { end -= 1 }  // CRLF
        return scalars[start..<max(start, end)]
    }

    /// The location of a scalar index into `scalars`.
    public func location(ofIndex index: Int) -> SourceLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(line: low + 1, column: index - lineStarts[low] + 1)
    }
}
