import Testing

@testable import ConvLintKit

/// Every rule ships with examples; each must do what it claims (SwiftLint's pattern).
@Suite struct RuleExamplesTests {
    static let rules = RuleRegistry.descriptions

    func findings(_ yaml: String, _ rule: RuleDescription) -> [Diagnostic] {
        Checker.check(source: SourceFile(path: "example.yaml", text: yaml)).diagnostics.filter { $0.rule == rule.id }
    }

    @Test(arguments: rules.filter { !$0.triggering.isEmpty }.map(\.id))
    func triggeringExamplesTrigger(_ id: String) throws {
        let rule = try #require(RuleRegistry.description(of: id))
        for example in rule.triggering {
            let found = findings(example, rule)
            #expect(!found.isEmpty, "\(id) should fire on:\n\(example)")
            #expect(found.allSatisfy { $0.location != nil }, "\(id) findings are located")
        }
    }

    @Test(arguments: rules.filter { !$0.nonTriggering.isEmpty }.map(\.id))
    func nonTriggeringExamplesDoNot(_ id: String) throws {
        let rule = try #require(RuleRegistry.description(of: id))
        for example in rule.nonTriggering {
            #expect(findings(example, rule).isEmpty, "\(id) should not fire on:\n\(example)")
        }
    }

    @Test func everyRuleHasARationaleAndEveryLintRuleHasExamples() {
        for rule in Self.rules {
            #expect(rule.rationale.count > 100, "\(rule.id)")
            if rule.kind == .lint, rule.id != RuleID.unusedSuppression {
                #expect(rule.exemptions.count > 40, "\(rule.id): say what it does not fire on, and why")
            }
            if rule.kind == .lint {
                #expect(!rule.triggering.isEmpty && !rule.nonTriggering.isEmpty, "\(rule.id)")
            }
        }
        #expect(Set(Self.rules.map(\.id)).count == Self.rules.count)
    }

    @Test func largeFilterShowsTheParameterSaving() throws {
        let finding = try #require(findings(LargeFilter.description.triggering[0], LargeFilter.description).first)
        #expect(finding.message == "CONV7-64 uses a 7x7 filter past the first layer")
        #expect(finding.help == "3 stacked 3x3 CONVs (with RELUs between) see 7x7 with 110,592 weights instead of 200,704 (27C² versus 49C²)")
        #expect(110_592 == 27 * 64 * 64 && 200_704 == 49 * 64 * 64)
    }

    @Test func fcDominatesParamsFiresOnVGG16sFirstFC() throws {
        let analysis = Checker.check(path: architecturesDirectory.appendingPathComponent("vgg16.yaml").path)
        let finding = try #require(analysis.diagnostics.first { $0.rule == "fc-dominates-params" })
        #expect(finding.message == "FC-4096 holds 102,764,544 of the network's 138,357,544 parameters (74%)")
        #expect(analysis.diagnostics.count == 1)
    }

    @Test func overlappingPoolFitReplacesTheRoundedOutputWarningAtThatPool() {
        let analysis = Checker.check(source: SourceFile(path: "x.yaml", text: OverlappingPoolFit.description.triggering[0]))
        #expect(analysis.diagnostics.map(\.rule) == ["overlapping-pool-fit"])
    }

    @Test func stackedLinearNamesTheEarlierLayer() throws {
        let finding = try #require(findings(StackedLinear.description.triggering[0], StackedLinear.description).first)
        #expect(finding.message == "CONV3-16 follows CONV3-16 (line 2) with no nonlinearity between: the two compose into one linear map")
        #expect(finding.location?.column == 38)
    }

    @Test func lintRulesDoNotRunOnANetworkThatFailsToSize() {
        let analysis = Checker.check(source: SourceFile(path: "x.yaml", text: "input: 10x10x3\nnetwork: CONV(8, F=7, S=2) -> CONV(8, F=7)"))
        #expect(analysis.diagnostics.map(\.rule) == ["non-integer-output"])
    }
}
