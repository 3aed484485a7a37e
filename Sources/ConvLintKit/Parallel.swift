import Foundation

/// Work spread over every core with its results kept in order.
public enum Parallel {
    /// `body(0..<count)` on every core, handed out `block` indices at a time; an index not
    /// reached because `stop` turned true stays nil.
    public static func map<T>(
        _ count: Int, block: Int = 1, stop: @Sendable () -> Bool = { false }, _ body: @Sendable (Int) -> T
    ) -> [T?] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        // Each index is written by one worker only.
        nonisolated(unsafe) let results = slots
        let block = max(1, block)
        DispatchQueue.concurrentPerform(iterations: (count + block - 1) / block) { number in
            for index in number * block..<min(count, (number + 1) * block) {
                if stop() { return }
                results[index] = body(index)
            }
        }
        return Array(slots)
    }
}
