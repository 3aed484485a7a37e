import CYaml

/// A YAML node with the exact span of source it came from.
///
/// convlint composes YAML itself from libyaml's events instead of using `Yams.compose`:
/// it needs each scalar's start *and* end (to place tokens inside `network` strings), the
/// scalar style, and control over aliases, which can make a tiny file expand to billions of
/// nodes (an alias bomb) once walked.
struct YAMLNode {
    enum Content {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    enum ScalarStyle { case plain, singleQuoted, doubleQuoted, literal, folded }

    var content: Content
    /// Scalar index of the node's first character in `SourceFile.scalars`.
    var start: Int
    /// Scalar index just past the node's last character.
    var end: Int
    var location: SourceLocation
    /// Nodes this one stands for once aliases are expanded (saturating).
    var weight: Int

    var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    var kindName: String {
        switch content {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a map"
        }
    }
}

/// A YAML error with libyaml's position.
struct YAMLSyntaxError: Error {
    var message: String
    var location: SourceLocation
    /// libyaml could not parse the text (as opposed to a bound convlint puts on it).
    var fromParser = false
    var help: String?
}

enum YAMLDocument {
    /// Composes the single document of `source`; `nil` for an empty stream.
    static func compose(_ source: SourceFile) throws(YAMLSyntaxError) -> YAMLNode? {
        var utf8 = [UInt8]()
        utf8.reserveCapacity(source.scalars.count)
        for scalar in source.scalars { utf8.append(contentsOf: UTF8.encode(scalar)!) }
        yaml_set_max_nest_level(Int32(Limits.nesting))
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLSyntaxError(message: "out of memory", location: .init(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        return try utf8.withUnsafeBufferPointer { buffer throws(YAMLSyntaxError) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return try withUnsafeMutablePointer(to: &parser) { pointer throws(YAMLSyntaxError) in
                var composer = Composer(parser: pointer, utf8: buffer, source: source)
                return try composer.document()
            }
        }
    }
}

private struct Composer {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let utf8: UnsafeBufferPointer<UInt8>
    let source: SourceFile
    var anchors: [String: YAMLNode] = [:]

    init(parser: UnsafeMutablePointer<yaml_parser_t>, utf8: UnsafeBufferPointer<UInt8>, source: SourceFile) {
        self.parser = parser
        self.utf8 = utf8
        self.source = source
    }

    mutating func next() throws(YAMLSyntaxError) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
        return event
    }

    func error() -> YAMLSyntaxError {
        let state = parser.pointee
        var message = state.problem.map { String(cString: $0) } ?? "malformed YAML"
        if let context = state.context {
            message = "\(String(cString: context)) (line \(state.context_mark.line + 1)): \(message)"
        }
        let location: SourceLocation
        if state.error == YAML_READER_ERROR {
            // The reader reports a byte offset, not a mark.
            let offset = min(Int(state.problem_offset), utf8.count)
            let scalars = utf8[..<offset].reduce(0) { $0 + (UTF8.isContinuation($1) ? 0 : 1) }
            location = source.location(ofIndex: scalars)
        } else {
            location = self.location(state.problem_mark)
        }
        var help: String?
        if message.contains("cannot start any token"), location.line <= source.lineCount,
            source.line(location.line).unicodeScalars.dropFirst(location.column - 1).first == "\t"
        {
            message += " (a tab)"
            help = "YAML indents with spaces only: replace the tab with spaces"
        }
        return YAMLSyntaxError(message: message, location: location, fromParser: true, help: help)
    }

    mutating func document() throws(YAMLSyntaxError) -> YAMLNode? {
        var event = try next()  // stream start
        yaml_event_delete(&event)
        event = try next()
        defer { yaml_event_delete(&event) }
        if event.type == YAML_STREAM_END_EVENT { return nil }
        var body = try next()
        if body.type == YAML_DOCUMENT_END_EVENT {
            yaml_event_delete(&body)
            return nil
        }
        let root = try node(from: &body)
        var end = try next()  // document end
        yaml_event_delete(&end)
        var trailer = try next()
        defer { yaml_event_delete(&trailer) }
        if trailer.type != YAML_STREAM_END_EVENT {
            throw YAMLSyntaxError(
                message: "an architecture file holds one YAML document, but a second one starts here",
                location: location(trailer.start_mark))
        }
        return root
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        // At the end of a file without a final line break, libyaml puts the stream's end on a
        // line of its own, one past the file's last; that is where the text ends.
        guard Int(mark.line) < source.lineCount else { return source.location(ofIndex: source.scalars.count) }
        return SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int? = nil) -> String? {
        guard let pointer else { return nil }
        if let length {
            return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        }
        return String(cString: pointer)
    }

    /// Builds the node that `event` opens, consuming the events of its children. Takes
    /// ownership of `event` and deletes it.
    mutating func node(from event: inout yaml_event_t) throws(YAMLSyntaxError) -> YAMLNode {
        defer { yaml_event_delete(&event) }
        let start = Int(event.start_mark.index)
        let at = location(event.start_mark)
        var node: YAMLNode
        var anchor: String?
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLSyntaxError(message: "alias *\(name) names no anchor", location: at)
            }
            return target
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            anchor = Self.string(scalar.anchor)
            let text = Self.string(scalar.value, Int(scalar.length)) ?? ""
            let style: YAMLNode.ScalarStyle =
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            node = YAMLNode(
                content: .scalar(text, style), start: start, end: Int(event.end_mark.index),
                location: at, weight: 1)
        case YAML_SEQUENCE_START_EVENT:
            anchor = Self.string(event.data.sequence_start.anchor)
            var items = [YAMLNode]()
            var weight = 1
            while true {
                var child = try next()
                if child.type == YAML_SEQUENCE_END_EVENT {
                    node = YAMLNode(
                        content: .sequence(items), start: start, end: Int(child.end_mark.index),
                        location: at, weight: weight)
                    yaml_event_delete(&child)
                    break
                }
                let item = try self.node(from: &child)
                weight = try add(weight, item.weight, at: item.location)
                items.append(item)
            }
        case YAML_MAPPING_START_EVENT:
            anchor = Self.string(event.data.mapping_start.anchor)
            var pairs = [(key: YAMLNode, value: YAMLNode)]()
            var weight = 1
            while true {
                var keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT {
                    node = YAMLNode(
                        content: .mapping(pairs), start: start, end: Int(keyEvent.end_mark.index),
                        location: at, weight: weight)
                    yaml_event_delete(&keyEvent)
                    break
                }
                let key = try self.node(from: &keyEvent)
                var valueEvent = try next()
                let value = try self.node(from: &valueEvent)
                weight = try add(weight, key.weight + value.weight, at: key.location)
                pairs.append((key, value))
            }
        default:
            throw YAMLSyntaxError(message: "unexpected YAML event", location: at)
        }
        if let anchor { anchors[anchor] = node }
        return node
    }

    func add(_ weight: Int, _ more: Int, at location: SourceLocation) throws(YAMLSyntaxError) -> Int {
        let total = weight + more
        guard total <= Limits.yamlNodes else {
            throw YAMLSyntaxError(
                message: "the document expands to more than \(Limits.yamlNodes) YAML nodes "
                    + "once its aliases are followed (an alias bomb?)",
                location: location)
        }
        return total
    }
}
