import Foundation
import Testing

/// The test-support JSON Schema validator: every keyword can fail as well as pass, Foundation's
/// booleans are not numbers, and the OASIS SARIF 2.1.0 schema loads and catches real mistakes.
@Suite struct JSONSchemaValidatorTests {
    /// A schema, instances it must accept, and instances it must reject with `keyword` at `path`.
    struct KeywordCase: Sendable, CustomTestStringConvertible {
        var name: String
        var schema: String
        var valid: [String]
        var invalid: [String]
        /// The keyword expected to fail (defaults to `name`).
        var keyword: String?
        /// The expected instance path of the failure.
        var path = ""

        var testDescription: String { name }
    }

    static let keywordCases: [KeywordCase] = [
        // $ref
        KeywordCase(
            name: "$ref", schema: ##"{"definitions": {"pos": {"type": "integer", "minimum": 1}}, "properties": {"a": {"$ref": "#/definitions/pos"}}}"##,
            valid: [#"{"a": 1}"#, "{}"], invalid: [#"{"a": 0}"#], keyword: "minimum", path: "/a"),
        KeywordCase(
            name: "$ref to an escaped pointer", schema: ##"{"definitions": {"a/b~c": {"type": "string"}}, "$ref": "#/definitions/a~1b~0c"}"##,
            valid: [#""x""#], invalid: ["1"], keyword: "type"),
        KeywordCase(
            name: "$ref ignores its siblings (draft-07)", schema: ##"{"definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s", "minLength": 5}"##,
            valid: [#""x""#], invalid: ["2"], keyword: "type"),
        KeywordCase(
            name: "$ref to the root", schema: ##"{"type": "array", "items": {"$ref": "#"}}"##,
            valid: ["[]", "[[], [[]]]"], invalid: ["[[1]]"], keyword: "type", path: "/0/0"),
        // type
        KeywordCase(name: "type string", schema: #"{"type": "string"}"#, valid: [#""x""#, #""""#], invalid: ["1", "null", "[]"], keyword: "type"),
        KeywordCase(name: "type integer", schema: #"{"type": "integer"}"#, valid: ["3", "-7", "3.0", "0"], invalid: ["3.5", "true", "false", #""3""#], keyword: "type"),
        KeywordCase(name: "type number", schema: #"{"type": "number"}"#, valid: ["1", "1.5", "-0.25", "1e300"], invalid: ["true", #""1""#, "null"], keyword: "type"),
        KeywordCase(name: "type boolean", schema: #"{"type": "boolean"}"#, valid: ["true", "false"], invalid: ["1", "0", #""true""#], keyword: "type"),
        KeywordCase(name: "type null", schema: #"{"type": "null"}"#, valid: ["null"], invalid: ["0", "false", #""""#], keyword: "type"),
        KeywordCase(name: "type object", schema: #"{"type": "object"}"#, valid: ["{}", #"{"a": 1}"#], invalid: ["[]", "1"], keyword: "type"),
        KeywordCase(name: "type array", schema: #"{"type": "array"}"#, valid: ["[]", "[1, true]"], invalid: ["{}", #""[]""#], keyword: "type"),
        KeywordCase(name: "type list", schema: #"{"type": ["string", "null"]}"#, valid: [#""a""#, "null"], invalid: ["1", "false"], keyword: "type"),
        // enum, const
        KeywordCase(name: "enum", schema: #"{"enum": ["a", 1, null]}"#, valid: [#""a""#, "1", "1.0", "null"], invalid: [#""b""#, "true", "2"]),
        KeywordCase(name: "const", schema: #"{"const": 0}"#, valid: ["0", "0.0"], invalid: ["false", "1", #""0""#]),
        KeywordCase(name: "const object", schema: #"{"const": {"a": [1, "x"]}}"#, valid: [#"{"a": [1, "x"]}"#], invalid: [#"{"a": ["x", 1]}"#, #"{"a": [1, "x"], "b": 2}"#], keyword: "const"),
        // objects
        KeywordCase(
            name: "properties", schema: #"{"properties": {"a": {"type": "string"}}}"#,
            valid: [#"{"a": "x"}"#, "{}", #"{"b": 1}"#, "7"], invalid: [#"{"a": 1}"#], keyword: "type", path: "/a"),
        KeywordCase(name: "required", schema: #"{"required": ["a", "b"]}"#, valid: [#"{"a": null, "b": 0}"#, "[]"], invalid: [#"{"a": 1}"#, "{}"]),
        KeywordCase(
            name: "additionalProperties false", schema: #"{"properties": {"a": {}}, "additionalProperties": false}"#,
            valid: [#"{"a": 1}"#, "{}"], invalid: [#"{"a": 1, "b": 2}"#], keyword: "additionalProperties", path: "/b"),
        KeywordCase(
            name: "additionalProperties schema", schema: #"{"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}"#,
            valid: [#"{"a": "s", "x": 1}"#], invalid: [#"{"x": "s"}"#], keyword: "type", path: "/x"),
        KeywordCase(
            name: "patternProperties", schema: #"{"patternProperties": {"^x-": {"type": "integer"}}}"#,
            valid: [#"{"x-a": 1, "y": "s"}"#], invalid: [#"{"x-a": "s"}"#], keyword: "type", path: "/x-a"),
        KeywordCase(
            name: "patternProperties and additionalProperties",
            schema: #"{"patternProperties": {"^[Cc][Oo][Nn][Vv]$": {}}, "additionalProperties": false}"#,
            valid: [#"{"CONV": 1, "conv": 2, "Conv": 3}"#], invalid: [#"{"CONV2": 1}"#], keyword: "additionalProperties", path: "/CONV2"),
        KeywordCase(
            name: "patternProperties search is unanchored", schema: #"{"patternProperties": {"b": {"type": "null"}}}"#,
            valid: [#"{"xyz": 1}"#], invalid: [#"{"abc": 1}"#], keyword: "type", path: "/abc"),
        KeywordCase(
            name: "instance path escapes", schema: #"{"additionalProperties": false}"#,
            valid: ["{}"], invalid: [#"{"a/b~c": 1}"#], keyword: "additionalProperties", path: "/a~1b~0c"),
        KeywordCase(name: "propertyNames", schema: #"{"propertyNames": {"pattern": "^[a-z]+$"}}"#, valid: [#"{"ab": 1}"#], invalid: [#"{"aB": 1}"#], keyword: "pattern", path: "/aB"),
        KeywordCase(name: "minProperties", schema: #"{"minProperties": 1}"#, valid: [#"{"a": 1}"#], invalid: ["{}"]),
        KeywordCase(name: "maxProperties", schema: #"{"maxProperties": 1}"#, valid: [#"{"a": 1}"#, "{}"], invalid: [#"{"a": 1, "b": 2}"#]),
        // arrays
        KeywordCase(name: "items", schema: #"{"items": {"type": "integer"}}"#, valid: ["[]", "[1, 2]", #"{"a": "x"}"#], invalid: [#"[1, "a"]"#], keyword: "type", path: "/1"),
        KeywordCase(
            name: "items tuple and additionalItems", schema: #"{"items": [{"type": "string"}], "additionalItems": {"type": "integer"}}"#,
            valid: [#"["a", 1, 2]"#, "[]"], invalid: [#"["a", "b"]"#], keyword: "type", path: "/1"),
        KeywordCase(name: "minItems", schema: #"{"minItems": 3}"#, valid: ["[1, 2, 3]", "[1, 2, 3, 4]"], invalid: ["[1, 2]", "[]"]),
        KeywordCase(name: "maxItems", schema: #"{"maxItems": 3}"#, valid: ["[]", "[1, 2, 3]"], invalid: ["[1, 2, 3, 4]"]),
        KeywordCase(
            name: "uniqueItems", schema: #"{"uniqueItems": true}"#,
            valid: ["[1, 2]", "[1, true]", "[0, false]", #"[{"a": 1}, {"a": 2}]"#],
            invalid: ["[1, 1]", "[1, 1.0]", #"[{"a": 1}, {"a": 1}]"#, #"[[1, "x"], [1, "x"]]"#]),
        KeywordCase(name: "uniqueItems false", schema: #"{"uniqueItems": false, "maxItems": 1}"#, valid: ["[1]"], invalid: ["[1, 1]"], keyword: "maxItems"),
        KeywordCase(name: "contains", schema: #"{"contains": {"const": 3}}"#, valid: ["[1, 3]"], invalid: ["[1, 2]", "[]"]),
        // numbers
        KeywordCase(name: "minimum", schema: #"{"minimum": 1}"#, valid: ["1", "1.5", #""0""#], invalid: ["0", "0.999", "-5"]),
        KeywordCase(name: "maximum", schema: #"{"maximum": 1}"#, valid: ["1", "-3"], invalid: ["1.0001", "2"]),
        KeywordCase(name: "exclusiveMinimum", schema: #"{"exclusiveMinimum": 0}"#, valid: ["0.001", "1"], invalid: ["0", "-1"]),
        KeywordCase(name: "exclusiveMaximum", schema: #"{"exclusiveMaximum": 1}"#, valid: ["0.999", "0"], invalid: ["1", "1.0", "2"]),
        KeywordCase(name: "multipleOf", schema: #"{"multipleOf": 4}"#, valid: ["8", "0", "-12"], invalid: ["6", "4.5"]),
        // strings
        KeywordCase(name: "pattern", schema: #"{"pattern": "^[0-9]+x[0-9]+$"}"#, valid: [#""3x3""#, "33"], invalid: [#""3x""#, #""a3x3""#]),
        KeywordCase(name: "pattern search is unanchored", schema: #"{"pattern": "[^/]+/.+"}"#, valid: [#""text/plain""#, #""//a/b""#], invalid: [#""plain""#, #""a/""#], keyword: "pattern"),
        KeywordCase(name: "minLength", schema: #"{"minLength": 2}"#, valid: [#""ab""#, #""é1""#, "5"], invalid: [#""é""#, #""""#]),
        KeywordCase(name: "maxLength", schema: #"{"maxLength": 2}"#, valid: [#""ab""#, #""😀é""#], invalid: [#""abc""#]),
        // combinators
        KeywordCase(name: "anyOf", schema: #"{"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^x"}]}"#, valid: ["1", #""xy""#], invalid: [#""yx""#, "1.5", "null"]),
        KeywordCase(name: "oneOf", schema: #"{"oneOf": [{"type": "integer"}, {"minimum": 10}]}"#, valid: ["1", "10.5"], invalid: ["10", "1.5"]),
        KeywordCase(name: "allOf", schema: #"{"allOf": [{"type": "integer"}, {"minimum": 10}]}"#, valid: ["10"], invalid: ["9"], keyword: "minimum"),
        KeywordCase(name: "not", schema: #"{"not": {"type": "string"}}"#, valid: ["1", "null"], invalid: [#""s""#]),
        KeywordCase(
            name: "if then else", schema: #"{"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}}"#,
            valid: ["1", #""s""#], invalid: ["-1"], keyword: "minimum"),
        KeywordCase(name: "false schema", schema: #"{"properties": {"a": false}}"#, valid: ["{}"], invalid: [#"{"a": null}"#], keyword: "false", path: "/a"),
    ]

    @Test(arguments: keywordCases)
    func keywordPassesAndFails(_ example: KeywordCase) throws {
        let validator = try JSONSchemaValidator(json: example.schema)
        for instance in example.valid {
            let errors = try validator.validate(json: instance)
            #expect(errors.isEmpty, "\(instance) should be valid: \(errors)")
        }
        for instance in example.invalid {
            let errors = try validator.validate(json: instance)
            let keyword = example.keyword ?? example.name
            #expect(
                errors.contains { $0.keyword == keyword && $0.instancePath == example.path },
                "\(instance) should fail '\(keyword)' at '\(example.path)', got \(errors)")
        }
    }

    @Test func failuresNameTheSchemaPathAndTheAlternatives() throws {
        let validator = try JSONSchemaValidator(json: #"""
            {"definitions": {"size": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+x[0-9]+$"}]}},
             "properties": {"sizes": {"items": {"$ref": "#/definitions/size"}}}}
            """#)
        let errors = try validator.validate(json: #"{"sizes": [3, "3x3", "three"]}"#)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.instancePath == "/sizes/2")
        #expect(error.keyword == "anyOf")
        #expect(error.schemaPath == "#/definitions/size/anyOf")
        #expect(error.message.contains("[0] type: expected integer, got string"))
        #expect(error.message.contains("[1] pattern"))
        #expect(error.description.hasPrefix("/sizes/2: anyOf: matches none of 2 alternatives"))
    }

    @Test func referenceCyclesEndInAnError() throws {
        let selfReference = try JSONSchemaValidator(json: ##"{"$ref": "#"}"##)
        let errors = selfReference.validate(.integer(1))
        #expect(errors.count == 1)
        #expect(errors.first?.keyword == "$ref")
        #expect(errors.first?.message.contains("cycle") == true)

        let mutual = try JSONSchemaValidator(
            json: ##"{"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"anyOf": [{"$ref": "#/definitions/a"}]}}, "$ref": "#/definitions/a"}"##,
            maxDepth: 20)
        let mutualErrors = mutual.validate(.string("x"))
        #expect(!mutualErrors.isEmpty)
        #expect(mutualErrors.allSatisfy { $0.keyword == "anyOf" || $0.keyword == "$ref" })
    }

    @Test func unresolvableReferencesAreErrors() throws {
        for reference in ["#/definitions/missing", "other.json#/a", "#/properties/x/0"] {
            let validator = try JSONSchemaValidator(json: #"{"properties": {"x": {"$ref": "\#(reference)"}}}"#)
            let errors = try validator.validate(json: #"{"x": 1}"#)
            #expect(errors.map(\.keyword) == ["$ref"], "\(reference): \(errors)")
            #expect(validator.lint().count == 1, "\(reference)")
        }
    }

    @Test func schemasMustBeObjectsOrBooleans() throws {
        #expect(throws: JSONSchemaValidator.SchemaLoadError.self) { try JSONSchemaValidator(json: "[1]") }
        #expect(throws: JSONSchemaValidator.SchemaLoadError.self) { try JSONSchemaValidator(json: "{") }
        #expect(try JSONSchemaValidator(json: "true").validate(json: "[1]").isEmpty)
        #expect(try JSONSchemaValidator(json: "false").validate(json: "1").map(\.keyword) == ["false"])
    }

    @Test func lintFindsUnknownKeywordsBrokenReferencesAndBadPatterns() throws {
        let validator = try JSONSchemaValidator(json: #"""
            {"type": "object", "requried": ["a"], "description": "ok",
             "properties": {"a": {"$ref": "#/definitions/nope"}, "b": {"pattern": "("}, "c": {"type": "text"}},
             "patternProperties": {"[": {}}, "definitions": {"d": {"minItems": -1}}}
            """#)
        let problems = validator.lint()
        #expect(problems.contains { $0.contains("unknown keyword 'requried'") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("#/properties/a/$ref") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("#/properties/b/pattern") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("#/properties/c/type") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("#/patternProperties") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("#/definitions/d/minItems") }, "\(problems)")
        #expect(problems.count == 6, "\(problems)")
        #expect(try JSONSchemaValidator(json: #"{"type": "integer", "minimum": 1, "title": "t"}"#).lint().isEmpty)
    }

    // MARK: Foundation values

    @Test func foundationBooleansAreNotNumbers() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"[true, 1, 0, false, 1.5, null, "s"]"#.utf8))
        let instance = try JSONInstance(foundation: parsed)
        #expect(instance == .array([.boolean(true), .integer(1), .integer(0), .boolean(false), .number(1.5), .null, .string("s")]))
        #expect(instance.arrayItems?.map(\.typeName) == ["boolean", "integer", "integer", "boolean", "number", "null", "string"])

        let integer = try JSONSchemaValidator(json: #"{"type": "integer"}"#)
        let boolean = try JSONSchemaValidator(json: #"{"type": "boolean"}"#)
        for value: Any in [NSNumber(value: true), true, NSNumber(value: false), false] {
            #expect(integer.validate(value).map(\.keyword) == ["type"], "\(value)")
            #expect(boolean.validate(value).isEmpty, "\(value)")
        }
        for value: Any in [NSNumber(value: 1), 1, NSNumber(value: 0), 0, Int64(5), UInt32(7), 3.0, NSNumber(value: 4.0)] {
            #expect(integer.validate(value).isEmpty, "\(value)")
            #expect(boolean.validate(value).map(\.keyword) == ["type"], "\(value)")
        }
        #expect(integer.validate(2.5).map(\.keyword) == ["type"])
    }

    @Test func foundationContainersAndNonJSONValues() throws {
        let validator = try JSONSchemaValidator(json: #"{"properties": {"a": {"items": {"type": "integer"}}}, "required": ["a"]}"#)
        let dictionary = NSDictionary(dictionary: ["a": NSArray(array: [NSNumber(value: 1), NSNumber(value: 2)])])
        #expect(validator.validate(dictionary).isEmpty)
        #expect(validator.validate(["a": [1, "x"]] as [String: Any]).map(\.instancePath) == ["/a/1"])
        #expect(validator.validate(["b": NSNull()] as [String: Any]).map(\.keyword) == ["required"])

        let notJSON = validator.validate(["a": [Date()]] as [String: Any])
        #expect(notJSON.count == 1)
        #expect(notJSON.first?.instancePath == "/a/0")
        #expect(notJSON.first?.message.contains("not a JSON value") == true)
        #expect(validator.validate(["a": [Double.nan]] as [String: Any]).count == 1)
    }

    // MARK: SARIF 2.1.0

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func sarifValidator() throws -> JSONSchemaValidator {
        try JSONSchemaValidator(contentsOf: fixtures.appendingPathComponent("sarif-schema-2.1.0.json"))
    }

    /// A small but complete log: one rule, one result with a location.
    static let minimalSARIF = #"""
        {
          "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
          "version": "2.1.0",
          "runs": [{
            "tool": {"driver": {"name": "convlint", "version": "1.0.0", "informationUri": "https://example.com/convlint",
                                "rules": [{"id": "non-integer-output", "shortDescription": {"text": "Output size is not an integer"}}]}},
            "results": [{
              "ruleId": "non-integer-output", "ruleIndex": 0, "level": "error",
              "message": {"text": "(224 − 11 + 2·0)/4 + 1 = 54.25 is not an integer"},
              "locations": [{"physicalLocation": {"artifactLocation": {"uri": "architectures/alexnet-224.yaml"},
                                                  "region": {"startLine": 20, "startColumn": 5, "endColumn": 9}}}]
            }]
          }]
        }
        """#

    /// `minimalSARIF` with one piece of text replaced, checked against the SARIF schema as the
    /// Foundation object `JSONSerialization` makes of it.
    static func sarifErrors(replacing original: String, with replacement: String) throws -> [JSONSchemaValidator.ValidationError] {
        let text = minimalSARIF.replacingOccurrences(of: original, with: replacement)
        #expect(text != minimalSARIF, "'\(original)' is not in the log")
        return try sarifValidator().validate(JSONSerialization.jsonObject(with: Data(text.utf8)))
    }

    @Test func sarifSchemaLoadsAndUsesOnlySupportedKeywords() throws {
        let validator = try Self.sarifValidator()
        #expect(validator.lint().isEmpty, "\(validator.lint())")
        let definitions = try #require(validator.root.objectMembers?["definitions"]?.objectMembers)
        #expect(definitions.count > 40)
        #expect(definitions["result"] != nil && definitions["region"] != nil)
    }

    @Test func minimalSARIFLogValidates() throws {
        let validator = try Self.sarifValidator()
        #expect(try validator.validate(json: Self.minimalSARIF).isEmpty)
        #expect(try validator.validate(json: #"{"version": "2.1.0", "runs": []}"#).isEmpty)
        #expect(validator.validate(try JSONSerialization.jsonObject(with: Data(Self.minimalSARIF.utf8))).isEmpty)
    }

    @Test func sarifWithoutVersionIsRejected() throws {
        let errors = try Self.sarifErrors(replacing: #""version": "2.1.0","#, with: "")
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.instancePath == "")
        #expect(errors.first?.keyword == "required")
        #expect(errors.first?.message.contains("'version'") == true)
    }

    @Test func sarifResultWithUnknownLevelIsRejected() throws {
        let errors = try Self.sarifErrors(replacing: #""level": "error""#, with: #""level": "fatal""#)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.instancePath == "/runs/0/results/0/level")
        #expect(errors.first?.keyword == "enum")
        #expect(errors.first?.schemaPath == "#/definitions/result/properties/level/enum")
    }

    @Test func sarifRegionStartingAtLineZeroIsRejected() throws {
        let errors = try Self.sarifErrors(replacing: #""startLine": 20"#, with: #""startLine": 0"#)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.instancePath == "/runs/0/results/0/locations/0/physicalLocation/region/startLine")
        #expect(errors.first?.keyword == "minimum")
        #expect(errors.first?.schemaPath == "#/definitions/region/properties/startLine/minimum")
    }

    @Test func sarifRejectsOtherMistakes() throws {
        let cases: [(String, String, String, String)] = [
            (#""version": "2.1.0""#, #""version": "2.0.0""#, "/version", "enum"),
            (#""name": "convlint""#, #""nam": "convlint""#, "/runs/0/tool/driver", "required"),
            (#""ruleIndex": 0"#, #""ruleIndex": -2"#, "/runs/0/results/0/ruleIndex", "minimum"),
            (#""message": {"text""#, #""message": {"txt""#, "/runs/0/results/0/message", "anyOf"),
            (#""startColumn": 5"#, #""startColumn": "5""#, "/runs/0/results/0/locations/0/physicalLocation/region/startColumn", "type"),
        ]
        for (original, replacement, path, keyword) in cases {
            let errors = try Self.sarifErrors(replacing: original, with: replacement)
            #expect(errors.contains { $0.instancePath == path && $0.keyword == keyword }, "\(replacement): \(errors)")
        }
    }
}
