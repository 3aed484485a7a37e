/// What the ONNX import's blocks and the PyTorch export's block classes share when they turn
/// the numbers of repeated structure into named parameters.
public enum BlockParameters {
    /// `stem`, or the first of `stem2`, `stem3`, … that `taken` does not hold.
    public static func unusedName(_ stem: String, among taken: Set<String>) -> String {
        taken.contains(stem) ? (2...).lazy.map { "\(stem)\($0)" }.first { !taken.contains($0) }! : stem
    }

    /// The whole factor k ≥ 2 with values[i] = k · base[i] for every i, if there is one: a
    /// number that follows a parameter as `4*c`.
    public static func factor(_ values: [Int], of base: [Int]) -> Int? {
        guard let first = base.first, first != 0, values[0] % first == 0 else { return nil }
        let factor = values[0] / first
        return factor >= 2 && zip(values, base).allSatisfy({ $0 == factor * $1 }) ? factor : nil
    }
}
