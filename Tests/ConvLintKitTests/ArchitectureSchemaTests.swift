import Foundation
import Testing
import Yams

@testable import ConvLintKit

/// The editor schema for architecture files (`ArchitectureSchema.json`, copied to
/// `docs/convlint.schema.json`): a sound draft-07 schema that accepts every shipped
/// architecture and what convlint accepts, rejects what convlint rejects, and names exactly the
/// library's layer kinds, arguments, dtypes and rounding modes.
@Suite struct ArchitectureSchemaTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func validator() throws -> JSONSchemaValidator {
        try JSONSchemaValidator(json: ArchitectureSchema.json)
    }

    static func schema() throws -> JSONInstance {
        try JSONInstance(json: ArchitectureSchema.json)
    }

    /// YAML text loaded with Yams and converted to what `JSONSerialization` produces.
    static func loadYAML(_ text: String) throws -> Any {
        try jsonCompatible(Yams.load(yaml: text))
    }

    /// Yams' values (`Int`, `Double`, `Bool`, `String`, `[Any]`, `[AnyHashable: Any]`, nil)
    /// as Foundation JSON values (`NSNumber`, `String`, `[Any]`, `[String: Any]`, `NSNull`).
    static func jsonCompatible(_ value: Any?) throws -> Any {
        struct NotJSON: Error, CustomStringConvertible {
            var description: String
            init(value: Any) { description = "YAML value \(value) (\(type(of: value))) has no JSON form" }
        }
        guard let value else { return NSNull() }
        switch value {
        case is NSNull: return NSNull()
        case let flag as Bool where type(of: value) == Bool.self: return NSNumber(value: flag)
        case let number as Int where type(of: value) == Int.self: return NSNumber(value: number)
        case let number as Double where type(of: value) == Double.self:
            guard number.isFinite else { throw NotJSON(value: value) }
            return NSNumber(value: number)
        case let text as String: return text
        case let items as [Any]: return try items.map { try jsonCompatible($0) }
        case let members as [AnyHashable: Any]:
            var converted = [String: Any]()
            for (key, member) in members {
                converted[(key.base as? String) ?? String(describing: key.base)] = try jsonCompatible(member)
            }
            return converted
        default: throw NotJSON(value: value)
        }
    }

    /// Follows `$ref`s (and a single-branch `allOf` wrapper) to the schema they name.
    static func dereference(_ node: JSONInstance, in root: JSONInstance) throws -> JSONInstance {
        var node = node
        for _ in 0..<10 {
            if case .string(let target)? = node.objectMembers?["$ref"] {
                node = try #require(JSONPointer.resolve(String(target.dropFirst()), in: root), "\(target)")
            } else {
                return node
            }
        }
        return node
    }

    /// Whether `pattern` finds a match in `text` (JSON Schema's unanchored search).
    static func matches(_ pattern: String, _ text: String) throws -> Bool {
        try NSRegularExpression(pattern: pattern).firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil
    }

    // MARK: (a) The schema itself

    @Test func schemaIsAPlausibleDraft07Schema() throws {
        let schema = try Self.schema()
        let validator = try Self.validator()
        let top = try #require(schema.objectMembers)
        #expect(top["$schema"] == .string("http://json-schema.org/draft-07/schema#"))
        #expect(top["type"] == .string("object"))
        #expect(top["additionalProperties"] == .boolean(false))
        #expect(top["required"] == .array([.string("network")]))
        #expect(top["title"]?.stringValue?.isEmpty == false)
        // Known keywords only, every $ref resolves, every pattern compiles.
        #expect(validator.lint().isEmpty, "\(validator.lint())")
        // The top-level keys are exactly the decoder's.
        let properties = try #require(top["properties"]?.objectMembers)
        #expect(Set(properties.keys) == Set(ArchitectureDecoder.topLevelKeys))
        #expect(properties.keys.count == 9)
        // Every property and definition explains itself (editors show it on hover).
        var undescribed = [String]()
        func walk(_ node: JSONInstance, _ path: String) {
            guard let members = node.objectMembers else { return }
            for (keyword, value) in members {
                let here = path + "/" + JSONPointer.escape(keyword)
                switch keyword {
                case "properties", "definitions":
                    for (name, sub) in value.objectMembers ?? [:] {
                        if sub.objectMembers?["description"]?.stringValue?.isEmpty != false {
                            undescribed.append(here + "/" + name)
                        }
                        walk(sub, here + "/" + JSONPointer.escape(name))
                    }
                case "patternProperties":
                    for (name, sub) in value.objectMembers ?? [:] { walk(sub, here + "/" + JSONPointer.escape(name)) }
                case "anyOf", "allOf", "oneOf":
                    for (index, sub) in (value.arrayItems ?? []).enumerated() { walk(sub, here + "/\(index)") }
                case "items", "additionalProperties", "not":
                    walk(value, here)
                default: break
                }
            }
        }
        walk(schema, "#")
        #expect(undescribed.isEmpty, "\(undescribed)")
        // Top-level descriptions carry an example.
        for (key, property) in properties {
            #expect(property.objectMembers?["description"]?.stringValue?.contains("xample") == true, "\(key)")
        }
    }

    @Test func schemaTextIsStableJSON() throws {
        #expect(!ArchitectureSchema.json.hasSuffix("\n"))
        #expect(ArchitectureSchema.json.hasPrefix("{\n"))
        let object = try JSONSerialization.jsonObject(with: Data(ArchitectureSchema.json.utf8))
        #expect(object is [String: Any])
    }

    // MARK: (b) The copy in docs/

    @Test func docsCopyIsIdentical() throws {
        let url = Self.packageRoot.appendingPathComponent("docs/convlint.schema.json")
        let copy = try String(contentsOf: url, encoding: .utf8)
        #expect(
            copy == ArchitectureSchema.json + "\n",
            "docs/convlint.schema.json differs from ArchitectureSchema.json: write the string to the file, plus a newline")
    }

    // MARK: (c) Every shipped architecture validates

    static func architectureFiles() -> [String] {
        let directory = packageRoot.appendingPathComponent("architectures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func thereAreArchitecturesToCheck() {
        #expect(Self.architectureFiles().count >= 20)
    }

    @Test(arguments: architectureFiles())
    func shippedArchitectureValidates(_ file: String) throws {
        let url = Self.packageRoot.appendingPathComponent("architectures").appendingPathComponent(file)
        let instance = try Self.loadYAML(try String(contentsOf: url, encoding: .utf8))
        #expect(JSONSerialization.isValidJSONObject(instance))
        let errors = try Self.validator().validate(instance)
        #expect(errors.isEmpty, "\(file): \(errors.map(\.description).joined(separator: "\n"))")
    }

    @Test func yamlValuesConvertToFoundationJSON() throws {
        let value = try Self.loadYAML("input: 224x224x3\nbatch: 2\nrate: 0.5\nbias: false\nlist: [1, [true]]\nnone:\n")
        let members = try #require(value as? [String: Any])
        #expect(members["input"] as? String == "224x224x3")
        let instance = try JSONInstance(foundation: value)
        #expect(
            instance
                == .object([
                    "input": .string("224x224x3"), "batch": .integer(2), "rate": .number(0.5), "bias": .boolean(false),
                    "list": .array([.integer(1), .array([.boolean(true)])]), "none": .null,
                ]))
    }

    // MARK: (d) What convlint rejects, the schema rejects

    struct Rejected: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        /// Instance path and keyword of the error the schema must report.
        var path: String
        var keyword: String
        var testDescription: String { name }
    }

    static let rejected: [Rejected] = [
        Rejected(
            name: "unknown top-level key", yaml: "input: 32x32x3\nnetwrok: INPUT -> FC(10)\nnetwork: INPUT -> FC(10)\n",
            path: "/netwrok", keyword: "additionalProperties"),
        Rejected(name: "batch 0", yaml: "input: 32x32x3\nbatch: 0\nnetwork: INPUT -> FC(10)\n", path: "/batch", keyword: "minimum"),
        Rejected(name: "batch 1.5", yaml: "input: 32x32x3\nbatch: 1.5\nnetwork: INPUT -> FC(10)\n", path: "/batch", keyword: "type"),
        Rejected(name: "rounding round", yaml: "input: 32x32x3\nrounding: round\nnetwork: INPUT -> FC(10)\n", path: "/rounding", keyword: "anyOf"),
        Rejected(name: "dtype float8", yaml: "input: 32x32x3\ndtype: float8\nnetwork: INPUT -> FC(10)\n", path: "/dtype", keyword: "anyOf"),
        Rejected(name: "input with two dimensions", yaml: "input: 224x224\nnetwork: INPUT -> FC(10)\n", path: "/input", keyword: "anyOf"),
        Rejected(name: "input list of two", yaml: "input: [224, 224]\nnetwork: INPUT -> FC(10)\n", path: "/input", keyword: "anyOf"),
        Rejected(name: "input with a zero", yaml: "input: [32, 0, 3]\nnetwork: INPUT -> FC(10)\n", path: "/input", keyword: "anyOf"),
        Rejected(name: "network missing", yaml: "name: x\ninput: 32x32x3\n", path: "", keyword: "required"),
        Rejected(name: "network empty list", yaml: "input: 32x32x3\nnetwork: []\n", path: "/network", keyword: "anyOf"),
        Rejected(name: "network blank", yaml: "input: 32x32x3\nnetwork: '  '\n", path: "/network", keyword: "anyOf"),
        Rejected(name: "network a map", yaml: "input: 32x32x3\nnetwork: {a: INPUT}\n", path: "/network", keyword: "anyOf"),
        Rejected(
            name: "unknown kind in defaults", yaml: "input: 32x32x3\ndefaults:\n  CONVV: {size: 3}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/CONVV", keyword: "additionalProperties"),
        Rejected(
            name: "INPUT in defaults", yaml: "input: 32x32x3\ndefaults:\n  INPUT: {}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/INPUT", keyword: "additionalProperties"),
        Rejected(
            name: "CONCAT in defaults", yaml: "input: 32x32x3\ndefaults:\n  concat: {}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/concat", keyword: "additionalProperties"),
        Rejected(
            name: "unknown argument in defaults", yaml: "input: 32x32x3\ndefaults:\n  CONV: {sise: 3}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/CONV/sise", keyword: "additionalProperties"),
        Rejected(
            name: "F is no LRN argument", yaml: "input: 32x32x3\ndefaults:\n  LRN: {F: 3}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/LRN/F", keyword: "additionalProperties"),
        Rejected(
            name: "arguments for BN", yaml: "input: 32x32x3\ndefaults:\n  BN: {size: 3}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/BN/size", keyword: "additionalProperties"),
        Rejected(
            name: "negative padding", yaml: "input: 32x32x3\ndefaults:\n  CONV: {pad: -1}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/CONV/pad", keyword: "anyOf"),
        Rejected(
            name: "zero stride", yaml: "input: 32x32x3\ndefaults:\n  POOL: {stride: 0}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/POOL/stride", keyword: "anyOf"),
        Rejected(
            name: "stride 2x0", yaml: "input: 32x32x3\ndefaults:\n  POOL: {stride: 2x0}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/POOL/stride", keyword: "anyOf"),
        Rejected(
            name: "filters 2.5", yaml: "input: 32x32x3\ndefaults:\n  CONV: {filters: 2.5}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/CONV/filters", keyword: "anyOf"),
        Rejected(
            name: "dropout rate 1", yaml: "input: 32x32x3\ndefaults:\n  DROPOUT: {rate: 1.0}\nnetwork: INPUT -> FC(10)\n",
            path: "/defaults/DROPOUT/rate", keyword: "anyOf"),
        Rejected(
            name: "rounding argument", yaml: "input: 32x32x3\ndefaults:\n  CONV: {rounding: nearest}\nnetwork: INPUT -> CONV(8, F=3) -> FC(10)\n",
            path: "/defaults/CONV/rounding", keyword: "anyOf"),
        Rejected(name: "defaults a list", yaml: "input: 32x32x3\ndefaults: [CONV]\nnetwork: INPUT -> FC(10)\n", path: "/defaults", keyword: "type"),
        Rejected(
            name: "variable name with a dash", yaml: "input: 32x32x3\nvars:\n  my-var: 1\nnetwork: INPUT -> FC(10)\n",
            path: "/vars/my-var", keyword: "additionalProperties"),
        Rejected(name: "variable list with text", yaml: "input: 32x32x3\nvars:\n  N: [1, many]\nnetwork: INPUT -> FC(10)\n", path: "/vars/N", keyword: "anyOf"),
        Rejected(name: "variable text", yaml: "input: 32x32x3\nvars:\n  N: many\nnetwork: INPUT -> FC(10)\n", path: "/vars/N", keyword: "anyOf"),
        Rejected(name: "variable map", yaml: "input: 32x32x3\nvars:\n  N: {a: 1}\nnetwork: INPUT -> FC(10)\n", path: "/vars/N", keyword: "anyOf"),
        Rejected(
            name: "variable list of text", yaml: "input: 32x32x3\nvars:\n  N: [1, [2, x]]\nnetwork: INPUT -> FC(10)\n",
            path: "/vars/N", keyword: "anyOf"),
        Rejected(
            name: "block named like a kind", yaml: "input: 32x32x3\nblocks:\n  conv(C): CONV(C, F=3)\nnetwork: INPUT -> FC(10)\n",
            path: "/blocks/conv(C)", keyword: "not"),
        Rejected(
            name: "block named like a paper name", yaml: "input: 32x32x3\nblocks:\n  FC-10: FC(10)\nnetwork: INPUT -> FC(10)\n",
            path: "/blocks/FC-10", keyword: "not"),
        Rejected(
            name: "block with empty parentheses", yaml: "input: 32x32x3\nblocks:\n  stem(): RELU\nnetwork: INPUT -> FC(10)\n",
            path: "/blocks/stem()", keyword: "additionalProperties"),
        Rejected(
            name: "block signature without commas", yaml: "input: 32x32x3\nblocks:\n  unit(C S): RELU\nnetwork: INPUT -> FC(10)\n",
            path: "/blocks/unit(C S)", keyword: "additionalProperties"),
        Rejected(
            name: "block body a list", yaml: "input: 32x32x3\nblocks:\n  unit: [RELU]\nnetwork: INPUT -> FC(10)\n",
            path: "/blocks/unit", keyword: "type"),
        Rejected(name: "name a list", yaml: "name: [a]\ninput: 32x32x3\nnetwork: INPUT -> FC(10)\n", path: "/name", keyword: "type"),
        Rejected(name: "not a map", yaml: "- INPUT\n- FC(10)\n", path: "", keyword: "type"),
    ]

    @Test(arguments: rejected)
    func schemaRejects(_ example: Rejected) throws {
        let errors = try Self.validator().validate(try Self.loadYAML(example.yaml))
        #expect(
            errors.contains { $0.instancePath == example.path && $0.keyword == example.keyword },
            "expected \(example.keyword) at '\(example.path)', got \(errors.map(\.description))")
        // convlint agrees: the schema is not stricter than the decoder here.
        let analysis = analyze(example.yaml)
        #expect(analysis.firstError != nil, "convlint accepts \(example.name)")
    }

    // MARK: What convlint accepts, the schema accepts

    static let accepted: [(name: String, yaml: String)] = [
        ("minimal", "input: 32x32x3\nnetwork: INPUT -> FC(10)\n"),
        ("shape in INPUT only", "network: INPUT(32x32x3) -> FC(10)\n"),
        ("input as a list", "input: [32, 32, 3]\nnetwork: INPUT -> FC(10)\n"),
        ("input with capital X", "input: 32X32X3\nnetwork: INPUT -> FC(10)\n"),
        ("quoted input", "input: '32x32x3'\nnetwork: INPUT -> FC(10)\n"),
        ("every scalar key", "name: tiny\ninput: 32x32x3\nbatch: 64\ndtype: bfloat16\nrounding: ceil\nnetwork: INPUT -> POOL(3, S=2) -> FC(10)\n"),
        ("enums in any case", "input: 32x32x3\ndtype: Float16\nrounding: FLOOR\nnetwork: INPUT -> FC(10)\n"),
        ("numeric name", "name: 2024\ninput: 32x32x3\nnetwork: INPUT -> FC(10)\n"),
        ("network list with arrows", "input: 32x32x3\nnetwork:\n  - INPUT ->\n  - FC(10)\n"),
        ("multi-line network", "input: 32x32x3\nnetwork: >\n  INPUT\n  -> FC(10)\n"),
        (
            "defaults in any case, with aliases",
            "input: 32x32x3\ndefaults:\n  conv: {k: 8, f: 3, S: 1, p: same, Dilation: 1, GROUPS: 1, bias: false, rounding: Floor}\n"
                + "  Pool: {F: 2}\n  maxpool: {size: 2x2, stride: 2, pad: 0x0}\n  avgpool: {P: valid}\n"
                + "network: INPUT -> CONV -> RELU -> MAXPOOL -> AVGPOOL -> FC(10)\n"
        ),
        (
            "defaults for every argument kind",
            "input: 32x32x3\ndefaults:\n  DECONV: {filters: 4, size: 4, stride: 2, pad: 1, output_pad: 1}\n  FC: {units: 10, bias: false}\n"
                + "  RELU: {inplace: false}\n  SOFTMAX: {inplace: true}\n  LRN: {size: 3}\n  DROPOUT: {rate: 0.25}\n"
                + "  LeakyReLU: {}\n  GAP: {}\n  BN: {}\n"
                + "network: INPUT -> DECONV -> RELU -> LRN -> DROPOUT -> FC -> SOFTMAX\n"
        ),
        (
            "defaults naming variables",
            "input: 32x32x3\nvars:\n  W: 16\n  B: false\ndefaults:\n  CONV: {filters: W, size: 3, bias: B}\nnetwork: INPUT -> CONV -> FC(10)\n"
        ),
        ("dropout rate 0", "input: 32x32x3\ndefaults:\n  DROPOUT: {rate: 0}\nnetwork: INPUT -> DROPOUT -> FC(10)\n"),
        (
            "variables of every shape",
            "input: 32x32x3\nvars:\n  N: 2\n  neg: -3\n  B: [true, false]\n  F: [[8, 8], [16, 16]]\n  empty_1: []\n  _x: True\n"
                + "network: INPUT -> [[CONV(F, F=3, P=1)]*N -> POOL?B]*2 -> FC(10)\n"
        ),
        (
            "blocks with and without parameters",
            "input: 33x33x3\nblocks:\n  unit(C, S): CONV(C, F=3, S=S, P=1) -> BN -> RELU\n  stem: CONV(8, F=3, P=1) -> RELU\n"
                + "  two-part( a_1 ,b ): \"[unit(a_1, b)]*2\"\n"
                + "network: INPUT -> stem -> unit(16, 1) -> unit(S=2, C=32) -> two-part(8, 1) -> FC(10)\n"
        ),
        ("block named like a kind prefix", "input: 32x32x3\nblocks:\n  convx: RELU\n  fc-block: FC(10)\nnetwork: INPUT -> convx -> fc-block\n"),
    ]

    @Test(arguments: accepted.map(\.name))
    func schemaAccepts(_ name: String) throws {
        let yaml = try #require(Self.accepted.first { $0.name == name }).yaml
        let analysis = analyze(yaml)
        #expect(analysis.firstError == nil, "convlint rejects '\(name)': \(String(describing: analysis.firstError))")
        let errors = try Self.validator().validate(try Self.loadYAML(yaml))
        #expect(errors.isEmpty, "\(errors.map(\.description))")
    }

    // MARK: The schema names what the library knows

    @Test func defaultsNameEveryCallableKindButInput() throws {
        let schema = try Self.schema()
        let defaults = try #require(JSONPointer.resolve("/properties/defaults", in: schema)?.objectMembers)
        let kinds = LayerKind.allCases.filter { $0.isCallable && $0 != .input }.map(\.rawValue)
        #expect(Set(defaults["properties"]?.objectMembers?.keys.map { $0 } ?? []) == Set(kinds))
        let patterns = try #require(defaults["patternProperties"]?.objectMembers)
        #expect(patterns.count == kinds.count)
        for kind in LayerKind.allCases {
            let spellings = [kind.rawValue, kind.rawValue.lowercased(), String(kind.rawValue.prefix(1)) + kind.rawValue.dropFirst().lowercased()]
            for spelling in spellings {
                let matching = try patterns.keys.filter { try Self.matches($0, spelling) }
                #expect(matching.count == (kinds.contains(kind.rawValue) ? 1 : 0), "\(spelling): \(matching)")
            }
        }
    }

    @Test func argumentsAreTheLibrarysForEachKind() throws {
        let schema = try Self.schema()
        let defaults = try #require(JSONPointer.resolve("/properties/defaults/patternProperties", in: schema)?.objectMembers)
        for kind in LayerKind.allCases where kind.isCallable && kind != .input {
            let pattern = try #require(try defaults.keys.first { try Self.matches($0, kind.rawValue) }, "\(kind.rawValue)")
            let arguments = try Self.dereference(try #require(defaults[pattern]), in: schema)
            let named = Set(arguments.objectMembers?["properties"]?.objectMembers?.keys.map { $0 } ?? [])
            let expected = Set(ParameterSpec.table(for: kind).flatMap(\.names))
            #expect(named == expected, "\(kind.rawValue)")
            #expect(arguments.objectMembers?["additionalProperties"] == .boolean(false), "\(kind.rawValue)")

            // Each name, in any case, matches exactly one argument pattern; nothing else does.
            let argumentPatterns = (arguments.objectMembers?["patternProperties"]?.objectMembers ?? [:]).keys
            func matches(_ label: String) throws -> Int {
                try argumentPatterns.filter { try Self.matches($0, label) }.count
            }
            for name in expected {
                #expect(try matches(name) == 1 && matches(name.uppercased()) == 1 && matches(name.lowercased()) == 1, "\(kind.rawValue).\(name)")
            }
            for other in ["filter", "sizes", "kernel", "padding", "xsize", "size_"] {
                #expect(try matches(other) == 0, "\(kind.rawValue).\(other)")
            }
        }
    }

    @Test func enumsAreTheLibrarys() throws {
        let schema = try Self.schema()
        for (pointer, names) in [
            ("/definitions/dtypeName", DType.allCases.map(\.rawValue)),
            ("/definitions/roundingMode", Rounding.allCases.map(\.rawValue)),
        ] {
            let definition = try #require(JSONPointer.resolve(pointer, in: schema))
            let branches = try #require(definition.objectMembers?["anyOf"]?.arrayItems)
            let listed = branches.compactMap { $0.objectMembers?["enum"]?.arrayItems }.flatMap { $0 }.compactMap(\.stringValue)
            #expect(Set(listed) == Set(names), "\(pointer)")
            let definitions = try #require(JSONPointer.resolve("/definitions", in: schema))
            let validator = try JSONSchemaValidator(schema: .object(["definitions": definitions, "$ref": .string("#" + pointer)]))
            for name in names {
                #expect(validator.validate(.string(name)).isEmpty)
                #expect(validator.validate(.string(name.uppercased())).isEmpty)
                #expect(!validator.validate(.string(name + "x")).isEmpty)
            }
        }
    }
}
