import Foundation

/// Settings from the command line that override the file's.
public struct AnalysisOptions: Sendable {
    public var batch: Int?
    public var dtype: DType?
    public var input: [Int]?
    public var rounding: Rounding?
    public var optimizer: Optimizer = .momentum
    /// `--checkpoint blocks`: the training step with `torch.utils.checkpoint` around each block call.
    public var checkpoint: Checkpointing = .none
    /// Which model of training memory the totals and `gpuMemory` use.
    public var framework: MemoryFramework = .pytorch
    /// `--gpu-memory`: check that a training step at the batch fits, and find the largest batch that does.
    public var gpuMemory: ByteCount?
    /// `--set NAME=VALUE`, the value written as in YAML (`3`, `true`, `[64, 128]`).
    public var variables: [(name: String, value: String)] = []
    /// Whether the pattern's bare optional layers of a name (`POOL?`) are present: a sweep's
    /// `--vary POOL?=true,false`.
    public var optionalLayers: [(name: String, present: Bool)] = []
    /// One argument of a kind's `defaults` (`CONV.size=5`), the value written as in the file.
    public var defaults: [(kind: String, argument: String, value: String)] = []
    /// The largest batch on common GPUs (16 to 80 GiB) when no `gpuMemory` is given: the
    /// report's table. A sweep, which shows none, skips its two extra simulations.
    public var commonGPUs = true

    public init() {}
}

/// The static pipeline: read → parse → expand → infer shapes → costs → memory.
public enum Analyzer {
    /// Analyzes the file at `path`. Problems of every kind come back as diagnostics.
    public static func analyze(path: String, options: AnalysisOptions = AnalysisOptions()) -> Analysis {
        switch read(path) {
        case .success(let text): analyze(source: SourceFile(path: path, text: text), options: options)
        case .failure(let failure): Self.failed(failure.source, failure.diagnostic)
        }
    }

    /// Analyzes a file's bytes as if read from `path`: the same size and UTF-8 checks as a file.
    public static func analyze(contents: [UInt8], path: String, options: AnalysisOptions = AnalysisOptions()) -> Analysis {
        switch decode(contents, path: path) {
        case .success(let text): analyze(source: SourceFile(path: path, text: text), options: options)
        case .failure(let failure): Self.failed(failure.source, failure.diagnostic)
        }
    }

    public static func analyze(source: SourceFile, options: AnalysisOptions = AnalysisOptions()) -> Analysis {
        let (analysis, file) = structure(of: parse(source), source: source, options: options)
        guard let file else { return analysis }
        return sized(analysis, file: file, options: options)
    }

    /// The file's YAML read and decoded, before any option applies: what a sweep parses once.
    static func parse(_ source: SourceFile) -> Result<ArchitectureFile, Diagnostic> {
        do throws(Diagnostic) {
            let root: YAMLNode?
            do {
                root = try YAMLDocument.compose(source)
            } catch {
                throw YAMLShapeMistake.diagnostic(for: error, in: source)
                    ?? Diagnostic(
                        RuleID.yamlSyntax, "malformed YAML: \(error.message)", at: error.location,
                        help: error.help ?? "fix the YAML at this position; a pattern with ':', '#' or a leading '[' needs quotes")
            }
            return .success(try ArchitectureDecoder(source: source).decode(root))
        } catch {
            return .failure(error)
        }
    }

    /// The network under the options that shape it (input, rounding, variables, optional layers,
    /// defaults): its layers, volumes and costs, before memory. Reads no memory setting, so a sweep
    /// shares it among combinations that differ in those alone. The file comes back, with the
    /// options applied, when it could be decoded.
    static func structure(
        of parsed: Result<ArchitectureFile, Diagnostic>, source: SourceFile, options: AnalysisOptions
    ) -> (analysis: Analysis, file: ArchitectureFile?) {
        let file: ArchitectureFile
        do throws(Diagnostic) {
            file = try apply(options, to: try parsed.get())
        } catch {
            return (failed(source, error), nil)
        }
        var analysis = Analysis(
            source: source, name: file.name ?? Self.defaultName(source.path), batch: file.batch?.value ?? 1,
            dtype: file.dtype?.value ?? .float32, rounding: options.rounding ?? file.rounding?.value ?? .strict,
            layers: [], totals: LayerCost(), memory: nil, budget: nil, diagnostics: [])
        let layers: [LayerNode]
        do {
            (layers, analysis.blockCalls) = try Expander.expansion(file)
        } catch {
            analysis.diagnostics.append(error)
            return (analysis, file)
        }
        analysis.diagnostics += DefinitionUse(file).unusedDefinitions(in: file)
        let shapes = ShapeInference.run(layers, rounding: analysis.rounding)
        analysis.diagnostics += shapes.diagnostics
        var fields = [ReceptiveField]()
        do {
            for (index, output) in shapes.outputs.enumerated() {
                let node = layers[index]
                let inputs = node.inputs.map { shapes.outputs[$0] }
                let input = inputs.first ?? output
                let cost = try node.operation.cost(
                    inputs: inputs.isEmpty ? [output] : inputs, output: output,
                    checked: Checked(location: node.location, what: "the cost of \(node.label)"))
                let field = node.operation.receptiveField(inputs: node.inputs.map { fields[$0] }, input: input)
                fields.append(field)
                try analysis.totals.add(cost, at: node.location)
                analysis.layers.append(
                    LayerReport(node: node, input: input, output: output, cost: cost, receptiveField: field))
            }
        } catch {
            analysis.diagnostics.append(error)
        }
        return (analysis, file)
    }

    /// `analysis` (a structure of `file`) at the options' batch, element type and optimizer: its
    /// memory, and the budget check when one is given. Nothing is sized for an invalid network.
    static func sized(_ analysis: Analysis, file: ArchitectureFile, options: AnalysisOptions) -> Analysis {
        var analysis = analysis
        (analysis.batch, analysis.dtype) = sizing(options, file)
        analysis.framework = options.framework
        guard analysis.isValid else { return analysis }
        do {
            analysis.memory = try MemoryEstimate.estimate(
                layers: analysis.layers, totals: analysis.totals, batch: analysis.batch, dtype: analysis.dtype,
                optimizer: options.optimizer, checkpoint: options.checkpoint)
            if let budget = options.gpuMemory {
                checkBudget(budget, &analysis, options: options, batchLocation: options.batch == nil ? file.batch?.location : nil)
            } else if options.commonGPUs, let scaling = scaling(of: analysis, options) {
                analysis.commonGPUs = MemoryBudget.commonSizes.map { size in
                    BudgetCheck(budget: size, framework: options.framework, largestBatch: scaling.largestBatch(fitting: size))
                }
            }
        } catch {
            analysis.diagnostics.append(error)
        }
        return analysis
    }

    /// The batch and element type a network of `file` is sized at: the options', else the
    /// file's, else 1 and float32.
    static func sizing(_ options: AnalysisOptions, _ file: ArchitectureFile) -> (batch: Int, dtype: DType) {
        (options.batch ?? file.batch?.value ?? 1, options.dtype ?? file.dtype?.value ?? .float32)
    }

    /// The analysed network's memory at `batch` in `dtype`, for the options' optimizer and
    /// checkpointing; nil when it overflows.
    static func estimate(of analysis: Analysis, _ options: AnalysisOptions, batch: Int, dtype: DType) -> MemoryEstimate? {
        try? MemoryEstimate.estimate(
            layers: analysis.layers, totals: analysis.totals, batch: batch, dtype: dtype, optimizer: options.optimizer,
            checkpoint: options.checkpoint)
    }

    /// How the analysed network's training step grows with the batch, from its estimates at
    /// batches 1 and 2; nil when either overflows.
    static func scaling(of analysis: Analysis, _ options: AnalysisOptions, dtype: DType? = nil) -> StepScaling? {
        let dtype = dtype ?? analysis.dtype
        guard let one = estimate(of: analysis, options, batch: 1, dtype: dtype),
            let two = estimate(of: analysis, options, batch: 2, dtype: dtype)
        else { return nil }
        return StepScaling((1, one), (2, two), framework: options.framework)
    }

    /// Finds the largest batch whose training step fits `budget`, and reports a batch that does not.
    private static func checkBudget(
        _ budget: ByteCount, _ analysis: inout Analysis, options: AnalysisOptions, batchLocation: SourceLocation?
    ) {
        let largest = scaling(of: analysis, options)?.largestBatch(fitting: budget)
        let alternatives = whatIfs(analysis, options, budget: budget)
        analysis.budget = BudgetCheck(budget: budget, framework: options.framework, largestBatch: largest, whatIf: alternatives)
        let fits = alternatives.compactMap { option in option.largestBatch.map { "\(option.flags) \($0)" } }
        let otherwise = fits.isEmpty ? "" : "; with " + fits.joined(separator: ", with ")
        guard let memory = analysis.memory, memory.trainingPeak(options.framework) > budget else { return }
        let needed = memory.trainingPeak(options.framework)
        let model = options.framework == .pytorch ? "PyTorch" : "the notes' rule"
        let source = batchLocation == nil ? " (--batch \(analysis.batch))" : ""
        analysis.diagnostics.append(
            Diagnostic(
                MemoryBudget.ruleID,
                "a training step at batch \(analysis.batch)\(source) needs \(needed.binary) (\(model), \(options.optimizer.rawValue)), "
                    + "more than the \(budget.binary) budget",
                at: batchLocation,
                help: largest.map { "the largest batch that fits is \($0)\(otherwise)" }
                    ?? "not even batch 1 fits: \(memory.pytorch.weights.binary) of weights alone; use a larger GPU or a smaller model"))
    }

    /// The largest batch with activation checkpointing, with mixed precision, and with both,
    /// where the analysis does not use them already.
    private static func whatIfs(_ analysis: Analysis, _ options: AnalysisOptions, budget: ByteCount) -> [WhatIf] {
        guard options.framework == .pytorch else { return [] }
        let halves = analysis.dtype == .float16 || analysis.dtype == .bfloat16
        // Checkpointing needs blocks to wrap.
        let canCheckpoint = options.checkpoint == .none && analysis.layers.contains { $0.node.blockCall != nil }
        var variants = [(String, Checkpointing, DType)]()
        if canCheckpoint { variants.append(("--checkpoint blocks", .blocks, analysis.dtype)) }
        if !halves { variants.append(("--dtype bfloat16", options.checkpoint, .bfloat16)) }
        if canCheckpoint, !halves { variants.append(("--checkpoint blocks --dtype bfloat16", .blocks, .bfloat16)) }
        return variants.map { flags, checkpoint, dtype in
            var variant = options
            variant.checkpoint = checkpoint
            let largest = scaling(of: analysis, variant, dtype: dtype)?.largestBatch(fitting: budget)
            return WhatIf(flags: flags, largestBatch: largest)
        }
    }

    private static func defaultName(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// An analysis of a file that could not be read as a network, with the finding that says why
    /// (an ONNX model convlint cannot import, say).
    public static func rejected(source: SourceFile, _ diagnostic: Diagnostic) -> Analysis { failed(source, diagnostic) }

    private static func failed(_ source: SourceFile, _ diagnostic: Diagnostic) -> Analysis {
        Analysis(
            source: source, name: defaultName(source.path), batch: 1, dtype: .float32, rounding: .strict,
            layers: [], totals: LayerCost(), memory: nil, budget: nil, diagnostics: [diagnostic])
    }

    private static func apply(_ options: AnalysisOptions, to file: ArchitectureFile) throws(Diagnostic) -> ArchitectureFile {
        var file = file
        if let input = options.input {
            file.input = Located(value: input, location: file.input?.location ?? file.networkLocation)
            file.inputOverridden = true
        }
        let use = DefinitionUse(file)
        for (name, text) in options.variables {
            // A variable the patterns use may be given on the command line alone.
            guard file.variables[name] != nil || use.variableNames.contains(name) else {
                let known = Array(file.variables.keys) + Array(use.variableNames)
                throw Diagnostic(
                    RuleID.unknownOverride,
                    "--set \(name)=\(text): this file has no variable '\(name)'\(Suggestion.phrase(for: name, among: known))",
                    at: nil,
                    help: known.isEmpty
                        ? "this file uses no variables"
                        : "variable names are case-sensitive; this file's are \(Set(known).sorted().joined(separator: ", "))")
            }
            let location = file.variables[name]?.location ?? file.networkLocation
            file.variables[name] = Located(value: try VariableOverride.parse(name: name, text: text), location: location)
        }
        for (name, present) in options.optionalLayers {
            guard use.bareOptionals.contains(name.uppercased()) else {
                throw Diagnostic(
                    RuleID.unknownOverride, "\(name)?: the pattern has no optional layer '\(name)?'", at: nil,
                    help: use.bareOptionals.isEmpty
                        ? "mark a layer optional in the pattern, e.g. 'POOL?'"
                        : "its optional layers are \(use.bareOptionals.sorted().map { $0 + "?" }.joined(separator: ", "))")
            }
            file.optionalLayers[name.uppercased()] = present
        }
        for (kindName, argument, text) in options.defaults {
            guard let kind = LayerKind(name: kindName), kind.isCallable else {
                throw Diagnostic(
                    RuleID.unknownOverride, "\(kindName).\(argument): no layer kind is called '\(kindName)'"
                        + KindCatalog.suggestion(for: kindName, among: []), at: nil,
                    help: "name a kind as in 'defaults:', e.g. CONV.size or POOL.stride")
            }
            // The value stands where the file's defaults for the kind are, or else at the network.
            let entry = file.defaults[kind.rawValue]
            var value = try DefaultOverride.parse(kind: kindName, argument: argument, text: text)
            value.location = entry?.location ?? file.networkLocation
            var arguments = entry?.value.filter { !($0.label ?? "").caseInsensitiveEquals(argument) } ?? []
            arguments.append(Argument(label: argument, labelLocation: value.location, value: value))
            file.defaults[kind.rawValue] = Located(value: arguments, location: value.location)
        }
        return file
    }

    // MARK: Reading

    /// Why a file could not be read, with what could be read of it.
    private struct ReadFailure: Error {
        var source: SourceFile
        var diagnostic: Diagnostic

        /// A file that could not be read at all: nothing of it to quote.
        static func unreadable(_ path: String, _ message: String, help: String? = nil) -> Result<String, ReadFailure> {
            .failure(
                ReadFailure(
                    source: SourceFile(path: path, text: ""),
                    diagnostic: Diagnostic(RuleID.unreadableFile, message, at: nil, help: help)))
        }
    }

    private static func read(_ path: String) -> Result<String, ReadFailure> {
        func failure(_ message: String, help: String? = nil) -> Result<String, ReadFailure> {
            ReadFailure.unreadable(path, message, help: help)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return failure("no such file: \(path)")
        }
        if isDirectory.boolValue {
            return failure("\(path) is a directory", help: "name the files in it, e.g. \(path)/*.yaml")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return failure("cannot open \(path)") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Limits.fileBytes + 1) ?? Data()
        } catch {
            return failure("cannot read \(path): \(error.localizedDescription)")
        }
        return decode([UInt8](data), path: path)
    }

    private static func decode(_ bytes: [UInt8], path: String) -> Result<String, ReadFailure> {
        guard bytes.count <= Limits.fileBytes else {
            return ReadFailure.unreadable(
                path, "\(path) is larger than \(ByteCount(Limits.fileBytes).binary); architecture files are a few KiB",
                help: "is this the right file?")
        }
        switch UTF8Check.decode(bytes) {
        case .success(let text): return .success(text)
        case .failure(let invalid):
            let prefix = SourceFile(path: path, text: invalid.validPrefix)
            return .failure(
                ReadFailure(
                    source: prefix,
                    diagnostic: Diagnostic(
                        RuleID.unreadableFile, "the file is not UTF-8 text: invalid byte sequence",
                        at: prefix.location(ofIndex: prefix.scalars.count), help: "save the file as UTF-8")))
        }
    }
}
