/// The text of a pattern (a `network` line, a block body, a `defaults` value) with the source
/// location of each of its characters, so that every token can be reported where it stands
/// in the file — also inside folded (`>`) and literal (`|`) scalars, whose value differs from
/// the source by indentation and line breaks.
struct PatternText {
    var scalars: [Unicode.Scalar]
    var locations: [SourceLocation]
    /// Where an empty pattern, or the end of one, is reported.
    var endLocation: SourceLocation

    init(scalars: [Unicode.Scalar], locations: [SourceLocation], endLocation: SourceLocation) {
        self.scalars = scalars
        self.locations = locations
        self.endLocation = endLocation
    }

    /// Aligns a YAML scalar's value with its source span. Characters of the value appear in
    /// the source in order; what lies between them is indentation, line breaks, quotes, a
    /// block header or an escape. The scan never moves backwards, so it is linear.
    init(node: YAMLNode, in source: SourceFile) {
        let value = Array((node.scalar ?? "").unicodeScalars)
        let raw = source.scalars
        let end = min(node.end, raw.count)
        var position = min(node.start, end)
        if case .scalar(_, let style) = node.content, style == .literal || style == .folded {
            // Skip the `|`/`>` header line, which may carry a comment.
            while position < end, raw[position] != "\n" { position += 1 }
        }
        var locations = [SourceLocation]()
        locations.reserveCapacity(value.count)
        let maxSkip = 8
        for character in value {
            var probe = position
            var skipped = 0
            var found: Int?
            while probe < end {
                let candidate = raw[probe]
                if candidate == character
                    || (character.properties.isWhitespace && candidate.properties.isWhitespace)
                {
                    found = probe
                    break
                }
                if !candidate.properties.isWhitespace {
                    skipped += 1
                    if skipped > maxSkip { break }
                }
                probe += 1
            }
            if let found {
                locations.append(source.location(ofIndex: found))
                position = found + 1
            } else {
                locations.append(source.location(ofIndex: max(node.start, min(position, end - 1))))
            }
        }
        self.init(
            scalars: value, locations: locations,
            endLocation: locations.last ?? source.location(ofIndex: node.start))
    }

    func location(at index: Int) -> SourceLocation {
        index < locations.count ? locations[index] : endLocation
    }
}
