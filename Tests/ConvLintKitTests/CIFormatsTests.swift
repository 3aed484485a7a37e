import Foundation
import Testing

@testable import ConvLintKit

/// The formats CI systems read: SARIF for GitHub code scanning, workflow commands for
/// annotations.
@Suite struct CIFormatsTests {
    static let files = ["alexnet-224.yaml", "vgg16.yaml", "resnet18.yaml", "lenet5.yaml"]

    static func analyses() -> [Analysis] {
        files.map { Checker.check(path: architecturesDirectory.appendingPathComponent($0).path) }
    }

    @Test func sarifOutputValidatesAgainstTheSARIF2_1_0Schema() throws {
        let validator = try JSONSchemaValidatorTests.sarifValidator()
        let log = try JSONSerialization.jsonObject(with: Data(SARIFReport.render(Self.analyses()).utf8))
        let errors = validator.validate(log)
        #expect(errors.isEmpty, "\(errors.prefix(5))")
    }

    @Test func sarifResultsCarryRuleRegionAndLevel() throws {
        let log = try #require(
            JSONSerialization.jsonObject(with: Data(SARIFReport.render(Self.analyses()).utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.count == RuleRegistry.descriptions.count)
        let results = try #require(run["results"] as? [[String: Any]])
        let error = try #require(results.first { $0["ruleId"] as? String == "non-integer-output" })
        #expect(error["level"] as? String == "error")
        let region = try #require(
            (((error["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"]) as? [String: Any])
        #expect(region["startLine"] as? Int == 20)
        #expect(region["startColumn"] as? Int == 5)
        #expect(region["endColumn"] as? Int == 5 + "CONV(96, F=11, S=4, P=0)".count)
        let index = try #require(error["ruleIndex"] as? Int)
        #expect(rules[index]["id"] as? String == "non-integer-output")
        #expect(results.contains { $0["level"] as? String == "note" }, "info findings are SARIF notes")
    }

    @Test func githubAnnotationsAreWorkflowCommandsWithEscapedText() throws {
        let lines = GitHubReport.render(Self.analyses()).split(separator: "\n")
        let error = try #require(lines.first { $0.hasPrefix("::error ") })
        #expect(error.hasPrefix("::error file=\(architecturesDirectory.path)/alexnet-224.yaml,line=20,col=5,endColumn=29,title=non-integer-output::"))
        #expect(error.contains("= 54.25%0Ahelp: input 227x227x3 makes every layer fit"))
        #expect(lines.contains { $0.hasPrefix("::warning ") })
        #expect(lines.contains { $0.hasPrefix("::notice ") })
        #expect(GitHubReport.escapeProperty("a:b,c%") == "a%3Ab%2Cc%25")
    }
}
