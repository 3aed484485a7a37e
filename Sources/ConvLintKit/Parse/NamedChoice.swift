/// A setting chosen by name on the command line (`--dtype bfloat16`, `--vary optimizer=sgd,adam`).
extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// The case named `text`, in any letter case.
    public static func named(_ text: String) -> Self? { Self(rawValue: text.lowercased()) }

    /// Every case's name, for a message: `sgd, momentum, adam, adamw`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
