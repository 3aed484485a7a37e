/// Every rule convlint knows: the lint rules, then the findings of reading and sizing a file.
public enum RuleRegistry {
    static let lintRules: [any LintRule.Type] = [
        InputNotDivisible.self, LargeFilter.self, SizeChangingConv.self, DestructivePool.self,
        OverlappingPoolFit.self, StackedLinear.self, FCDominatesParams.self, SpatialCollapse.self,
        StridedConv.self,
    ]

    public static let descriptions: [RuleDescription] = lintRules.map { $0.description } + BuiltInRules.all

    public static func description(of id: String) -> RuleDescription? {
        descriptions.first { $0.id == id }
    }

    public static var ids: [String] { descriptions.map(\.id) }
}
