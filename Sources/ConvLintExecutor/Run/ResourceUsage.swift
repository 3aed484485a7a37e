import Foundation

/// The process's memory as the operating system sees it.
enum ResourceUsage {
    /// Peak resident set size (`getrusage`'s `ru_maxrss`, KiB on Linux, bytes on macOS).
    static func maxRSS() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }

    /// The memory this process may still take, and the limit that sets it: the least of the
    /// machine's `MemAvailable`, the room under its cgroup's limit (a container's memory), and
    /// the room under `ulimit -v`. Nil when none is known.
    static func available() -> (bytes: Int, limit: MemoryLimit)? {
        let limits = [
            memAvailable().map { ($0, MemoryLimit.memAvailable) },
            cgroupRoom().map { ($0, MemoryLimit.cgroup) },
            addressSpaceRoom().map { ($0, MemoryLimit.addressSpace) },
        ]
        return limits.compactMap { $0 }.min { $0.0 < $1.0 }.map { (max($0.0, 0), $0.1) }
    }

    static func memAvailable() -> Int? { kibibytes(of: "MemAvailable:", in: "/proc/meminfo") }

    /// cgroup v2's `memory.max` less `memory.current`, or v1's limit less usage, for this
    /// process's group (its path in /proc/self/cgroup) or, in a container, the mounted root.
    static func cgroupRoom() -> Int? {
        func number(_ path: String) -> Int? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        // Lines are "ID:CONTROLLERS:PATH": "0::/path" for v2, "4:memory:/path" for v1.
        let groups = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8))?.split(separator: "\n")
            .map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false) }.filter { $0.count == 3 } ?? []
        func group(_ controller: String) -> String {
            groups.first { $0[1].split(separator: ",").contains(Substring(controller)) || $0[1] == controller }
                .map { String($0[2]) } ?? "/"
        }
        let versions = [
            (root: "/sys/fs/cgroup", group: group(""), limit: "memory.max", usage: "memory.current"),
            (root: "/sys/fs/cgroup/memory", group: group("memory"), limit: "memory.limit_in_bytes", usage: "memory.usage_in_bytes"),
        ]
        for version in versions {
            for directory in [version.root + version.group, version.root] {
                // "max" (v2) does not parse; v1 writes no limit as a number near 2^63.
                if let limit = number(directory + "/" + version.limit), limit < 1 << 60,
                    let used = number(directory + "/" + version.usage)
                {
                    return limit - used
                }
            }
        }
        return nil
    }

    /// `RLIMIT_AS` less the address space already mapped (`VmSize`).
    static func addressSpaceRoom() -> Int? {
        var limit = rlimit()
        #if os(Linux)
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else { return nil }
        #else
        guard getrlimit(RLIMIT_AS, &limit) == 0 else { return nil }
        #endif
        guard limit.rlim_cur != rlim_t.max, let mapped = kibibytes(of: "VmSize:", in: "/proc/self/status") else { return nil }
        return Int(clamping: limit.rlim_cur) - mapped
    }

    /// A "Key:   123 kB" line of a /proc file, in bytes.
    static func kibibytes(of key: String, in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }
}

/// Which limit bounds the memory a run may take.
public enum MemoryLimit: Sendable {
    /// The machine's free memory (`MemAvailable` in /proc/meminfo).
    case memAvailable
    /// The memory limit of the process's cgroup, as in a container.
    case cgroup
    /// `ulimit -v`: address space, which also counts memory mapped but never touched.
    case addressSpace

    var description: String {
        switch self {
        case .memAvailable: "MemAvailable"
        case .cgroup: "the cgroup's memory limit"
        case .addressSpace: "ulimit -v"
        }
    }
}
