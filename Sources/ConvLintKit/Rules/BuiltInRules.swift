/// The findings of reading, expanding and sizing a file, described like the lint rules so that
/// `convlint rules`, `convlint explain` and SARIF cover them too.
enum BuiltInRules {
    static let all: [RuleDescription] = [
        RuleDescription(
            id: RuleID.unreadableFile, kind: .input, severity: .error,
            summary: "the file cannot be read: missing, a directory, too large, or not UTF-8",
            rationale: """
                convlint reads architecture files of up to 1 MiB of UTF-8 text. Anything else is \
                reported with its position where one exists (an invalid byte sequence), and exits 2.
                """,
            triggering: [], nonTriggering: []),
        RuleDescription(
            id: RuleID.yamlSyntax, kind: .input, severity: .error,
            summary: "malformed YAML, or YAML that expands beyond convlint's bounds",
            rationale: """
                The file is not valid YAML (libyaml's message and position are shown), nests deeper \
                than 256 levels, or uses aliases that expand to more than 100,000 nodes. Exits 2.
                """,
            triggering: ["input: 8x8x3\nnetwork: CONV(8\n  bad: [\n"], nonTriggering: ["input: 8x8x3\nnetwork: CONV(8)\n"]),
        RuleDescription(
            id: RuleID.unquotedPattern, kind: .input, severity: .error,
            summary: "a pattern line that YAML reads as a list or map: it needs quotes",
            rationale: """
                A plain YAML value cannot start with '[' or '{', and inside { } a comma ends a value, \
                so '- [CONV -> RELU]*2 -> POOL' is a syntax error or a list to YAML. The finding \
                shows the quoted form. It is a finding about the pattern (exit 1), not malformed YAML.
                """,
            triggering: ["input: 8x8x3\nnetwork:\n  - [CONV(8, F=1) -> RELU]*2\n"],
            nonTriggering: ["input: 8x8x3\nnetwork:\n  - \"[CONV(8, F=1) -> RELU]*2\"\n"]),
        RuleDescription(
            id: RuleID.fileFormat, kind: .input, severity: .error,
            summary: "a key, a value or a shape that the file format does not allow",
            rationale: """
                Top-level keys are exactly name, input, batch, dtype, rounding, defaults, vars, \
                blocks and network; values have fixed types; 'network' and an input shape are \
                required. Unknown keys get a "did you mean".
                """,
            triggering: ["input: 8x8x3\nnetwrk: FC(2)\n"], nonTriggering: ["input: 8x8x3\nnetwork: FC(2)\n"]),
        RuleDescription(
            id: RuleID.patternSyntax, kind: .input, severity: .error,
            summary: "a network pattern that does not follow the grammar",
            rationale: """
                Patterns are layers joined by '->', with '[X]*N' repetitions, 'X?P' options and \
                '(A | B)' or '(A + B)' branch groups. The finding points at the token where the \
                grammar broke.
                """,
            triggering: ["input: 8x8x3\nnetwork: CONV(8 -> RELU\n"], nonTriggering: ["input: 8x8x3\nnetwork: CONV(8) -> RELU\n"]),
        RuleDescription(
            id: RuleID.unknownName, kind: .input, severity: .error,
            summary: "an unknown layer kind, block or variable",
            rationale: """
                Every name in a pattern is a layer kind, a VGG paper name (conv3-64, FC-4096), a \
                block, a block parameter, a variable or a keyword (same, valid, true, false, floor, \
                ceil, strict). Close names get a "did you mean".
                """,
            triggering: ["input: 8x8x3\nnetwork: CONV(8) -> RLEU\n"], nonTriggering: ["input: 8x8x3\nnetwork: CONV(8) -> RELU\n"]),
        RuleDescription(
            id: RuleID.badArgument, kind: .input, severity: .error,
            summary: "an argument a layer kind does not take, or a value out of range",
            rationale: """
                Each kind takes fixed arguments (SPEC §3): strides and sizes are at least 1, padding \
                at least 0, only the first argument may be positional, and CONV needs a filter count \
                and size, from the call or from 'defaults'.
                """,
            triggering: ["input: 8x8x3\nnetwork: CONV(8, F=3, S=0)\n"], nonTriggering: ["input: 8x8x3\nnetwork: CONV(8, F=3, S=1)\n"]),
        RuleDescription(
            id: RuleID.expansionLimit, kind: .input, severity: .error,
            summary: "a pattern that expands beyond \(Limits.expandedLayers.grouped) layers or nests deeper than \(Limits.nesting) levels",
            rationale: """
                Expansion is bounded so that no file makes convlint hang or exhaust memory. A \
                pattern that must exceed the bound is refused before any layer is built.
                """,
            triggering: ["input: 8x8x3\nnetwork: \"[RELU]*1000000000000\"\n"], nonTriggering: ["input: 8x8x3\nnetwork: \"[RELU]*3\"\n"]),
        RuleDescription(
            id: RuleID.nonIntegerOutput, kind: .shape, severity: .error,
            summary: "(W − F + 2P)/S + 1 is not an integer under 'rounding: strict'",
            rationale: """
                The CS231n notes call such a setting invalid: the filter does not tile the input \
                symmetrically (W=10, F=3, P=0 cannot use S=2, since (10 − 3)/2 + 1 = 4.5). Libraries \
                differ on what they do with the remainder, so convlint refuses it by default and \
                suggests the nearest input size, padding or stride that fits. 'rounding: floor' \
                (PyTorch) or 'ceil' (Caffe) make it a warning.
                """,
            triggering: ["input: 10x10x3\nnetwork: CONV(8, F=3, S=2, P=0)\n"],
            nonTriggering: ["input: 11x11x3\nnetwork: CONV(8, F=3, S=2, P=0)\n"]),
        RuleDescription(
            id: RuleID.roundedOutput, kind: .shape, severity: .warning,
            summary: "(W − F + 2P)/S + 1 is not an integer and 'rounding: floor' or 'ceil' rounds it",
            rationale: """
                Under floor (PyTorch's default) the last rows and columns of the padded input are \
                never seen; under ceil (Caffe, PyTorch's ceil_mode) a window hangs over the edge. \
                The warning says how many rows and columns, so that a network ported between \
                frameworks keeps its sizes.
                """,
            triggering: ["input: 224x224x3\nrounding: floor\nnetwork: CONV(64, F=7, S=2, P=3)\n"],
            nonTriggering: ["input: 225x225x3\nrounding: floor\nnetwork: CONV(64, F=7, S=2, P=3)\n"]),
        RuleDescription(
            id: RuleID.invalidShape, kind: .shape, severity: .error,
            summary: "an output smaller than 1x1, a filter larger than its padded input, or groups that do not divide",
            rationale: """
                A layer whose output would be empty, whose filter does not fit its padded input, or \
                whose groups do not divide its input depth and filter count cannot be built. The \
                finding says which volume the input has shrunk to.
                """,
            triggering: ["input: 4x4x3\nnetwork: CONV(8, F=5)\n"], nonTriggering: ["input: 5x5x3\nnetwork: CONV(8, F=5)\n"]),
        RuleDescription(
            id: RuleID.paddingExceedsKernel, kind: .shape, severity: .error,
            summary: "padding at least as large as the (effective) filter",
            rationale: """
                With P ≥ F_eff the outermost windows see only zeros: their outputs carry no \
                information about the input, only the bias. 'same' padding is (F_eff − 1)/2.
                """,
            triggering: ["input: 8x8x3\nnetwork: CONV(8, F=3, P=3)\n"], nonTriggering: ["input: 8x8x3\nnetwork: CONV(8, F=3, P=1)\n"]),
        RuleDescription(
            id: RuleID.branchMismatch, kind: .shape, severity: .error,
            summary: "branches of a ( | ) group differ in W or H, of a ( + ) group in any dimension, or of a ( * ) group do not broadcast",
            rationale: """
                Concatenation along depth needs the branches' W and H to agree; a sum needs all \
                three dimensions to agree (a ResNet shortcut needs a 1x1 CONV when the main path \
                changes depth or stride); a product needs each side equal or 1 and the depths \
                equal. When W and H differ, the finding names the layer where the sizes part (the \
                last one in the odd branch that changes them) and the padding, stride or \
                output_pad that makes it give the other branch's size.
                """,
            triggering: ["input: 8x8x16\nnetwork: (CONV(32, F=1) + ID)\n"],
            nonTriggering: ["input: 8x8x16\nnetwork: (CONV(16, F=1) + ID)\n"]),
        RuleDescription(
            id: RuleID.overflow, kind: .shape, severity: .error,
            summary: "a size or cost that overflows a 64-bit integer",
            rationale: """
                Sizes far beyond any real network are reported where they overflow instead of \
                wrapping around or crashing.
                """,
            triggering: ["input: 1048576x1048576x1024\nnetwork: INPUT -> FC(1048576)\n"],
            nonTriggering: ["input: 1024x1024x3\nnetwork: INPUT -> FC(10)\n"]),
        RuleDescription(
            id: MemoryBudget.ruleID, kind: .budget, severity: .error,
            summary: "a training step at the requested batch does not fit --gpu-memory",
            rationale: """
                The question a sizing tool answers is whether a network trains on a given GPU at a \
                given batch. With --gpu-memory, convlint estimates the peak of one training step \
                (PyTorch's allocator on a CUDA GPU by default, or the notes' rule of thumb with \
                --framework notes) and reports the batch from the file or --batch when it does not \
                fit, with the largest batch that does. Activations grow with the batch; weights, \
                gradients and optimizer state do not, so a model whose weights alone exceed the \
                budget fits at no batch.
                """,
            triggering: [], nonTriggering: []),
        RuleDescription(
            id: RuleID.unusedDefinition, kind: .input, severity: .warning,
            summary: "a variable, block or defaults entry that the patterns never use",
            rationale: """
                A definition nothing uses is usually a typo elsewhere (a variable named n where the \
                pattern says N; defaults for MAXPOOL in a network of POOLs, which they do not reach, \
                while POOL's reach MAXPOOL and AVGPOOL) or a leftover after an edit; either way the \
                file does not say what its author thinks. Uses are read from the patterns as \
                written, so a body that *0 or ?false leaves out still counts as using its names.
                """,
            triggering: ["input: 8x8x3\nvars: {n: 2}\nnetwork: \"INPUT -> [CONV(8, F=3, P=1)]*2\"\n"],
            nonTriggering: ["input: 8x8x3\nvars: {n: 2}\nnetwork: \"INPUT -> [CONV(8, F=3, P=1)]*n\"\n"]),
        RuleDescription(
            id: RuleID.unknownOverride, kind: .input, severity: .error,
            summary: "--set names a variable the file neither defines nor uses",
            rationale: """
                --set N=3 replaces a variable of the file, or gives one that the patterns use; a \
                name that is neither is a typo (names are case-sensitive), and ignoring it would \
                check a different network than the one asked for. It is a usage error (exit 2), \
                with the nearest name the file has.
                """,
            triggering: [], nonTriggering: []),
        RuleDescription(
            id: RuleID.unusedSuppression, kind: .lint, severity: .warning,
            summary: "a '# convlint: disable=…' comment that suppresses nothing",
            rationale: """
                A suppression that no longer matches a finding hides nothing today but would hide a \
                new finding tomorrow; remove it. Suppressions that name unknown rules, or rules \
                that cannot be suppressed (errors that make the network unbuildable), are reported \
                the same way.
                """,
            triggering: ["input: 8x8x3\nnetwork: CONV(8, F=3, P=1)  # convlint: disable=large-filter\n"],
            nonTriggering: ["input: 8x8x3\nnetwork: CONV(8, F=3, P=1)\n"]),
    ]
}
