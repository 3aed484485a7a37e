/// `# convlint: disable=ID[,ID]` comments in an architecture file: at the end of a line they
/// silence findings on that line; alone on a line, on the next line with content;
/// `# convlint: disable-file=ID` silences a rule in the whole file.
struct Suppression {
    enum Scope: Equatable {
        case line(Int)
        case file
    }

    var rule: String
    var scope: Scope
    /// The rule id in the comment, where an unused suppression is reported.
    var location: SourceLocation
    var used = false

    func covers(_ diagnostic: Diagnostic) -> Bool {
        guard diagnostic.rule == rule else { return false }
        switch scope {
        case .file: return true
        case .line(let line): return diagnostic.location?.line == line
        }
    }

    static let marker = Array("convlint:".unicodeScalars)

    static func parse(_ source: SourceFile) -> [Suppression] {
        // Most files have no directive: one scan instead of a string per line (a sweep checks
        // the same file thousands of times).
        guard Self.find(marker, in: source.scalars[...]) != nil else { return [] }
        var suppressions = [Suppression]()
        var pending = [Suppression]()  // comments alone on their line wait for the next line with content
        for number in 1...max(1, source.lineCount) {
            let line = Array(source.lineScalars(number))
            let comment = commentStart(in: line)
            let hasContent = line[..<(comment ?? line.count)].contains { !$0.properties.isWhitespace }
            if hasContent {
                suppressions += pending.map { var s = $0; s.scope = .line(number); return s }
                pending = []
            }
            guard let comment else { continue }
            for var found in directives(in: line, from: comment, line: number) {
                if found.scope == .file {
                    suppressions.append(found)
                } else if hasContent {
                    found.scope = .line(number)
                    suppressions.append(found)
                } else {
                    pending.append(found)
                }
            }
        }
        return suppressions + pending  // pending at the end of the file suppress nothing: reported unused
    }

    /// Where a YAML comment starts: a `#` at the line's start or after whitespace, outside quotes.
    private static func commentStart(in line: [Unicode.Scalar]) -> Int? {
        var quote: Unicode.Scalar?
        for (index, scalar) in line.enumerated() {
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == "#", index == 0 || line[index - 1].properties.isWhitespace {
                return index
            }
        }
        return nil
    }

    /// Where `needle` starts in `haystack`, as an index of the haystack.
    static func find(_ needle: [Unicode.Scalar], in haystack: ArraySlice<Unicode.Scalar>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (haystack.startIndex...(haystack.endIndex - needle.count)).first { start in
            haystack[start] == needle[0] && haystack[start..<start + needle.count].elementsEqual(needle)
        }
    }

    private static func directives(in line: [Unicode.Scalar], from start: Int, line number: Int) -> [Suppression] {
        guard let found = find(marker, in: line[start...]) else { return [] }
        let text = String(String.UnicodeScalarView(line[(found + marker.count)...]))
        var rest = text[...].drop { $0 == " " }
        let scope: Scope
        if rest.hasPrefix("disable-file=") {
            scope = .file
            rest = rest.dropFirst("disable-file=".count)
        } else if rest.hasPrefix("disable=") {
            scope = .line(number)
            rest = rest.dropFirst("disable=".count)
        } else {
            return []
        }
        let offset =
            found + marker.count + text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: rest.unicodeScalars.startIndex)
        var results = [Suppression]()
        var column = offset
        for part in rest.prefix(while: { !$0.isWhitespace }).split(separator: ",", omittingEmptySubsequences: false) {
            let id = String(part)
            if !id.isEmpty {
                results.append(
                    Suppression(
                        rule: id, scope: scope,
                        location: SourceLocation(line: number, column: column + 1, length: id.unicodeScalars.count)))
            }
            column += id.unicodeScalars.count + 1
        }
        return results
    }
}
