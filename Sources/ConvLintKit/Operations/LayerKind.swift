/// The name of a layer kind as patterns, `defaults` and reports write it (CONV, MAXPOOL, FC).
/// The kinds are those the operation families list (`Operation.families`): a kind added to a
/// family's `kinds` can be called in patterns, set in `defaults` and looked up in the schema.
public struct LayerKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// A known kind, exactly as spelled (upper case); nil for any other name.
    public init?(rawValue: String) {
        guard KindCatalog.byName[rawValue] != nil else { return nil }
        self.rawValue = rawValue
    }

    /// For the families' own constants, which the catalog is built from.
    init(declaring name: String) { rawValue = name }

    /// Case-insensitive lookup of a kind a pattern may name.
    init?(name: String) { self.init(rawValue: name.uppercased()) }

    public var description: String { rawValue }

    /// Every kind, in the order of the families and of their lists.
    public static var allCases: [LayerKind] { KindCatalog.definitions.map(\.kind) }

    var definition: KindDefinition { KindCatalog.byName[rawValue]! }

    /// Kinds a pattern may name; CONCAT and ADD come from groups only.
    var isCallable: Bool { definition.isCallable }

    static var callableNames: [String] { allCases.filter(\.isCallable).map(\.rawValue) }

    /// The `defaults` entries that apply, most general first (POOL's apply to MAXPOOL and AVGPOOL).
    var defaultKeys: [String] { definition.defaultKeys.map(\.rawValue) }
}

/// How one kind is made: the arguments it takes and the operation they build.
struct KindDefinition: Sendable {
    let kind: LayerKind
    let parameters: [ParameterSpec]
    /// Kinds whose `defaults` also apply, most general first, before the kind's own.
    var inheritsDefaults: [LayerKind] = []
    /// False for CONCAT and ADD, which groups make.
    var isCallable = true
    /// What `defaults: {KIND: …}` sets, for the schema's editor hovers.
    let defaultsSummary: String
    /// The schema's definition of the arguments, shared by kinds that take the same ones.
    var argumentGroup = "noArguments"
    /// What PyTorch and Keras call it (`BatchNorm2d`, `Dense`), for "did you mean".
    var frameworkNames: [String] = []
    /// Builds the operation from the resolved arguments, checking what is required.
    let make: @Sendable (Arguments) throws(Diagnostic) -> Operation

    var defaultKeys: [LayerKind] { inheritsDefaults + [kind] }
}

/// Every kind of every family, built once.
enum KindCatalog {
    static let definitions: [KindDefinition] = Operation.families.flatMap { $0.kinds }
    static let byName: [String: KindDefinition] = Dictionary(
        uniqueKeysWithValues: definitions.map { ($0.kind.rawValue, $0) })
    /// PyTorch's and Keras' names, upper-cased, to the kind.
    private static let byFrameworkName: [String: LayerKind] = Dictionary(
        definitions.flatMap { definition in definition.frameworkNames.map { ($0.uppercased(), definition.kind) } },
        uniquingKeysWith: { first, _ in first })

    /// The kind a framework calls `name`, in any case.
    static func kind(forFrameworkName name: String) -> LayerKind? { byFrameworkName[name.uppercased()] }

    /// "; did you mean 'BN' (convlint's name for BatchNorm2d)?", a group's syntax for CONCAT,
    /// ADD and MUL, or the nearest name by spelling.
    static func suggestion(for name: String, among others: [String]) -> String {
        if let kind = kind(forFrameworkName: name) {
            guard kind.isCallable else {
                let group = kind == .concat ? "(A | B)" : kind == .add ? "(A + B)" : "(A * B)"
                return "; \(kind.rawValue) is written as a group of branches: \(group)"
            }
            return "; did you mean '\(kind.rawValue)' (convlint's name for \(name))?"
        }
        return Suggestion.phrase(for: name, among: LayerKind.callableNames + others)
    }
}
