import Foundation

#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// A JSON value, converted once from what `JSONSerialization` (or a YAML loader) produces so
/// that booleans, integers and other numbers are told apart reliably on every platform.
indirect enum JSONInstance: Equatable, CustomStringConvertible {
    case null
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONInstance])
    case object([String: JSONInstance])

    /// Thrown for a value that has no JSON form (a `Date`, a `Data`, a non-finite number…).
    struct NotJSON: Error, CustomStringConvertible {
        var path: String
        var typeName: String
        var description: String { "\(path.isEmpty ? "(root)" : path): \(typeName) is not a JSON value" }
    }

    /// Converts Foundation JSON (`NSDictionary`/`[String: Any]`, `[Any]`, `String`, `NSNumber`
    /// including `CFBoolean`, `NSNull`) or native Swift values (`Bool`, `Int`, `Double`, …).
    init(foundation value: Any, path: String = "") throws(NotJSON) {
        // Native Swift values first: an NSNumber holding 1 also casts to Bool, so `is Bool`
        // alone cannot tell `true` from `1`.
        switch value {
        case is NSNull:
            self = .null
            return
        case let text as String:
            self = .string(text)
            return
        default: break
        }
        let type = Swift.type(of: value)
        if type == Bool.self, let flag = value as? Bool {
            self = .boolean(flag)
            return
        }
        if let number = Self.nativeInteger(value) {
            self = .integer(number)
            return
        }
        if type == Double.self || type == Float.self, let number = (value as? NSNumber)?.doubleValue ?? (value as? Double) {
            guard number.isFinite else { throw NotJSON(path: path, typeName: "\(number)") }
            self = .number(number)
            return
        }
        if let number = value as? NSNumber {
            self = try Self.classify(number, path: path)
            return
        }
        if let items = value as? [Any] {
            var converted = [JSONInstance]()
            converted.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                converted.append(try JSONInstance(foundation: item, path: path + "/\(index)"))
            }
            self = .array(converted)
            return
        }
        if let members = value as? [String: Any] {
            var converted = [String: JSONInstance]()
            for (key, member) in members {
                converted[key] = try JSONInstance(foundation: member, path: path + "/" + JSONPointer.escape(key))
            }
            self = .object(converted)
            return
        }
        if let dictionary = value as? NSDictionary {
            var converted = [String: JSONInstance]()
            for (key, member) in dictionary {
                guard let key = key as? String else {
                    throw NotJSON(path: path, typeName: "a map with a \(Swift.type(of: key)) key")
                }
                converted[key] = try JSONInstance(foundation: member, path: path + "/" + JSONPointer.escape(key))
            }
            self = .object(converted)
            return
        }
        throw NotJSON(path: path, typeName: "\(type)")
    }

    private static func nativeInteger(_ value: Any) -> Int64? {
        switch value {
        case let v as Int where Swift.type(of: value) == Int.self: Int64(v)
        case let v as Int64 where Swift.type(of: value) == Int64.self: v
        case let v as Int32 where Swift.type(of: value) == Int32.self: Int64(v)
        case let v as Int16 where Swift.type(of: value) == Int16.self: Int64(v)
        case let v as Int8 where Swift.type(of: value) == Int8.self: Int64(v)
        case let v as UInt where Swift.type(of: value) == UInt.self: Int64(exactly: v)
        case let v as UInt64 where Swift.type(of: value) == UInt64.self: Int64(exactly: v)
        case let v as UInt32 where Swift.type(of: value) == UInt32.self: Int64(v)
        default: nil
        }
    }

    /// An `NSNumber` from `JSONSerialization`: `CFBoolean` for `true`/`false` (on Darwin and
    /// on swift-corelibs-foundation alike), otherwise an integer or a double by its ObjC type.
    private static func classify(_ number: NSNumber, path: String) throws(NotJSON) -> JSONInstance {
        if CFGetTypeID(number as CFTypeRef) == CFBooleanGetTypeID() { return .boolean(number.boolValue) }
        switch String(cString: number.objCType) {
        case "c", "C", "s", "S", "i", "I", "l", "L", "q":
            return .integer(number.int64Value)
        case "Q":
            if let exact = Int64(exactly: number.uint64Value) { return .integer(exact) }
            return .number(number.doubleValue)
        default:
            let double = number.doubleValue
            guard double.isFinite else { throw NotJSON(path: path, typeName: "\(double)") }
            return .number(double)
        }
    }

    /// Parses JSON text; fragments (a bare `3` or `"x"`) are allowed.
    init(json text: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        try self.init(foundation: object)
    }

    /// The JSON Schema type names this value has (`integer` values are also `number`s, as are
    /// doubles with no fractional part).
    var typeNames: Set<String> {
        switch self {
        case .null: ["null"]
        case .boolean: ["boolean"]
        case .integer: ["integer", "number"]
        case .number(let value): value.rounded(.towardZero) == value ? ["integer", "number"] : ["number"]
        case .string: ["string"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }

    /// The narrowest type name, for messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var numericValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// JSON equality: numbers compare by value (`1 == 1.0`), never equal to booleans.
    static func == (lhs: JSONInstance, rhs: JSONInstance) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.boolean(let a), .boolean(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.integer, .number), (.number, .integer), (.number, .number): lhs.numericValue == rhs.numericValue
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    /// Compact JSON-like text, for messages.
    var description: String {
        switch self {
        case .null: "null"
        case .boolean(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.keys.sorted().map { "\"\($0)\": \(members[$0]!.description)" }.joined(separator: ", ") + "}"
        }
    }

    var objectMembers: [String: JSONInstance]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var arrayItems: [JSONInstance]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

/// RFC 6901 JSON pointers, for instance paths and `$ref`s within one document.
enum JSONPointer {
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: String) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// The value at `pointer` ("" or "/a/0/b") in `root`, or nil.
    static func resolve(_ pointer: String, in root: JSONInstance) -> JSONInstance? {
        guard !pointer.isEmpty else { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var current = root
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = unescape(String(rawToken))
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}

/// Validates JSON values against a JSON Schema: the draft-07 subset that the OASIS SARIF 2.1.0
/// schema and convlint's architecture schema use, for tests.
///
/// Supported: `$ref` to `#…` pointers within the same document; `type` (a name or a list;
/// `integer` is a number without a fraction); `enum`, `const`; `properties`,
/// `patternProperties`, `additionalProperties` (boolean or schema), `required`,
/// `propertyNames`, `minProperties`, `maxProperties`; `items` (a schema, or a list with
/// `additionalItems`), `minItems`, `maxItems`, `uniqueItems`, `contains`; `minimum`,
/// `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`; `pattern` (an unanchored
/// `NSRegularExpression` search, as JSON Schema specifies), `minLength`, `maxLength` (in
/// Unicode scalars); `anyOf`, `oneOf`, `allOf`, `not`, `if`/`then`/`else`; and boolean
/// schemas. Annotations (`description`, `title`, `default`, `format`, `examples`, `$id`,
/// `$schema`, `$comment`, `definitions`) are ignored; so, as JSON Schema requires, is any other
/// unknown keyword (`lint()` lists those). `$ref`s are followed at most `maxDepth` deep, so a
/// cyclic schema fails with an error instead of recursing forever.
struct JSONSchemaValidator {
    /// One failed check.
    struct ValidationError: Equatable, CustomStringConvertible {
        /// JSON pointer to the offending value: "" for the root, "/runs/0/results/0/level".
        var instancePath: String
        /// The schema keyword that failed (`required`, `enum`, `minimum`, …).
        var keyword: String
        /// JSON pointer into the schema of the failed keyword, e.g. `#/definitions/region/properties/startLine/minimum`.
        var schemaPath: String
        var message: String

        var description: String {
            "\(instancePath.isEmpty ? "(root)" : instancePath): \(keyword): \(message) [\(schemaPath)]"
        }
    }

    enum SchemaLoadError: Error, CustomStringConvertible {
        case notJSON(String)
        case notASchema(String)

        var description: String {
            switch self {
            case .notJSON(let detail): "the schema is not JSON: \(detail)"
            case .notASchema(let type): "a schema is an object or a boolean, not a \(type)"
            }
        }
    }

    /// Keywords that this validator checks.
    static let assertionKeywords: Set<String> = [
        "$ref", "type", "enum", "const",
        "properties", "patternProperties", "additionalProperties", "required", "propertyNames",
        "minProperties", "maxProperties",
        "items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "pattern", "minLength", "maxLength",
        "anyOf", "oneOf", "allOf", "not", "if", "then", "else",
    ]

    /// Keywords that only annotate, and `definitions`, which holds schemas for `$ref`.
    static let annotationKeywords: Set<String> = [
        "description", "title", "default", "format", "examples", "$id", "$schema", "$comment",
        "definitions", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
    ]

    let root: JSONInstance
    /// How many `$ref`s (and nested subschemas) one check may follow.
    let maxDepth: Int
    private let regexes = RegexCache()

    init(schema: JSONInstance, maxDepth: Int = 128) throws(SchemaLoadError) {
        switch schema {
        case .object, .boolean: break
        default: throw .notASchema(schema.typeName)
        }
        self.root = schema
        self.maxDepth = maxDepth
    }

    /// A schema given as JSON text.
    init(json text: String, maxDepth: Int = 128) throws(SchemaLoadError) {
        let schema: JSONInstance
        do { schema = try JSONInstance(json: text) } catch { throw .notJSON("\(error)") }
        try self.init(schema: schema, maxDepth: maxDepth)
    }

    /// A schema read from a file.
    init(contentsOf url: URL, maxDepth: Int = 128) throws {
        try self.init(json: String(decoding: try Data(contentsOf: url), as: UTF8.self), maxDepth: maxDepth)
    }

    /// Checks a Foundation JSON value (as `JSONSerialization` returns it).
    func validate(_ instance: Any) -> [ValidationError] {
        do {
            return validate(try JSONInstance(foundation: instance))
        } catch {
            return [ValidationError(instancePath: error.path, keyword: "type", schemaPath: "#", message: error.description)]
        }
    }

    func validate(_ instance: JSONInstance) -> [ValidationError] {
        check(instance, against: root, at: "", schemaPath: "#", depth: 0)
    }

    /// Checks JSON text.
    func validate(json text: String) throws -> [ValidationError] {
        validate(try JSONInstance(json: text))
    }

    // MARK: Checking

    private func check(
        _ instance: JSONInstance, against schema: JSONInstance, at path: String, schemaPath: String, depth: Int
    ) -> [ValidationError] {
        func fail(_ keyword: String, _ message: String, at where: String? = nil) -> ValidationError {
            ValidationError(
                instancePath: `where` ?? path, keyword: keyword, schemaPath: schemaPath + "/" + keyword, message: message)
        }
        guard depth <= maxDepth else {
            return [
                ValidationError(
                    instancePath: path, keyword: "$ref", schemaPath: schemaPath,
                    message: "more than \(maxDepth) nested schemas: a $ref cycle?")
            ]
        }
        switch schema {
        case .boolean(true): return []
        case .boolean(false):
            return [ValidationError(instancePath: path, keyword: "false", schemaPath: schemaPath, message: "no value is allowed here")]
        case .object: break
        default:
            return [ValidationError(instancePath: path, keyword: "schema", schemaPath: schemaPath, message: "the schema is a \(schema.typeName)")]
        }
        let keywords = schema.objectMembers!

        // draft-07: a $ref replaces its siblings.
        if let reference = keywords["$ref"] {
            guard case .string(let target) = reference else { return [fail("$ref", "$ref must be a string")] }
            guard target.hasPrefix("#"), let resolved = resolve(reference: target) else {
                return [fail("$ref", "cannot resolve '\(target)' (only '#/…' pointers within this schema are supported)")]
            }
            return check(instance, against: resolved, at: path, schemaPath: target, depth: depth + 1)
        }

        var errors = [ValidationError]()
        func sub(_ value: JSONInstance, _ subschema: JSONInstance, at valuePath: String, _ subPath: String) -> [ValidationError] {
            check(value, against: subschema, at: valuePath, schemaPath: schemaPath + subPath, depth: depth + 1)
        }

        // Any type
        if let type = keywords["type"] {
            let names: [String] =
                switch type {
                case .string(let name): [name]
                case .array(let items): items.compactMap(\.stringValue)
                default: []
                }
            if instance.typeNames.isDisjoint(with: names) {
                errors.append(fail("type", "expected \(names.joined(separator: " or ")), got \(instance.typeName) \(Self.brief(instance))"))
            }
        }
        if let choices = keywords["enum"]?.arrayItems, !choices.contains(instance) {
            errors.append(fail("enum", "\(Self.brief(instance)) is not one of \(choices.map(\.description).joined(separator: ", "))"))
        }
        if let constant = keywords["const"], constant != instance {
            errors.append(fail("const", "\(Self.brief(instance)) is not \(constant)"))
        }

        // Objects
        if case .object(let members) = instance {
            let properties = keywords["properties"]?.objectMembers ?? [:]
            for name in properties.keys.sorted() {
                if let value = members[name] {
                    errors += sub(value, properties[name]!, at: path + "/" + JSONPointer.escape(name), "/properties/" + JSONPointer.escape(name))
                }
            }
            let patterns = keywords["patternProperties"]?.objectMembers ?? [:]
            var matchedByPattern = Set<String>()
            for pattern in patterns.keys.sorted() {
                guard let regex = regexes.regex(pattern) else {
                    errors.append(fail("patternProperties", "invalid regular expression '\(pattern)'"))
                    continue
                }
                for name in members.keys.sorted() where Self.search(regex, in: name) {
                    matchedByPattern.insert(name)
                    errors += sub(
                        members[name]!, patterns[pattern]!, at: path + "/" + JSONPointer.escape(name),
                        "/patternProperties/" + JSONPointer.escape(pattern))
                }
            }
            if let additional = keywords["additionalProperties"] {
                for name in members.keys.sorted() where properties[name] == nil && !matchedByPattern.contains(name) {
                    let memberPath = path + "/" + JSONPointer.escape(name)
                    if additional == .boolean(false) {
                        errors.append(fail("additionalProperties", "property '\(name)' is not allowed", at: memberPath))
                    } else {
                        errors += sub(members[name]!, additional, at: memberPath, "/additionalProperties")
                    }
                }
            }
            for case .string(let name) in keywords["required"]?.arrayItems ?? [] where members[name] == nil {
                errors.append(fail("required", "missing required property '\(name)'"))
            }
            if let names = keywords["propertyNames"] {
                for name in members.keys.sorted() {
                    errors += sub(.string(name), names, at: path + "/" + JSONPointer.escape(name), "/propertyNames")
                }
            }
            if let minimum = keywords["minProperties"]?.numericValue, Double(members.count) < minimum {
                errors.append(fail("minProperties", "has \(members.count) properties, fewer than \(Self.text(minimum))"))
            }
            if let maximum = keywords["maxProperties"]?.numericValue, Double(members.count) > maximum {
                errors.append(fail("maxProperties", "has \(members.count) properties, more than \(Self.text(maximum))"))
            }
        }

        // Arrays
        if case .array(let items) = instance {
            switch keywords["items"] {
            case .array(let tuple)?:
                for (index, item) in items.enumerated() {
                    if index < tuple.count {
                        errors += sub(item, tuple[index], at: path + "/\(index)", "/items/\(index)")
                    } else if let additional = keywords["additionalItems"] {
                        errors += sub(item, additional, at: path + "/\(index)", "/additionalItems")
                    }
                }
            case let schema?:
                for (index, item) in items.enumerated() {
                    errors += sub(item, schema, at: path + "/\(index)", "/items")
                }
            case nil: break
            }
            if let minimum = keywords["minItems"]?.numericValue, Double(items.count) < minimum {
                errors.append(fail("minItems", "has \(items.count) items, fewer than \(Self.text(minimum))"))
            }
            if let maximum = keywords["maxItems"]?.numericValue, Double(items.count) > maximum {
                errors.append(fail("maxItems", "has \(items.count) items, more than \(Self.text(maximum))"))
            }
            if keywords["uniqueItems"] == .boolean(true) {
                outer: for first in items.indices {
                    for second in items.indices where second > first && items[first] == items[second] {
                        errors.append(fail("uniqueItems", "items \(first) and \(second) are equal: \(Self.brief(items[first]))"))
                        break outer
                    }
                }
            }
            if let contains = keywords["contains"],
                !items.enumerated().contains(where: { sub($1, contains, at: path + "/\($0)", "/contains").isEmpty })
            {
                errors.append(fail("contains", "no item matches the 'contains' schema"))
            }
        }

        // Numbers
        if let value = instance.numericValue {
            if let minimum = keywords["minimum"]?.numericValue, value < minimum {
                errors.append(fail("minimum", "\(Self.brief(instance)) is less than \(Self.text(minimum))"))
            }
            if let maximum = keywords["maximum"]?.numericValue, value > maximum {
                errors.append(fail("maximum", "\(Self.brief(instance)) is greater than \(Self.text(maximum))"))
            }
            if let minimum = keywords["exclusiveMinimum"]?.numericValue, value <= minimum {
                errors.append(fail("exclusiveMinimum", "\(Self.brief(instance)) is not greater than \(Self.text(minimum))"))
            }
            if let maximum = keywords["exclusiveMaximum"]?.numericValue, value >= maximum {
                errors.append(fail("exclusiveMaximum", "\(Self.brief(instance)) is not less than \(Self.text(maximum))"))
            }
            if let divisor = keywords["multipleOf"]?.numericValue, divisor > 0 {
                let quotient = value / divisor
                if quotient.rounded() != quotient {
                    errors.append(fail("multipleOf", "\(Self.brief(instance)) is not a multiple of \(Self.text(divisor))"))
                }
            }
        }

        // Strings
        if case .string(let text) = instance {
            let length = text.unicodeScalars.count
            if let minimum = keywords["minLength"]?.numericValue, Double(length) < minimum {
                errors.append(fail("minLength", "\(Self.brief(instance)) is shorter than \(Self.text(minimum)) characters"))
            }
            if let maximum = keywords["maxLength"]?.numericValue, Double(length) > maximum {
                errors.append(fail("maxLength", "\(Self.brief(instance)) is longer than \(Self.text(maximum)) characters"))
            }
            if case .string(let pattern)? = keywords["pattern"] {
                if let regex = regexes.regex(pattern) {
                    if !Self.search(regex, in: text) {
                        errors.append(fail("pattern", "\(Self.brief(instance)) does not match /\(pattern)/"))
                    }
                } else {
                    errors.append(fail("pattern", "invalid regular expression '\(pattern)'"))
                }
            }
        }

        // Combinators
        if let branches = keywords["allOf"]?.arrayItems {
            for (index, branch) in branches.enumerated() {
                errors += sub(instance, branch, at: path, "/allOf/\(index)")
            }
        }
        if let branches = keywords["anyOf"]?.arrayItems {
            let results = branches.enumerated().map { sub(instance, $1, at: path, "/anyOf/\($0)") }
            if !results.contains(where: \.isEmpty) {
                errors.append(fail("anyOf", "matches none of \(branches.count) alternatives: " + Self.summary(results, at: path)))
            }
        }
        if let branches = keywords["oneOf"]?.arrayItems {
            let results = branches.enumerated().map { sub(instance, $1, at: path, "/oneOf/\($0)") }
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                errors.append(fail("oneOf", "matches none of \(branches.count) alternatives: " + Self.summary(results, at: path)))
            } else if matching.count > 1 {
                errors.append(fail("oneOf", "matches alternatives \(matching.map(String.init).joined(separator: ", ")); exactly one must match"))
            }
        }
        if let negated = keywords["not"], sub(instance, negated, at: path, "/not").isEmpty {
            errors.append(fail("not", "\(Self.brief(instance)) matches the schema it must not match"))
        }
        if let condition = keywords["if"] {
            if sub(instance, condition, at: path, "/if").isEmpty {
                if let then = keywords["then"] { errors += sub(instance, then, at: path, "/then") }
            } else if let otherwise = keywords["else"] {
                errors += sub(instance, otherwise, at: path, "/else")
            }
        }
        return errors
    }

    private func resolve(reference: String) -> JSONInstance? {
        let fragment = String(reference.dropFirst())
        let pointer = fragment.removingPercentEncoding ?? fragment
        return JSONPointer.resolve(pointer, in: root)
    }

    private static func search(_ regex: NSRegularExpression, in text: String) -> Bool {
        regex.firstMatch(in: text, options: [], range: NSRange(location: 0, length: text.utf16.count)) != nil
    }

    private static func brief(_ value: JSONInstance) -> String {
        let text = value.description
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }

    private static func text(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// The first error of each failed alternative (with its path where it is deeper than `path`).
    private static func summary(_ results: [[ValidationError]], at path: String) -> String {
        results.enumerated().map { index, errors in
            guard let first = errors.first else { return "[\(index)] ok" }
            let place = first.instancePath == path ? "" : first.instancePath + " "
            return "[\(index)] \(place)\(first.keyword): \(first.message)"
        }.joined(separator: "; ")
    }

    // MARK: Checking the schema itself

    /// Problems with the schema as a draft-07 schema, as "schema path: problem" lines: keywords
    /// this validator does not know (typos such as `requried` are silently ignored by
    /// validators), `$ref`s that do not resolve, regular expressions that do not compile, and
    /// keyword values of the wrong type.
    func lint() -> [String] {
        var problems = [String]()
        lint(root, at: "#", into: &problems)
        return problems
    }

    private func lint(_ schema: JSONInstance, at path: String, into problems: inout [String]) {
        guard case .object(let keywords) = schema else {
            if case .boolean = schema { return }
            problems.append("\(path): a schema must be an object or a boolean, not \(schema.typeName)")
            return
        }
        for keyword in keywords.keys.sorted() {
            let value = keywords[keyword]!
            let here = path + "/" + JSONPointer.escape(keyword)
            func expect(_ ok: Bool, _ what: String) {
                if !ok { problems.append("\(here): must be \(what), not \(value.typeName)") }
            }
            switch keyword {
            case "$ref":
                if case .string(let target) = value {
                    if !target.hasPrefix("#") || resolve(reference: target) == nil {
                        problems.append("\(here): '\(target)' does not resolve")
                    }
                } else {
                    expect(false, "a string")
                }
            case "properties", "patternProperties", "definitions":
                guard let members = value.objectMembers else { expect(false, "an object"); continue }
                for name in members.keys.sorted() {
                    if keyword == "patternProperties", regexes.regex(name) == nil {
                        problems.append("\(here): invalid regular expression '\(name)'")
                    }
                    lint(members[name]!, at: here + "/" + JSONPointer.escape(name), into: &problems)
                }
            case "additionalProperties", "additionalItems", "propertyNames", "contains", "not", "if", "then", "else":
                lint(value, at: here, into: &problems)
            case "items":
                if let tuple = value.arrayItems {
                    for (index, item) in tuple.enumerated() { lint(item, at: here + "/\(index)", into: &problems) }
                } else {
                    lint(value, at: here, into: &problems)
                }
            case "anyOf", "oneOf", "allOf":
                guard let branches = value.arrayItems, !branches.isEmpty else { expect(false, "a non-empty array"); continue }
                for (index, branch) in branches.enumerated() { lint(branch, at: here + "/\(index)", into: &problems) }
            case "type":
                let names = value.stringValue.map { [$0] } ?? value.arrayItems?.compactMap(\.stringValue) ?? []
                let known: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]
                if names.isEmpty || !names.allSatisfy(known.contains) {
                    problems.append("\(here): unknown type \(value)")
                }
            case "required":
                expect(value.arrayItems?.allSatisfy { $0.stringValue != nil } == true, "an array of strings")
            case "enum":
                expect(value.arrayItems?.isEmpty == false, "a non-empty array")
            case "pattern":
                if let pattern = value.stringValue {
                    if regexes.regex(pattern) == nil { problems.append("\(here): invalid regular expression '\(pattern)'") }
                } else {
                    expect(false, "a string")
                }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf":
                expect(value.numericValue != nil, "a number")
            case "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties":
                expect(value.typeNames.contains("integer") && (value.numericValue ?? -1) >= 0, "a non-negative integer")
            case "uniqueItems":
                expect(value.typeName == "boolean", "a boolean")
            case "description", "title", "$comment", "$schema", "$id", "format":
                expect(value.stringValue != nil, "a string")
            case "const", "default", "examples", "readOnly", "writeOnly", "contentMediaType", "contentEncoding":
                break
            default:
                problems.append("\(here): unknown keyword '\(keyword)'")
            }
        }
    }
}

/// Compiled patterns, shared by the copies of one validator.
private final class RegexCache {
    private var compiled = [String: NSRegularExpression?]()

    func regex(_ pattern: String) -> NSRegularExpression? {
        if let cached = compiled[pattern] { return cached }
        let regex = try? NSRegularExpression(pattern: pattern, options: [])
        compiled[pattern] = regex
        return regex
    }
}
