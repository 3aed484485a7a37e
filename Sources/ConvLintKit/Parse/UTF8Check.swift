/// Decodes UTF-8, or says where the first invalid sequence is (Foundation only says "no").
enum UTF8Check {
    /// Where the first invalid byte sequence starts.
    struct InvalidSequence: Error {
        var location: SourceLocation
    }

    static func decode(_ bytes: [UInt8]) -> Result<String, InvalidSequence> {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        var column = 1
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar)
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return .success(String(scalars))
            case .error:
                return .failure(InvalidSequence(location: SourceLocation(line: line, column: column)))
            }
        }
    }
}
