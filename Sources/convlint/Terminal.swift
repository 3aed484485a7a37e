import Foundation

enum Terminal {
    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static func supportsColor(fileDescriptor: Int32) -> Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(fileDescriptor) == 1
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
