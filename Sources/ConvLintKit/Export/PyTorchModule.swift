/// The checked network as a PyTorch `nn.Module` in Python source. Each block of the file
/// becomes a class whose constructor takes the block's parameters (and `in_channels` where its
/// layers read it), each call a submodule named after the block, consecutive equal calls (`[…]*N`)
/// one `nn.Sequential`; each layer that has a module in torch.nn is a submodule named after its
/// kind and position (`conv1`, `bn2`), and `forward` follows the graph, chaining `x` through
/// runs of layers and naming the outputs that branches read again. Its parameters, MACs and
/// output shape are convlint's (Benchmarks/pytorch_export.py checks every shipped architecture).
public enum PyTorchModule {
    public static func source(_ analysis: Analysis, path: String) -> String {
        var program = Program(analysis: analysis)
        program.defineClasses(path: path)
        return program.finished(path: path)
    }
}

/// A run of layers that one module computes: the network's, or one block call's.
private struct Scope {
    /// The layers, by index.
    var layers: Range<Int>
    /// The layer whose output is the module's input.
    var input: Int
    /// How many block calls enclose it.
    var depth: Int
}

/// A module's source before its numbers are decided: the numbers a block's class may take
/// from its parameters are marked, to be compared across the block's calls. A channel count
/// may also be the module's `in_channels`; a kernel size or stride may not.
private enum Marked {
    static let open: Character = "\u{1}"
    static let openChannels: Character = "\u{3}"
    static let close: Character = "\u{2}"

    static func number(_ value: Int) -> String { "\(open)\(value)\(close)" }
    static func channels(_ value: Int) -> String { "\(openChannels)\(value)\(close)" }

    /// The text between the numbers, and the numbers (whether each counts channels).
    static func split(_ text: String) -> (parts: [String], numbers: [(value: Int, channels: Bool)]) {
        var parts = [""]
        var numbers: [(value: Int, channels: Bool)] = []
        var digits: String?
        var channels = false
        for character in text {
            if character == open || character == openChannels {
                (digits, channels) = ("", character == openChannels)
            } else if character == close {
                numbers.append((Int(digits ?? "") ?? 0, channels))
                parts.append("")
                digits = nil
            } else if digits != nil {
                digits?.append(character)
            } else {
                parts[parts.count - 1].append(character)
            }
        }
        return (parts, numbers)
    }

    static func plain(_ text: String) -> String {
        let (parts, numbers) = split(text)
        return zip(parts, numbers.map { String($0.value) } + [""]).map { $0 + $1 }.joined()
    }
}

private struct Program {
    let analysis: Analysis
    let readers: LayerReaders
    var helpers: Set<Helper> = []
    /// Each block call's class and the values its constructor takes, by call number; the
    /// numbers a class takes beyond the block's parameters are passed by keyword.
    var classes: [Int: (name: String, arguments: [Int], keywords: [String?])] = [:]
    /// The classes' sources, each after those it uses.
    var definitions: [String] = []

    init(analysis: Analysis) {
        self.analysis = analysis
        readers = LayerReaders(analysis.layers)
    }

    enum Helper: String, CaseIterable {
        case channelShuffle, layerScale, channelLayerNorm

        var source: String {
            switch self {
            case .channelShuffle:
                """
                def channel_shuffle(x, groups):
                    n, c, h, w = x.shape
                    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)
                """
            case .layerScale:
                """
                class LayerScale(nn.Module):
                    \"\"\"A learnt multiplier per channel (ConvNeXt's layer scale).\"\"\"

                    def __init__(self, channels):
                        super().__init__()
                        self.gamma = nn.Parameter(torch.ones(channels, 1, 1))

                    def forward(self, x):
                        return x * self.gamma
                """
            case .channelLayerNorm:
                """
                class LayerNorm2d(nn.LayerNorm):
                    \"\"\"LayerNorm over each position's channels of N×C×H×W (ConvNeXt's).\"\"\"

                    def forward(self, x):
                        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
                """
            }
        }
    }

    private var network: Scope { Scope(layers: 1..<analysis.layers.count, input: 0, depth: 0) }

    // MARK: Block classes

    /// The block call that layer `index` belongs to at `depth`, if any.
    private func call(of index: Int, at depth: Int) -> Int? {
        let calls = analysis.layers[index].node.blockCalls
        return calls.count > depth ? calls[depth] : nil
    }

    /// The layers of the call that starts at `start`, at the scope's depth.
    private func callRun(from start: Int, in scope: Scope) -> Range<Int>? {
        guard let number = call(of: start, at: scope.depth) else { return nil }
        var end = start
        while end < scope.layers.upperBound, call(of: end, at: scope.depth) == number { end += 1 }
        return start..<end
    }

    /// Every call in `scope` and in the calls inside it, with its own scope.
    private func calls(in scope: Scope) -> [(number: Int, scope: Scope)] {
        var found: [(number: Int, scope: Scope)] = []
        var index = scope.layers.lowerBound
        while index < scope.layers.upperBound {
            guard let run = callRun(from: index, in: scope) else {
                index += 1
                continue
            }
            let inner = Scope(layers: run, input: analysis.layers[run.lowerBound].node.inputs[0], depth: scope.depth + 1)
            found.append((call(of: index, at: scope.depth)!, inner))
            found += calls(in: inner)
            index = run.upperBound
        }
        return found
    }

    /// One class per block (more when its calls differ in structure), the innermost first, its
    /// numbers named after the block's parameters where they follow one in every call.
    mutating func defineClasses(path: String) {
        let found = calls(in: network)
        var blocks: [String: [(number: Int, scope: Scope)]] = [:]
        var order: [String] = []
        for call in found {
            let block = analysis.blockCalls[call.number].block
            if blocks[block] == nil { order.append(block) }
            blocks[block, default: []].append(call)
        }
        let deepest = blocks.mapValues { $0.map(\.scope.depth).max()! }
        var taken: Set<String> = ["LayerScale", "LayerNorm2d", Self.className(analysis.name)]
        for block in order.sorted(by: { deepest[$0]! > deepest[$1]! }) {
            var shapes: [[String]: [(number: Int, scope: Scope, numbers: [(value: Int, channels: Bool)])]] = [:]
            var shapeOrder: [[String]] = []
            for call in blocks[block]! {
                let (parts, numbers) = Marked.split(render(call.scope, comments: false).joined(separator: "\n"))
                if shapes[parts] == nil { shapeOrder.append(parts) }
                shapes[parts, default: []].append((call.number, call.scope, numbers))
            }
            for parts in shapeOrder {
                let name = BlockParameters.unusedName(Self.className(block), among: taken)
                taken.insert(name)
                define(name, block: block, parts: parts, calls: shapes[parts]!, path: path)
            }
        }
    }

    /// The class of a block's calls that share `parts`: each number a parameter, `in_channels`,
    /// a multiple or a part of one, or a constant.
    private mutating func define(
        _ name: String, block: String, parts: [String], calls: [(number: Int, scope: Scope, numbers: [(value: Int, channels: Bool)])],
        path: String
    ) {
        let first = analysis.blockCalls[calls[0].number]
        // The block's own parameters first, so that the class reads as the file does.
        var candidates: [(name: String, values: [Int])] = []
        for (offset, parameter) in first.parameters.enumerated() {
            let values = calls.map { analysis.blockCalls[$0.number].integers[offset] }
            if values.allSatisfy({ $0 != nil }) { candidates.append((Self.identifier(parameter), values.map { $0! })) }
        }
        let inChannels = (name: "in_channels", values: calls.map { analysis.layers[$0.scope.input].output.d })
        var used: Set<String> = []
        var expressions: [String] = []
        // Numbers that differ between calls and follow no parameter become parameters of their
        // own, named after their argument (a padding that follows a kernel size as (K − 1)/2).
        var extra: [(name: String, values: [Int])] = []
        for slot in calls[0].numbers.indices {
            let values = calls.map { $0.numbers[slot].value }
            let usable = (calls[0].numbers[slot].channels ? candidates + [inChannels] : candidates) + extra
            if let expression = Self.expression(values, candidates: usable) {
                if let parameter = expression.parameter { used.insert(parameter) }
                expressions.append(expression.text)
                continue
            }
            let taken = Set(candidates.map(\.name) + extra.map(\.name) + [inChannels.name])
            let name = BlockParameters.unusedName(Self.argumentName(before: parts[slot]), among: taken)
            extra.append((name, values))
            used.insert(name)
            expressions.append(name)
        }
        let parameters = ([inChannels] + candidates + extra).filter { used.contains($0.name) }
        let keywords = parameters.map { parameter in extra.contains { $0.name == parameter.name } ? parameter.name : nil }
        for (index, call) in calls.enumerated() { classes[call.number] = (name, parameters.map { $0.values[index] }, keywords) }
        let body = zip(parts, expressions + [""]).map { $0 + $1 }.joined()
        let (members, forward) = Self.sections(body)
        let signature = (["self"] + parameters.map(\.name)).joined(separator: ", ")
        let call = "\(block)(\(first.parameters.joined(separator: ", ")))"
        var text = "class \(name)(nn.Module):\n"
        text += "    \"\"\"\(first.parameters.isEmpty ? block : call) in \(path), called \(calls.count) time\(calls.count == 1 ? "" : "s").\"\"\"\n\n"
        text += "    def __init__(\(signature)):\n        super().__init__()\n"
        for member in members { text += "        \(member)\n" }
        text += "\n    def forward(self, x):\n"
        for line in forward { text += "        \(line)\n" }
        definitions.append(text)
    }

    /// The keyword a number is the value of (`stride=` → `stride`), or `n`.
    private static func argumentName(before text: String) -> String {
        guard text.hasSuffix("=") else { return "n" }
        let name = text.dropLast().reversed().prefix { $0.isLetter || $0 == "_" }.reversed()
        return name.isEmpty ? "n" : identifier(String(name))
    }

    /// How one number reads in a class: the same in several calls, the constant it is; else the
    /// first candidate it equals in every call, or a whole multiple or part of one. Nil when
    /// none holds.
    private static func expression(_ values: [Int], candidates: [(name: String, values: [Int])]) -> (text: String, parameter: String?)? {
        if values.count > 1, Set(values).count == 1 { return ("\(values[0])", nil) }
        for candidate in candidates where candidate.values == values { return (candidate.name, candidate.name) }
        guard values.count > 1 else { return ("\(values[0])", nil) }
        for candidate in candidates {
            if let factor = BlockParameters.factor(values, of: candidate.values) { return ("\(factor) * \(candidate.name)", candidate.name) }
            if let divisor = BlockParameters.factor(candidate.values, of: values) { return ("\(candidate.name) // \(divisor)", candidate.name) }
        }
        return nil
    }

    /// A rendered module's member lines and forward lines (split at the blank line between them).
    private static func sections(_ text: String) -> (members: [String], forward: [String]) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let gap = lines.firstIndex(of: "") ?? lines.count
        return (Array(lines[..<gap]), Array(lines[min(gap + 1, lines.count)...]))
    }

    // MARK: Modules

    /// The variable holding layer `index`'s output in `scope`: `x` while what reads it is the
    /// step right after it (a layer reading nothing else, or a block call), else `x` and its
    /// position.
    private func variable(_ index: Int, in scope: Scope) -> String {
        let local = index - scope.layers.lowerBound + 1
        let next = index + 1
        // The module's output, which it returns.
        guard next < scope.layers.upperBound else { return "x" }
        let step = next < scope.layers.upperBound ? callRun(from: next, in: scope) : nil
        let readersOf = readers.all(of: index)
        if let step {
            return readersOf.allSatisfy { step.contains($0) } ? "x" : "x\(local)"
        }
        return readers.sole(of: index) == next ? "x" : "x\(local)"
    }

    /// The module's member lines, a blank line, and its forward lines ending in `return`.
    mutating func render(_ scope: Scope, comments: Bool) -> [String] {
        var members: [String] = []
        var lines: [String] = []
        var names: [Int: String] = [:]
        let start = scope.layers.lowerBound
        // The input stays `x` when only the first step reads it.
        let first = callRun(from: start, in: scope) ?? start..<(start + 1)
        let inputReaders = readers.all(of: scope.input).filter { scope.layers.contains($0) }
        let chained = inputReaders.allSatisfy { first.contains($0) } && (first.count > 1 || analysis.layers[start].node.inputs == [scope.input])
        names[scope.input] = chained ? "x" : "x0"
        if !chained { lines.append("x0 = x") }
        var counts: [String: Int] = [:]
        var index = start
        var last = scope.input
        while index < scope.layers.upperBound {
            if let run = callRun(from: index, in: scope) {
                let number = call(of: index, at: scope.depth)!
                let (name, arguments, keywords) = classes[number]!
                // Equal calls one after another, each reading only the one before: one Sequential.
                var end = run.upperBound
                var count = 1
                while end < scope.layers.upperBound, let next = callRun(from: end, in: scope),
                    let other = classes[call(of: end, at: scope.depth)!], other.name == name, other.arguments == arguments,
                    readers.all(of: end - 1).allSatisfy({ next.contains($0) })
                {
                    end = next.upperBound
                    count += 1
                }
                let block = analysis.blockCalls[number].block
                counts[block, default: 0] += 1
                let member = Self.identifier(block.lowercased()) + "\(counts[block]!)"
                let written = zip(arguments, keywords).map { value, keyword in (keyword.map { "\($0)=" } ?? "") + Marked.channels(value) }
                let constructor = "\(name)(\(written.joined(separator: ", ")))"
                members.append("self.\(member) = " + (count == 1 ? constructor : "nn.Sequential(*(\(constructor) for _ in range(\(count))))"))
                let input = names[analysis.layers[index].node.inputs[0]]!
                let out = variable(end - 1, in: scope)
                lines.append("\(out) = self.\(member)(\(input))")
                names[end - 1] = out
                last = end - 1
                index = end
                continue
            }
            add(analysis.layers[index], scope: scope, comments: comments, members: &members, lines: &lines, names: &names)
            last = index
            index += 1
        }
        lines.append("return \(names[last]!)")
        return members + [""] + lines
    }

    private static func pair(_ pair: Pair) -> String {
        pair.w == pair.h ? Marked.number(pair.w) : "(\(Marked.number(pair.h)), \(Marked.number(pair.w)))"
    }

    private mutating func add(
        _ layer: LayerReport, scope: Scope, comments: Bool, members: inout [String], lines: inout [String], names: inout [Int: String]
    ) {
        let index = layer.node.index
        let inputs = layer.node.inputs.map { names[$0]! }
        let input = inputs.first ?? "x"
        let out = variable(index, in: scope)
        let volume = layer.input
        let name = layer.node.kind.rawValue.lowercased().replacingOccurrences(of: "-", with: "_") + "\(index - scope.layers.lowerBound + 1)"
        let comment = comments ? "  # \(layer.node.label)" : ""
        func module(_ constructor: String) {
            members.append("self.\(name) = \(constructor)\(comment)")
            lines.append("\(out) = self.\(name)(\(input))")
        }
        func expression(_ code: String) { lines.append("\(out) = \(code)\(comment)") }
        switch layer.node.operation {
        case .input:
            break
        case .convolution(let conv):
            let window = conv.window
            var arguments = [
                Marked.channels(volume.d), Marked.channels(conv.filters), Self.pair(window.kernel), "stride=\(Self.pair(window.stride))",
                "padding=\(Self.pair(window.padding))",
            ]
            if window.dilation != Pair(1, 1) { arguments.append("dilation=\(Self.pair(window.dilation))") }
            if conv.groups != 1 { arguments.append("groups=\(Marked.channels(conv.groups))") }
            if conv.transposed, conv.outputPadding != Pair(0, 0) { arguments.append("output_padding=\(Self.pair(conv.outputPadding))") }
            if !conv.bias { arguments.append("bias=False") }
            module("nn.\(conv.transposed ? "ConvTranspose2d" : "Conv2d")(\(arguments.joined(separator: ", ")))")
        case .pooling(let pool):
            let window = pool.window
            var arguments = [Self.pair(window.kernel), "stride=\(Self.pair(window.stride))"]
            if window.padding != Pair(0, 0) { arguments.append("padding=\(Self.pair(window.padding))") }
            if window.dilation != Pair(1, 1) { arguments.append("dilation=\(Self.pair(window.dilation))") }
            if (window.rounding ?? analysis.rounding) == .ceil { arguments.append("ceil_mode=True") }
            module("nn.\(pool.mode == .max ? "MaxPool2d" : "AvgPool2d")(\(arguments.joined(separator: ", ")))")
        case .adaptivePooling(let pool):
            module("nn.AdaptiveAvgPool2d(\(Self.pair(pool.size)))")
        case .dense(let dense):
            let bias = dense.bias ? "" : ", bias=False"
            if dense.perPixel {
                // A Linear over each position's channels: a 1x1 convolution, the same parameters and MACs.
                module("nn.Conv2d(\(Marked.channels(volume.d)), \(Marked.channels(dense.units)), 1\(bias))")
            } else {
                members.append("self.\(name) = nn.Linear(\(Marked.channels(volume.elements)), \(Marked.channels(dense.units))\(bias))\(comment)")
                lines.append("\(out) = self.\(name)(torch.flatten(\(input), 1))[:, :, None, None]")
            }
        case .flatten:
            expression("torch.flatten(\(input), 1)[:, :, None, None]")
        case .dropout(let dropout):
            // Drop path is the identity at inference (torchvision's StochasticDepth in training).
            guard !dropout.wholeImages else { return names[index] = input }
            module("nn.Dropout(p=\(dropout.rate))")
        case .identity:
            return names[index] = input
        case .activation(let activation):
            let perChannel = activation.perChannel ? Marked.channels(volume.d) : ""
            let constructor =
                switch activation.function {
                case .relu: "nn.ReLU()"
                case .leakyRelu: "nn.LeakyReLU(0.01)"
                case .relu6: "nn.ReLU6()"
                case .sigmoid: "nn.Sigmoid()"
                case .tanh: "nn.Tanh()"
                case .gelu: "nn.GELU()"
                case .silu: "nn.SiLU()"
                case .hardswish: "nn.Hardswish()"
                case .hardsigmoid: "nn.Hardsigmoid()"
                case .mish: "nn.Mish()"
                case .elu: "nn.ELU()"
                case .softmax: "nn.Softmax(dim=1)"
                case .prelu: "nn.PReLU(\(perChannel))"
                }
            module(constructor)
        case .normalization(let norm):
            switch norm.method {
            case .batch: module("nn.BatchNorm2d(\(Marked.channels(volume.d)))")
            case .layer(let overChannels):
                if overChannels {
                    helpers.insert(.channelLayerNorm)
                    module("LayerNorm2d(\(Marked.channels(volume.d)), eps=1e-6)")
                } else {
                    module("nn.GroupNorm(1, \(Marked.channels(volume.d)))")
                }
            case .localResponse(let size): module("nn.LocalResponseNorm(\(size), alpha=1e-4, beta=0.75, k=1.0)")
            }
        case .merge(let merge):
            switch merge.mode {
            case .add: expression(inputs.joined(separator: " + "))
            case .concat: expression("torch.cat([\(inputs.joined(separator: ", "))], dim=1)")
            case .multiply: expression(inputs.joined(separator: " * "))
            }
        case .scale:
            helpers.insert(.layerScale)
            module("LayerScale(\(Marked.channels(volume.d)))")
        case .chunk(let chunk):
            expression("torch.chunk(\(input), \(chunk.parts), dim=1)[\(chunk.index)]")
        case .shuffle(let shuffle):
            helpers.insert(.channelShuffle)
            expression("channel_shuffle(\(input), \(shuffle.groups))")
        case .upsample(let resize):
            let target =
                switch resize.target {
                case .scale(let scale): "scale_factor=\(scale)"
                case .size(let size): "size=\(Self.pair(size))"
                }
            let mode = resize.mode == .bilinear ? "\"bilinear\", align_corners=False" : "\"nearest\""
            module("nn.Upsample(\(target), mode=\(mode))")
        }
        names[index] = out
    }

    mutating func finished(path: String) -> String {
        let totals = analysis.totals
        let input = analysis.layers[0].output
        let last = analysis.layers[analysis.layers.count - 1]
        let className = Self.className(analysis.name)
        let (members, forward) = Self.sections(Marked.plain(render(network, comments: true).joined(separator: "\n")))
        var text = """
            # Generated by convlint \(ConvLintVersion.current) from \(path): the network it checked, as a PyTorch module.
            # \(totals.params.grouped) parameters, \(totals.macs.grouped) MACs per image; input N×\(input.d)×\(input.h)×\(input.w),
            # output N×\(last.output.d)×\(last.output.h)×\(last.output.w).
            import torch
            from torch import nn
            \n\n
            """
        for helper in Helper.allCases where helpers.contains(helper) { text += helper.source + "\n\n\n" }
        for definition in definitions { text += definition + "\n\n" }
        text += "class \(className)(nn.Module):\n"
        text += "    def __init__(self):\n        super().__init__()\n"
        for member in members { text += "        \(member)\n" }
        text += "\n    def forward(self, x):\n"
        for line in forward { text += "        \(line)\n" }
        text += "\n\n"
        text += """
            if __name__ == "__main__":
                model = \(className)()
                print(sum(p.numel() for p in model.parameters()), "parameters")
                print(tuple(model(torch.randn(1, \(input.d), \(input.h), \(input.w))).shape))

            """
        return text
    }

    /// A Python class name from the network's or a block's: its letters and digits, capitalised.
    static func className(_ name: String) -> String {
        let words = name.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        let joined = words.joined()
        return joined.first.map { $0.isLetter } == true ? joined : "Net" + joined
    }

    private static let reserved: Set<String> = [
        "self", "x", "in_channels", "nn", "torch", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield", "None", "True", "False",
    ]

    /// A block or parameter name as a Python identifier (dashes become underscores).
    static func identifier(_ name: String) -> String {
        let underscored = name.replacingOccurrences(of: "-", with: "_")
        return reserved.contains(underscored) ? underscored + "_" : underscored
    }
}
