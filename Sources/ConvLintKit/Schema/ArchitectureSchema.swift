import Foundation

/// The JSON Schema (draft-07) of an architecture file, for editors. With it, a YAML language
/// server (VS Code's YAML extension, Neovim's yamlls, JetBrains IDEs) completes the top-level
/// keys, the layer kinds in `defaults` and their argument names, shows what each key means on
/// hover, and flags unknown keys, wrong types and out-of-range values as you type. Point a file
/// at it with a first-line comment,
///
/// ```yaml
/// # yaml-language-server: $schema=../docs/convlint.schema.json
/// ```
///
/// or map a glob such as `architectures/*.yaml` to `docs/convlint.schema.json` in the editor's
/// `yaml.schemas` setting.
///
/// The schema checks a file's structure as the decoder does (SPEC §1, docs/FORMAT.md §1): the
/// nine top-level keys and their types, a `WxHxD` or `[W, H, D]` input, `dtype` and `rounding`
/// in any case, the kinds in `defaults` (any case; not INPUT) with exactly their arguments and
/// aliases (`filters`/`K`, `size`/`F`, …) and the forms of their values (`N`, `WxH`, `same`, a
/// decimal in [0, 1), a variable's name), variable names and values, block signatures (not
/// named like a layer kind or a paper name) and non-blank patterns. It does not parse patterns,
/// look up names, check rules that span keys (an argument set twice through an alias, a kind
/// listed twice in different case, a missing input shape) or infer shapes: `convlint` reports
/// those, with line and column.
///
/// It is never stricter than `convlint`, except for numbers and booleans written as quoted
/// strings (`batch: "4"`, `vars: {B: "true"}`), which `convlint` reads as their text. `name`
/// may be any scalar, as `convlint` shows it as written (`name: 2024`).
///
/// This string is the one source: `docs/convlint.schema.json` is a byte-identical copy plus a
/// trailing newline, and `ArchitectureSchemaTests` fails when the two differ, when the
/// library's layer kinds, arguments, dtypes or rounding modes and the schema's disagree, or
/// when a file in `architectures/` does not validate.
public enum ArchitectureSchema {
    /// The schema as JSON text, without a trailing newline.
    public static let json: String = skeleton
        .replacingOccurrences(of: "    \"__ARGUMENTS__\": null,", with: argumentDefinitions())
        .replacingOccurrences(of: "\"__KIND_DEFAULTS__\"", with: kindDefaults().serialized(indent: 3))
        .replacingOccurrences(of: "\"__KIND_ARGUMENTS__\"", with: kindArguments().serialized(indent: 3))

    /// The kinds `defaults` may set: every callable kind but INPUT.
    private static var defaultable: [KindDefinition] {
        KindCatalog.definitions.filter { $0.isCallable && $0.kind != .input }
    }

    /// The argument maps `defaults` takes, one per group of kinds with the same arguments, built
    /// from the tables the expander reads (`ParameterSpec`), so that the schema and convlint
    /// cannot disagree on names or aliases.
    static var argumentGroups: [(key: String, kinds: [LayerKind], parameters: [ParameterSpec])] {
        var groups = [(key: String, kinds: [LayerKind], parameters: [ParameterSpec])]()
        for definition in defaultable {
            if let index = groups.firstIndex(where: { $0.key == definition.argumentGroup }) {
                groups[index].kinds.append(definition.kind)
            } else {
                groups.append((definition.argumentGroup, [definition.kind], definition.parameters))
            }
        }
        return groups
    }

    /// `"convArguments": {…},` lines for every group, indented as entries of `definitions`.
    static func argumentDefinitions() -> String {
        argumentGroups.map { group -> String in
            let names = group.kinds.map(\.rawValue)
            let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
            let description = group.parameters.isEmpty
                ? "This kind takes no arguments: only an empty map is allowed."
                : "Arguments for \(list), by name (or alias; case-insensitive)."
            let value = arguments(group.parameters, description).serialized(indent: 2)
            return "    \(JSONValue.string(group.key).serialized()): \(value),"
        }.joined(separator: "\n")
    }

    /// `defaults`' entries by kind, for editor hovers.
    private static func kindDefaults() -> JSONValue {
        .object(defaultable.map { ($0.kind.rawValue, .object([("description", .string($0.defaultsSummary))])) })
    }

    /// `defaults`' kind names in any case, each with its group's arguments.
    private static func kindArguments() -> JSONValue {
        .object(defaultable.map {
            ("^\(caseInsensitive($0.kind.rawValue))$", .object([("$ref", .string("#/definitions/\($0.argumentGroup)"))]))
        })
    }

    private static func arguments(_ specs: [ParameterSpec], _ description: String) -> JSONValue {
        var object: [(String, JSONValue)] = [("description", .string(description)), ("type", .string("object"))]
        if !specs.isEmpty {
            var properties = [(String, JSONValue)]()
            var patterns = [(String, JSONValue)]()
            for spec in specs {
                properties.append((spec.name, .object([("description", .string(spec.summary))])))
                for alias in spec.aliases {
                    properties.append((alias, .object([("description", .string("Alias of \(spec.name). \(spec.summary)"))])))
                }
                let names = spec.names.map(caseInsensitive)
                let pattern = names.count == 1 ? "^\(names[0])$" : "^(\(names.joined(separator: "|")))$"
                patterns.append((pattern, valueSchema(spec.form)))
            }
            object.append(("properties", .object(properties)))
            object.append(("patternProperties", .object(patterns)))
        }
        object.append(("additionalProperties", .bool(false)))
        return .object(object)
    }

    /// `[Ff][Cc]`: a regular expression matching `name` in any case.
    private static func caseInsensitive(_ name: String) -> String {
        name.map { $0.isLetter ? "[\($0.uppercased())\($0.lowercased())]" : String($0) }.joined()
    }

    private static func valueSchema(_ form: ParameterSpec.Form) -> JSONValue {
        func reference(_ definition: String) -> JSONValue { .object([("$ref", .string("#/definitions/\(definition)"))]) }
        switch form {
        case .count: return reference("count")
        case .index: return .object([("type", .string("integer")), ("minimum", .int(0))])
        case .pair(let minimum): return reference(minimum >= 1 ? "window" : "outputPad")
        case .padding: return reference("padding")
        case .boolean: return reference("flag")
        case .rounding: return reference("roundingMode")
        case .rate: return reference("rate")
        case .shape: return reference("positiveInteger")
        case .choice(let words):
            return .object([
                ("type", .string("string")),
                ("pattern", .string("^(\(words.map(caseInsensitive).joined(separator: "|")))$")),
            ])
        }
    }

    /// Everything but the argument maps, written out.
    private static let skeleton: String = #"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "$comment": "Written in Sources/ConvLintKit/Schema/ArchitectureSchema.swift (ArchitectureSchema.json); docs/convlint.schema.json is a copy that ArchitectureSchemaTests keeps identical. The format: docs/FORMAT.md.",
          "title": "convlint architecture file",
          "description": "A convolutional network described as a pattern of layers, which convlint expands, checks (output volumes W x H x D that fit) and costs (params, MACs, memory). See docs/FORMAT.md.",
          "type": "object",
          "required": [
            "network"
          ],
          "additionalProperties": false,
          "properties": {
            "name": {
              "description": "Name of the network, shown in reports. Default: the file name without its extension. Example: name: VGG16",
              "type": [
                "string",
                "number",
                "boolean"
              ]
            },
            "input": {
              "description": "The input volume W x H x D (width, height, depth: the CS231n notes' order; depth is the channels). Required unless the network opens with INPUT(WxHxD); if both are given they must agree. --input overrides it. Examples: input: 224x224x3, input: [224, 224, 3]",
              "anyOf": [
                {
                  "type": "string",
                  "pattern": "^\\s*[0-9]*[1-9][0-9]*[xX][0-9]*[1-9][0-9]*[xX][0-9]*[1-9][0-9]*\\s*$"
                },
                {
                  "type": "array",
                  "items": {
                    "$ref": "#/definitions/positiveInteger"
                  },
                  "minItems": 3,
                  "maxItems": 3
                }
              ]
            },
            "batch": {
              "description": "Images per batch, which scales the byte figures (forward_bytes, inference_peak_bytes, training_bytes); the other figures are per image. Default 1. --batch overrides it. Example: batch: 32",
              "allOf": [
                {
                  "$ref": "#/definitions/positiveInteger"
                }
              ]
            },
            "dtype": {
              "description": "Element type, which sets the bytes per value in the byte figures: float32 (4 bytes, the default), float16 and bfloat16 (2), float64 (8), int8 (1). Case-insensitive; --dtype overrides it. Example: dtype: float16",
              "allOf": [
                {
                  "$ref": "#/definitions/dtypeName"
                }
              ]
            },
            "rounding": {
              "description": "What to do when an output size (W - Fe + 2P)/S + 1 is not a whole number: strict (the default and the CS231n notes' rule: an error), floor (PyTorch's default: round down, with a warning) or ceil (Caffe and PyTorch's ceil_mode=True: round up, with a warning). CONV, DECONV and pools may override it with rounding=... Case-insensitive; --rounding overrides it. Example: rounding: floor",
              "allOf": [
                {
                  "$ref": "#/definitions/roundingMode"
                }
              ]
            },
            "defaults": {
              "description": "Default arguments per layer kind (kind names are case-insensitive), with the same argument names and aliases as calls; values may name variables. Precedence, lowest first: built-in < defaults < paper name (conv3-64) < the call. POOL's defaults also apply to MAXPOOL and AVGPOOL; CONV's to conv3-64. Example: defaults: {CONV: {size: 3, stride: 1, pad: 1}, POOL: {size: 2, stride: 2}}",
              "type": "object",
              "properties": "__KIND_DEFAULTS__",
              "patternProperties": "__KIND_ARGUMENTS__",
              "additionalProperties": false
            },
            "vars": {
              "description": "Variables for patterns: counts (*N), conditions (X?B) and argument values (CONV(F)). Each is an integer, a decimal (a rate), a boolean, or a (nested) list of them; a list is indexed by the repetitions that enclose its use, outermost first, and its length must equal that repetition's count. Names are case-sensitive letters, digits and _. --set NAME=VALUE overrides one. Example: vars: {N: [2, 2, 3, 3, 3], F: [64, 128, 256, 512, 512]}",
              "type": "object",
              "patternProperties": {
                "^[A-Za-z_][A-Za-z0-9_]*$": {
                  "$ref": "#/definitions/variableValue"
                }
              },
              "additionalProperties": false
            },
            "blocks": {
              "description": "Reusable sub-networks, called like layers. The key is the signature, name or name(P, Q); the value is the body's pattern, in which the parameters are names. Every parameter must be given at the call, by position or by name: unit(16, 1) or unit(S=2, C=32). A block may call other blocks but not itself, and may not be named like a layer kind or a paper name. Example: basic(C): (CONV(C) -> BN -> RELU -> CONV(C) -> BN + ID) -> RELU",
              "type": "object",
              "patternProperties": {
                "^\\s*[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*\\s*(\\(\\s*[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*(\\s*,\\s*[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*)*\\s*\\))?\\s*$": {
                  "$ref": "#/definitions/pattern"
                },
                "^\\s*([Ii][Nn][Pp][Uu][Tt]|[Cc][Oo][Nn][Vv]|[Dd][Ee][Cc][Oo][Nn][Vv]|[Pp][Oo][Oo][Ll]|[Mm][Aa][Xx][Pp][Oo][Oo][Ll]|[Aa][Vv][Gg][Pp][Oo][Oo][Ll]|[Gg][Aa][Pp]|[Ff][Cc]|[Ff][Ll][Aa][Tt][Tt][Ee][Nn]|[Rr][Ee][Ll][Uu]|[Ll][Ee][Aa][Kk][Yy][Rr][Ee][Ll][Uu]|[Rr][Ee][Ll][Uu]6|[Ss][Ii][Gg][Mm][Oo][Ii][Dd]|[Tt][Aa][Nn][Hh]|[Gg][Ee][Ll][Uu]|[Ss][Oo][Ff][Tt][Mm][Aa][Xx]|[Bb][Nn]|[Ll][Nn]|[Ll][Rr][Nn]|[Dd][Rr][Oo][Pp][Oo][Uu][Tt]|[Ii][Dd]|[Cc][Oo][Nn][Cc][Aa][Tt]|[Aa][Dd][Dd]|[Cc][Oo][Nn][Vv][0-9]*[1-9][0-9]*-[0-9]*[1-9][0-9]*|[Ff][Cc]-[0-9]*[1-9][0-9]*|[Ss][Oo][Ff][Tt]-[Mm][Aa][Xx])\\s*(\\(|$)": {
                  "description": "A block may not be named like a layer kind (CONV, POOL, ...) or a VGG paper name (conv3-64, FC-4096, soft-max).",
                  "not": {}
                }
              },
              "additionalProperties": false
            },
            "network": {
              "description": "Required. The network as a pattern of layers, or a list of patterns, one stage per item, chained with '->' (this keeps diagnostics line-exact). A -> B chains, [X]*N repeats, X?B is optional, (A | B) concatenates branches along depth, (A + ID) sums them. YAML needs quotes around an item that starts with '['. Examples: network: INPUT -> [CONV(16, F=3, P=1) -> RELU -> POOL]*2 -> FC(10); or the item - \"[CONV(8, F=3, P=1) -> RELU]*2 -> POOL\"",
              "anyOf": [
                {
                  "$ref": "#/definitions/pattern"
                },
                {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "$ref": "#/definitions/pattern"
                  }
                }
              ]
            }
          },
          "definitions": {
            "positiveInteger": {
              "description": "A whole number from 1 to 2^40 (1,099,511,627,776).",
              "type": "integer",
              "minimum": 1,
              "maximum": 1099511627776
            },
            "name": {
              "description": "A name looked up where the layer is used: a block parameter, then a variable from 'vars', then a keyword (same, valid, true, false, floor, ceil, strict). Example: F.",
              "type": "string",
              "pattern": "^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$"
            },
            "count": {
              "description": "A whole number of at least 1, or a name (block parameter or variable). Example: 64.",
              "anyOf": [
                {
                  "$ref": "#/definitions/positiveInteger"
                },
                {
                  "$ref": "#/definitions/name"
                }
              ]
            },
            "window": {
              "description": "N, or WxH for a rectangle (width x height), each at least 1; or a name. Examples: 3, 1x7.",
              "anyOf": [
                {
                  "$ref": "#/definitions/positiveInteger"
                },
                {
                  "type": "string",
                  "pattern": "^[0-9]*[1-9][0-9]*[xX][0-9]*[1-9][0-9]*$"
                },
                {
                  "$ref": "#/definitions/name"
                }
              ]
            },
            "outputPad": {
              "description": "N or WxH, each at least 0 and smaller than the stride; or a name. Example: 1.",
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 0,
                  "maximum": 1099511627776
                },
                {
                  "type": "string",
                  "pattern": "^[0-9]+[xX][0-9]+$"
                },
                {
                  "$ref": "#/definitions/name"
                }
              ]
            },
            "padding": {
              "description": "Zeros added on each side: N or WxH (each at least 0), 'same' or 'valid' (case-insensitive), or a name. Examples: 1, 0x3, same.",
              "anyOf": [
                {
                  "enum": [
                    "same",
                    "valid"
                  ]
                },
                {
                  "type": "integer",
                  "minimum": 0,
                  "maximum": 1099511627776
                },
                {
                  "type": "string",
                  "pattern": "^[0-9]+[xX][0-9]+$"
                },
                {
                  "$ref": "#/definitions/name"
                }
              ]
            },
            "flag": {
              "description": "true or false, or the name of a boolean variable.",
              "anyOf": [
                {
                  "type": "boolean"
                },
                {
                  "$ref": "#/definitions/name"
                }
              ]
            },
            "rate": {
              "description": "A decimal in [0, 1), or a name. Example: 0.5.",
              "anyOf": [
                {
                  "type": "number",
                  "minimum": 0,
                  "exclusiveMaximum": 1
                },
                {
                  "$ref": "#/definitions/name"
                }
              ]
            },
            "roundingMode": {
              "description": "strict (a non-integer output size is an error), floor (PyTorch's default) or ceil (Caffe, PyTorch ceil_mode=True); case-insensitive.",
              "anyOf": [
                {
                  "enum": [
                    "strict",
                    "floor",
                    "ceil"
                  ]
                },
                {
                  "type": "string",
                  "pattern": "^([Ss][Tt][Rr][Ii][Cc][Tt]|[Ff][Ll][Oo][Oo][Rr]|[Cc][Ee][Ii][Ll])$"
                }
              ]
            },
            "dtypeName": {
              "description": "float32 (4 bytes), float16 or bfloat16 (2 bytes), float64 (8 bytes), int8 (1 byte); case-insensitive.",
              "anyOf": [
                {
                  "enum": [
                    "float32",
                    "float16",
                    "bfloat16",
                    "float64",
                    "int8"
                  ]
                },
                {
                  "type": "string",
                  "pattern": "^([Ff][Ll][Oo][Aa][Tt]32|[Ff][Ll][Oo][Aa][Tt]16|[Bb][Ff][Ll][Oo][Aa][Tt]16|[Ff][Ll][Oo][Aa][Tt]64|[Ii][Nn][Tt]8)$"
                }
              ]
            },
            "__ARGUMENTS__": null,
            "variableValue": {
              "description": "An integer, a decimal (a rate, such as DROPPATH's), a boolean, or a list of them (lists may nest, one level per enclosing repetition).",
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": -1099511627776,
                  "maximum": 1099511627776
                },
                {
                  "type": "number"
                },
                {
                  "type": "boolean"
                },
                {
                  "type": "array",
                  "items": {
                    "$ref": "#/definitions/variableValue"
                  }
                }
              ]
            },
            "pattern": {
              "description": "A layer pattern: layers joined by '->', e.g. CONV(64, F=3, P=1) -> BN -> RELU. [X]*N repeats, X?B is optional, (A | B) concatenates branches along depth, (A + ID) sums them, (ID * GAP -> ... -> SIGMOID) multiplies them (a gate). Arguments may be integer arithmetic: CONV(4*C), C/4, [X]*(N-1).",
              "type": "string",
              "pattern": "\\S"
            }
          }
        }
        """#
}
