/// The checked network as a PyTorch `nn.Module` in Python source: one submodule per layer
/// that has parameters or a module of its own in torch.nn, named after its kind and index
/// (`conv1`, `bn2`), and a `forward` that follows the graph, chaining `x` through runs of
/// layers and naming the outputs that branches read again. Its parameters, MACs and output
/// shape are convlint's (Benchmarks/pytorch_export.py checks every shipped architecture).
public enum PyTorchModule {
    public static func source(_ analysis: Analysis, path: String) -> String {
        var writer = Writer(analysis: analysis)
        for layer in analysis.layers { writer.add(layer) }
        return writer.finished(path: path)
    }
}

private struct Writer {
    let analysis: Analysis
    var members: [String] = []
    var lines: [String] = []
    /// Each layer's output, as a Python expression (a variable).
    var names: [Int: String] = [:]
    let readers: LayerReaders
    var helpers: Set<Helper> = []

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

    init(analysis: Analysis) {
        self.analysis = analysis
        readers = LayerReaders(analysis.layers)
    }

    /// The variable of layer `index`'s output: `x` while it is read once, by the next layer.
    private func variable(_ index: Int) -> String { readers.sole(of: index) == index + 1 ? "x" : "x\(index)" }

    private static func pair(_ pair: Pair) -> String { pair.w == pair.h ? "\(pair.w)" : "(\(pair.h), \(pair.w))" }

    mutating func add(_ layer: LayerReport) {
        let index = layer.node.index
        let inputs = layer.node.inputs.map { names[$0]! }
        let input = inputs.first ?? "x"
        let out = variable(index)
        let volume = layer.input
        let name = layer.node.kind.rawValue.lowercased().replacingOccurrences(of: "-", with: "_") + "\(index)"
        func module(_ constructor: String) {
            members.append("self.\(name) = \(constructor)  # \(layer.node.label)")
            lines.append("\(out) = self.\(name)(\(input))")
        }
        func expression(_ code: String) { lines.append("\(out) = \(code)  # \(layer.node.label)") }
        switch layer.node.operation {
        case .input:
            names[index] = "x"
            if out != "x" { lines.append("\(out) = x") }
        case .convolution(let conv):
            let window = conv.window
            var arguments = [
                "\(volume.d)", "\(conv.filters)", Self.pair(window.kernel), "stride=\(Self.pair(window.stride))",
                "padding=\(Self.pair(window.padding))",
            ]
            if window.dilation != Pair(1, 1) { arguments.append("dilation=\(Self.pair(window.dilation))") }
            if conv.groups != 1 { arguments.append("groups=\(conv.groups)") }
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
                module("nn.Conv2d(\(volume.d), \(dense.units), 1\(bias))")
            } else {
                members.append("self.\(name) = nn.Linear(\(volume.elements), \(dense.units)\(bias))  # \(layer.node.label)")
                lines.append("\(out) = self.\(name)(torch.flatten(\(input), 1))[:, :, None, None]")
            }
        case .flatten:
            expression("torch.flatten(\(input), 1)[:, :, None, None]")
        case .dropout(let dropout):
            if dropout.wholeImages {
                // Drop path: the identity at inference, and torchvision's StochasticDepth in training.
                expression(input)
            } else {
                module("nn.Dropout(p=\(dropout.rate))")
            }
        case .identity:
            expression(input)
        case .activation(let activation):
            let perChannel = activation.perChannel ? "\(volume.d)" : ""
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
            case .batch: module("nn.BatchNorm2d(\(volume.d))")
            case .layer(let overChannels):
                if overChannels {
                    helpers.insert(.channelLayerNorm)
                    module("LayerNorm2d(\(volume.d), eps=1e-6)")
                } else {
                    module("nn.GroupNorm(1, \(volume.d))")
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
            module("LayerScale(\(volume.d))")
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

    func finished(path: String) -> String {
        let totals = analysis.totals
        let input = analysis.layers[0].output
        let last = analysis.layers[analysis.layers.count - 1]
        let className = Self.className(analysis.name)
        var text = """
            # Generated by convlint \(ConvLintVersion.current) from \(path): the network it checked, as a PyTorch module.
            # \(totals.params.grouped) parameters, \(totals.macs.grouped) MACs per image; input N×\(input.d)×\(input.h)×\(input.w),
            # output N×\(last.output.d)×\(last.output.h)×\(last.output.w).
            import torch
            from torch import nn
            \n\n
            """
        for helper in Helper.allCases where helpers.contains(helper) { text += helper.source + "\n\n\n" }
        text += "class \(className)(nn.Module):\n"
        text += "    def __init__(self):\n        super().__init__()\n"
        for member in members { text += "        \(member)\n" }
        text += "\n    def forward(self, x):\n"
        for line in lines { text += "        \(line)\n" }
        text += "        return \(names[last.node.index]!)\n\n\n"
        text += """
            if __name__ == "__main__":
                model = \(className)()
                print(sum(p.numel() for p in model.parameters()), "parameters")
                print(tuple(model(torch.randn(1, \(input.d), \(input.h), \(input.w))).shape))

            """
        return text
    }

    /// A Python class name from the network's: its letters and digits, capitalised.
    static func className(_ name: String) -> String {
        let words = name.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        let joined = words.joined()
        return joined.first.map { $0.isLetter } == true ? joined : "Net" + joined
    }
}
