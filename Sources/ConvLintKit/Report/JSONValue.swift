import Foundation

/// A JSON value whose objects keep their key order, so reports read in SPEC §6's order.
public indirect enum JSONValue: Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    /// Pretty-printed with two-space indentation; arrays of numbers stay on one line.
    /// `indent` is the nesting level the value sits at, for splicing into other JSON text.
    public func serialized(indent: Int = 0) -> String {
        var out = ""
        write(to: &out, indent: indent)
        return out
    }

    /// Appends to one buffer: reports of large networks have hundreds of thousands of values.
    private func write(to out: inout String, indent: Int) {
        switch self {
        case .object(let pairs):
            guard !pairs.isEmpty else { return out += "{}" }
            out += "{\n"
            for (index, (key, value)) in pairs.enumerated() {
                Self.pad(&out, indent + 1)
                Self.quote(key, into: &out)
                out += ": "
                value.write(to: &out, indent: indent + 1)
                out += index + 1 < pairs.count ? ",\n" : "\n"
            }
            Self.pad(&out, indent)
            out += "}"
        case .array(let items):
            guard !items.isEmpty else { return out += "[]" }
            let inline = items.allSatisfy { $0.isScalar }
            out += inline ? "[" : "[\n"
            for (index, item) in items.enumerated() {
                if !inline { Self.pad(&out, indent + 1) }
                item.write(to: &out, indent: indent + 1)
                if index + 1 < items.count { out += inline ? ", " : ",\n" }
            }
            if !inline {
                out += "\n"
                Self.pad(&out, indent)
            }
            out += "]"
        case .string(let text): Self.quote(text, into: &out)
        case .int(let value): out += String(value)
        case .double(let value):
            out += value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func pad(_ out: inout String, _ indent: Int) {
        for _ in 0..<indent { out += "  " }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
