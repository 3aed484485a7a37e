/// A W×H×D activation volume, the notes' convention.
public struct Volume: Hashable, Sendable, Codable, CustomStringConvertible {
    public var w: Int
    public var h: Int
    public var d: Int

    public init(_ w: Int, _ h: Int, _ d: Int) {
        self.w = w
        self.h = h
        self.d = d
    }

    /// Elements of one image's volume; shape inference has checked it cannot overflow.
    public var elements: Int { w * h * d }

    /// `224x224x64`.
    public var description: String { "\(w)x\(h)x\(d)" }

    /// `224*224*64`, as the notes write memory.
    public var product: String { "\(w)*\(h)*\(d)" }

    public var array: [Int] { [w, h, d] }
}
