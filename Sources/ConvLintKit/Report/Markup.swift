/// Well-formed XHTML and SVG, escaped: the HTML report is also XML, so that a test (or a
/// user's script) can read its charts back with any XML parser.
struct Markup {
    private(set) var text = ""

    /// `&`, `<`, `>` and both quotes, for text and attribute values alike.
    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A coordinate for an SVG attribute: at most two decimals, no exponent. Absurd networks
    /// make absurd coordinates (a receptive field of 2^256 pixels, found by the fuzzer), which
    /// are clamped far outside any drawing instead of trapping.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (min(max(value, -1e9), 1e9) * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    mutating func raw(_ markup: String) { text += markup }

    mutating func text(_ value: String) { text += Self.escape(value) }

    /// `<name a="1">`, or `<name a="1"/>` when `empty`.
    mutating func open(_ name: String, _ attributes: [(String, String)] = [], empty: Bool = false) {
        text += "<" + name
        for (key, value) in attributes { text += " \(key)=\"\(Self.escape(value))\"" }
        text += empty ? "/>" : ">"
    }

    mutating func close(_ name: String) { text += "</\(name)>" }

    /// An element with only text inside.
    mutating func element(_ name: String, _ attributes: [(String, String)] = [], _ content: String) {
        open(name, attributes)
        text(content)
        close(name)
    }

    /// An element with only text inside and no attributes.
    mutating func element(_ name: String, _ content: String) { element(name, [], content) }

    /// An element with markup inside.
    mutating func element(_ name: String, _ attributes: [(String, String)] = [], body: (inout Markup) -> Void) {
        open(name, attributes)
        body(&self)
        close(name)
    }
}
