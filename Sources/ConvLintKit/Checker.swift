/// The whole check of one file: the static analysis, then the lint rules under a configuration.
public enum Checker {
    public static func check(
        path: String, options: AnalysisOptions = AnalysisOptions(), configuration: Configuration = Configuration()
    ) -> Analysis {
        Linter(configuration: configuration).lint(Analyzer.analyze(path: path, options: options))
    }

    public static func check(
        source: SourceFile, options: AnalysisOptions = AnalysisOptions(), configuration: Configuration = Configuration()
    ) -> Analysis {
        Linter(configuration: configuration).lint(Analyzer.analyze(source: source, options: options))
    }

    /// The check of a file's bytes as if read from `path`.
    public static func check(
        contents: [UInt8], path: String, options: AnalysisOptions = AnalysisOptions(),
        configuration: Configuration = Configuration()
    ) -> Analysis {
        Linter(configuration: configuration).lint(Analyzer.analyze(contents: contents, path: path, options: options))
    }
}
