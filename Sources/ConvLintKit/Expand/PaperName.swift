/// The VGG paper's layer names (SPEC §3): `conv<F>-<K>` ≡ CONV(K, F=F, P=same),
/// `FC-<N>` ≡ FC(N), `soft-max` ≡ SOFTMAX. (`maxpool` is the MAXPOOL kind itself, since kinds
/// are case-insensitive; its built-in 2x2 window with stride 2 is the paper's.)
struct PaperName {
    var kind: LayerKind
    var preset: [(parameter: String, value: Value)]

    static func layer(named name: String) -> PaperName? {
        let lower = name.lowercased()
        if lower == "soft-max" { return PaperName(kind: .softmax, preset: []) }
        if lower.hasPrefix("fc-"), let units = positive(lower.dropFirst(3)) {
            return PaperName(kind: .fc, preset: [("units", .integer(units))])
        }
        if lower.hasPrefix("conv"), let dash = lower.firstIndex(of: "-"),
            let size = positive(lower[lower.index(lower.startIndex, offsetBy: 4)..<dash]),
            let filters = positive(lower[lower.index(after: dash)...])
        {
            return PaperName(
                kind: .conv,
                preset: [("filters", .integer(filters)), ("size", .integer(size)), ("pad", .keyword("same"))])
        }
        return nil
    }

    private static func positive(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        return Int(text).flatMap { $0 >= 1 ? $0 : nil }
    }
}
