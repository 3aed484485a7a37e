public enum ConvLintVersion {
    public static let current = "0.1.0"
}
