import Dispatch
import Foundation

/// The cores the executor splits work between.
enum Cores {
    /// Read once: on Linux, Foundation answers `activeProcessorCount` by reading the cgroup
    /// files anew on every call, which inside a kernel's loops cost more than the arithmetic.
    static let count = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body` on contiguous slices of `0..<total`, one per core, or on the whole range at
    /// once when it is under `grain` items a core: waking a core costs microseconds.
    static func split(_ total: Int, grain: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = max(1, min(count, total / max(1, grain)))
        guard parts > 1 else { return body(0..<total) }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(total * part / parts..<total * (part + 1) / parts)
        }
    }

    /// Deals items `0..<items` to `workers` cores in turn (item i to core i mod workers) and runs
    /// `body(item, core)`; each core may keep scratch of its own, indexed by `core`.
    static func deal(_ items: Int, workers: Int, _ body: @Sendable (_ item: Int, _ core: Int) -> Void) {
        let workers = max(1, min(items, workers))
        DispatchQueue.concurrentPerform(iterations: workers) { core in
            for item in stride(from: core, to: items, by: workers) { body(item, core) }
        }
    }
}
