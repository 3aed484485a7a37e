/// Decodes UTF-8, or keeps the valid text before the first invalid sequence, so that the error
/// can be placed at its line and column (Foundation only says "no").
enum UTF8Check {
    struct InvalidSequence: Error {
        /// The text before the invalid bytes.
        var validPrefix: String
    }

    static func decode(_ bytes: [UInt8]) -> Result<String, InvalidSequence> {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: return .success(String(scalars))
            case .error: return .failure(InvalidSequence(validPrefix: String(scalars)))
            }
        }
    }
}
