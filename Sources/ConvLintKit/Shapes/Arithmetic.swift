/// Integer arithmetic that cannot trap: hostile files carry sizes such as 2^62.
enum Saturating {
    static func multiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow || product > Limits.saturatedSize ? Limits.saturatedSize : product
    }
}

/// Overflow-checked arithmetic that reports where the overflow happened.
struct Checked {
    let location: SourceLocation?
    /// What is being computed, for the message; built only when something overflows.
    let what: () -> String

    init(location: SourceLocation?, what: @escaping @autoclosure () -> String) {
        self.location = location
        self.what = what
    }

    func multiply(_ values: Int...) throws(Diagnostic) -> Int { try product(values) }

    func product(_ values: [Int]) throws(Diagnostic) -> Int {
        var product = 1
        for value in values {
            let (next, didOverflow) = product.multipliedReportingOverflow(by: value)
            guard !didOverflow else { throw overflow }
            product = next
        }
        return product
    }

    func add(_ a: Int, _ b: Int) throws(Diagnostic) -> Int {
        let (sum, didOverflow) = a.addingReportingOverflow(b)
        guard !didOverflow else { throw overflow }
        return sum
    }

    var overflow: Diagnostic {
        Diagnostic(
            RuleID.overflow, "\(what()) overflows a 64-bit integer", at: location,
            help: "the sizes here are far beyond any real network; check the input shape and filter counts")
    }
}
