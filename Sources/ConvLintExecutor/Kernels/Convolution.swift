import CKernels
import Foundation

/// Convolution as GEMM, per image and group, with weights stored K × Kh × Kw × C/g (each
/// filter's taps outermost, channels innermost), in one of two ways:
/// - **shifted**: each filter tap is one GEMM over a zero-padded copy of the input, read at the
///   tap's offset, and the taps accumulate. At stride s the copy is cut into phases, the input
///   subsampled every s rows and columns from each offset, and each tap reads one phase.
///   Output rows come out as wide as a phase, and the extra columns are dropped. No im2col: the
///   input is copied once instead of once per tap.
/// - **direct**: on the built-in C kernel (see `NativeGEMM.runsDirectConvolution`), the
///   shifted method's products without its GEMMs: a
///   tile of output positions and filters sums every tap and channel in registers, reading the
///   padded input through a table of each product's offset (`ckernels_direct_convolution`).
/// - **columns**: the notes' recipe, im2col then one GEMM (a 1x1 stride-1 unpadded
///   convolution multiplies the input itself).
///
/// Either way the output positions are cut into blocks that each core works through with its
/// own scratch, small enough to stay in its cache while the GEMMs write and reread them.
struct Convolution {
    enum Method: String {
        case shifted = "shifted GEMM", direct = "direct (6x16 tiles)", columns = "im2col + GEMM", pointwise = "GEMM (1x1)"

        /// Over the padded input's phases.
        var readsPhases: Bool { self == .shifted || self == .direct }
    }

    let geometry: WindowGeometry
    let method: Method
    /// How the output is cut up between cores, for the input and output this layer has.
    let blocks: Blocks
    /// Where each GEMM's weights start among the `packedCount` floats the backend packed them
    /// into, by group, filter part and (shifted) tap; empty when the backend reads them as stored
    /// or the method is direct.
    let panels: [Int]
    let packedCount: Int
    /// Direct: each product's offset in the padded input, channel by channel and tap by tap
    /// within each (the order of the packed weights).
    let offsets: [Int32]
    /// Multiply-accumulates of the convolution, from the output positions the kernels wrote.
    private(set) var macs = 0
    /// Multiplications the GEMMs performed: more than `macs` when shifted, which also computes
    /// the padding columns of each output row.
    private(set) var multiplications = 0

    /// Compiled for one input and output size and one GEMM backend.
    init(_ geometry: WindowGeometry, input: (depth: Int, height: Int, width: Int), output: (height: Int, width: Int), gemm: any GEMM) {
        self.geometry = geometry
        method = Self.method(geometry, channels: input.depth, direct: (gemm as? NativeGEMM)?.runsDirectConvolution ?? false)
        blocks = Self.blocks(geometry, method: method, input: input, output: output, tile: gemm.tile)
        if method == .direct {
            let padded = PaddedInput(geometry, input: (input.height, input.width), output: output)
            let taps = geometry.kernel.h * geometry.kernel.w
            offsets = (0..<(input.depth / geometry.groups * taps)).map { row in
                let (channel, tap) = row.quotientAndRemainder(dividingBy: taps)
                let (phase, offset) = padded.read(tap: tap)
                return Int32((phase * input.depth + channel) * padded.plane + offset)
            }
            panels = []
            packedCount = geometry.groups * Self.directBlocks(geometry) * DirectTile.filters * offsets.count
            return
        }
        offsets = []
        let operands = Self.operands(geometry, method: method, blocks: blocks, channels: input.depth)
        let counts = operands.map { gemm.packedCount(m: $0.m, k: $0.k) }
        // All or nothing: a backend packs by the operand's size, and may leave a part of few filters as stored.
        let packs = !counts.isEmpty && counts.allSatisfy { $0 > 0 }
        // Each panel starts where the ones before it end.
        var offsets = [Int](), end = 0
        for count in packs ? counts : [] {
            offsets.append(end)
            end += count
        }
        (panels, packedCount) = (offsets, end)
    }

    /// `channels`: the input's; `direct`: whether the backend is the built-in C kernel, which
    /// runs the direct method.
    static func method(_ geometry: WindowGeometry, channels: Int, direct: Bool) -> Method {
        let perGroup = channels / geometry.groups
        let (kernel, stride) = (geometry.kernel, geometry.stride)
        // A kernel no larger than its stride (a 1x1 stride-2 shortcut) reads each input once, so
        // im2col copies no more than the phases would.
        let overlaps = stride == (1, 1) || kernel.h > stride.h || kernel.w > stride.w
        return if kernel == (1, 1) && stride == (1, 1) && geometry.padding == (0, 0) { .pointwise }
            // With few channels a tap's GEMM is too thin (K = C/g) to run at speed: VGG16's first layer, on 3.
            else if overlaps && perGroup >= 16 { direct ? .direct : .shifted }
            else { .columns }
    }

    /// The left operand of one of the GEMMs: a filter part's rows of the weights (K × rows,
    /// row-major), whole or, when shifted, one tap's columns.
    struct Operand {
        var m: Int, k: Int
        /// Where it starts in the weights; its rows are the weights' rows apart.
        var offset: Int
    }

    /// Every GEMM's left operand, in the order of `panels`.
    private static func operands(_ geometry: WindowGeometry, method: Method, blocks: Blocks, channels: Int) -> [Operand] {
        let inPerGroup = channels / geometry.groups, outPerGroup = geometry.filters / geometry.groups
        let taps = method == .shifted ? geometry.kernel.h * geometry.kernel.w : 1
        let rows = inPerGroup * geometry.kernel.h * geometry.kernel.w
        var operands = [Operand]()
        for group in 0..<geometry.groups {
            for part in 0..<blocks.filterParts {
                let first = part * blocks.filterSize
                let filters = max(0, min(blocks.filterSize, outPerGroup - first))
                for tap in 0..<taps {
                    operands.append(
                        Operand(m: filters, k: rows / taps, offset: (group * outPerGroup + first) * rows + tap * inPerGroup))
                }
            }
        }
        return operands
    }

    /// The weights packed for the backend's GEMMs, from `arena` (they count among the live
    /// bytes); nil when it packs none.
    func pack(_ weights: UnsafePointer<Float>, channels: Int, gemm: any GEMM, arena: TensorArena) -> Tensor? {
        guard packedCount > 0 else { return nil }
        let packed = Tensor(batch: 1, depth: packedCount, height: 1, width: 1, arena: arena)
        let rows = channels / geometry.groups * geometry.kernel.h * geometry.kernel.w
        if method == .direct {
            packDirect(weights, rows: rows, into: packed.base)
            return packed
        }
        for (operand, offset) in zip(Self.operands(geometry, method: method, blocks: blocks, channels: channels), panels) {
            gemm.pack(m: operand.m, k: operand.k, a: weights + operand.offset, lda: rows, into: packed.base + offset)
        }
        return packed
    }

    /// The direct method's tile: positions and filters.
    enum DirectTile {
        static let positions = 6, filters = 16
        /// Products summed in registers before the tile is stored, as the GEMM's panels of K:
        /// ResNet-50's 3x3/2 on 14x14x512 (4,608 products) took 3.1 ms in one run, 2.1 in runs
        /// of 512 (256 and 1,024 no faster), which keep a run's weights (32 KiB a block of
        /// filters) and the channels it reads in cache across the tiles.
        static let depth = 512
    }

    /// Blocks of `DirectTile.filters` filters a group.
    static func directBlocks(_ geometry: WindowGeometry) -> Int {
        (geometry.filters / geometry.groups + DirectTile.filters - 1) / DirectTile.filters
    }

    /// The weights for the direct method: per group and block of 16 filters, one vector of the
    /// 16 filters' weights (zero past the group's last filter) per product, channel by channel
    /// and tap by tap within each, as `offsets` reads the input.
    private func packDirect(_ weights: UnsafePointer<Float>, rows: Int, into packed: UnsafeMutablePointer<Float>) {
        let (taps, lanes) = (geometry.kernel.h * geometry.kernel.w, DirectTile.filters)
        let (perGroup, channels) = (geometry.filters / geometry.groups, rows / taps)
        var target = packed
        for group in 0..<geometry.groups {
            for block in 0..<Self.directBlocks(geometry) {
                for row in 0..<rows {
                    let (channel, tap) = row.quotientAndRemainder(dividingBy: taps)
                    for lane in 0..<lanes {
                        let filter = block * lanes + lane
                        target[lane] = filter < perGroup ? weights[(group * perGroup + filter) * rows + tap * channels + channel] : 0
                    }
                    target += lanes
                }
            }
        }
    }

    /// How the output of one image and group is cut up between cores, and the scratch each
    /// core needs: blocks of positions with every filter, or, when there are too few positions
    /// to share (7x7 late in a network), every position with a part of the filters, so that
    /// each core packs only its part of the weights instead of all of them.
    struct Blocks {
        /// Positions per block, and blocks per image and group.
        var size: Int, count: Int
        /// Filters per part, and parts.
        var filterSize: Int, filterParts: Int
        /// Floats of scratch per core, and shared by all (the padded input of the shifted method).
        var perCore: Int, shared: Int

        var workspace: Int { perCore * Cores.count + shared }
        var items: Int { count * filterParts }

        /// `cap`: the most positions a block may hold; `scratch(positions, filters)`: a core's
        /// scratch for a block; `tile`: the rows and columns the GEMM's kernel pads a product to.
        init(
            positions: Int, filters: Int, cap: Int, tile: (rows: Int, columns: Int), shared: Int = 0,
            scratch: (Int, Int) -> Int
        ) {
            let cores = Cores.count
            func padded(_ count: Int, to multiple: Int) -> Int { (count + multiple - 1) / multiple * multiple }
            count = cores * max(1, (positions + cores * cap - 1) / (cores * cap))
            size = (positions + count - 1) / count
            // Every position with a part of the filters: where there are too few positions to
            // share, or where the positions' blocks would pad more columns than the parts pad
            // rows (ResNet-50's 14x14 layers: 196 positions are 2 blocks of 98, 128 columns
            // each, against 224 for all of them).
            let byPositions = count * padded(size, to: tile.columns) * padded(filters, to: tile.rows)
            let byFilters = cores * padded((filters + cores - 1) / cores, to: tile.rows) * padded(positions, to: tile.columns)
            let splitFilters =
                filters >= 16 * cores && (positions < 96 * cores || (positions <= cap && byFilters < byPositions))
            if splitFilters {
                (count, size) = (1, positions)
                filterParts = cores
            } else {
                filterParts = 1
            }
            filterSize = (filters + filterParts - 1) / filterParts
            perCore = scratch(size, filterSize)
            self.shared = shared
        }
    }

    /// The padded input of the shifted method, as phases: phase (ry, rx) holds the padded
    /// input's rows ry, ry + s, … and columns rx, rx + s, … (stride s), so that tap (ky, kx)
    /// reads the phase of its offset's remainders at its offset's quotients, one plane per phase
    /// and channel. Only the phases some tap reads are kept; at stride 1 the one phase is the
    /// padded input. Slack after the last plane for the rightmost tap's reads past its end.
    struct PaddedInput {
        /// Of a phase.
        let height: Int, width: Int
        /// The remainders that some tap's row (column) offset leaves, in order.
        let rows: [Int], columns: [Int]
        let slack: Int
        let geometry: WindowGeometry
        var plane: Int { height * width }
        var phases: Int { rows.count * columns.count }

        init(_ geometry: WindowGeometry, input: (height: Int, width: Int), output: (height: Int, width: Int)) {
            self.geometry = geometry
            let (stride, dilation, kernel) = (geometry.stride, geometry.dilation, geometry.kernel)
            // The padded input, and as far as the last output's window reaches (past it when the
            // file rounds up), which reads zeros there.
            let reach = (h: (kernel.h - 1) * dilation.h / stride.h, w: (kernel.w - 1) * dilation.w / stride.w)
            height = max((input.height + 2 * geometry.padding.h + stride.h - 1) / stride.h, output.height + reach.h)
            width = max((input.width + 2 * geometry.padding.w + stride.w - 1) / stride.w, output.width + reach.w)
            rows = Set((0..<kernel.h).map { $0 * dilation.h % stride.h }).sorted()
            columns = Set((0..<kernel.w).map { $0 * dilation.w % stride.w }).sorted()
            slack = reach.w
        }

        /// Tap `tap`'s phase, and where in the phase's plane it reads output position 0.
        func read(tap: Int) -> (phase: Int, offset: Int) {
            let dy = tap / geometry.kernel.w * geometry.dilation.h, dx = tap % geometry.kernel.w * geometry.dilation.w
            let (sy, sx) = (geometry.stride.h, geometry.stride.w)
            let phase = rows.firstIndex(of: dy % sy)! * columns.count + columns.firstIndex(of: dx % sx)!
            return (phase, dy / sy * width + dx / sx)
        }

        /// Channel `source` (`inputHeight` × `inputWidth`) into the plane of phase `phase` at
        /// `target`, zeros where the phase falls on the padding or past the padded input.
        func copy(
            _ source: UnsafePointer<Float>, inputHeight: Int, inputWidth: Int, phase: Int, into target: UnsafeMutablePointer<Float>
        ) {
            let (top, left) = (geometry.padding.h, geometry.padding.w)
            if geometry.stride == (1, 1) {
                copyZeroPadded(
                    source, height: inputHeight, width: inputWidth, into: target, stride: width, count: plane, top: top,
                    left: left)
                return
            }
            let (sy, sx) = (geometry.stride.h, geometry.stride.w)
            let (ry, rx) = (rows[phase / columns.count], columns[phase % columns.count])
            // Phase columns px whose input column rx + px·sx − left lies within [0, inputWidth).
            let firstColumn = max(0, (left - rx + sx - 1) / sx)
            let endColumn = min(width, max(firstColumn, (inputWidth + left - rx + sx - 1) / sx))
            for py in 0..<height {
                let row = target + py * width
                let y = ry + py * sy - top
                guard y >= 0, y < inputHeight, firstColumn < endColumn else {
                    row.update(repeating: 0, count: width)
                    continue
                }
                row.update(repeating: 0, count: firstColumn)
                let line = source + y * inputWidth + rx - left
                for px in firstColumn..<endColumn { row[px] = line[px * sx] }
                (row + endColumn).update(repeating: 0, count: width - endColumn)
            }
        }
    }

    private static func blocks(
        _ geometry: WindowGeometry, method: Method, input: (depth: Int, height: Int, width: Int), output: (height: Int, width: Int),
        tile: (rows: Int, columns: Int)
    ) -> Blocks {
        let filters = geometry.filters / geometry.groups
        let rows = input.depth / geometry.groups * geometry.kernel.h * geometry.kernel.w
        let positions = output.height * output.width
        switch method {
        case .pointwise:
            return Blocks(positions: positions, filters: filters, cap: positions, tile: tile) { _, _ in 0 }
        case .columns:
            // A block of columns within 512 KiB, half of a Zen 4 core's L2.
            return Blocks(positions: positions, filters: filters, cap: max(64, (1 << 17) / rows), tile: tile) { positions, _ in
                positions * rows
            }
        case .direct:
            // As shifted, but writing the output itself, in parts of whole blocks of 16 filters;
            // a tile's last positions read up to 5 past the last.
            let padded = PaddedInput(geometry, input: (input.height, input.width), output: output)
            var blocks = Blocks(
                positions: output.height * padded.width, filters: filters, cap: max(512, 4 * filters),
                tile: (DirectTile.filters, DirectTile.positions),
                shared: padded.phases * input.depth * padded.plane + padded.slack + DirectTile.positions
            ) { _, _ in 0 }
            let lanes = DirectTile.filters
            blocks.filterSize = (blocks.filterSize + lanes - 1) / lanes * lanes
            blocks.filterParts = (filters + blocks.filterSize - 1) / blocks.filterSize
            return blocks
        case .shifted:
            // Small filter banks keep their block of output in L2 across the taps' GEMMs (64
            // filters × 512 positions is 128 KiB); larger banks take longer blocks, so that each
            // GEMM's packing of the tap's weights is spread over more columns.
            let padded = PaddedInput(geometry, input: (input.height, input.width), output: output)
            return Blocks(
                positions: output.height * padded.width, filters: filters, cap: max(512, 4 * filters), tile: tile,
                shared: padded.phases * input.depth * padded.plane + padded.slack
            ) { positions, filters in positions * filters }
        }
    }

    /// `weights`: K × (Kh · Kw · C/g), row-major, and `packed` what `pack` made of them for
    /// `gemm`; `epilogue`: the bias and what is fused after it. Scratch comes from `arena`, so
    /// that it counts among the live bytes.
    mutating func forward(
        _ input: Tensor, weights: UnsafePointer<Float>, packed: Tensor?, epilogue: Epilogue, into output: Tensor,
        gemm: any GEMM, arena: TensorArena
    ) {
        let plan = blocks
        let scratch = Tensor(workspace: plan.workspace, arena: arena)
        let pass = ConvolutionPass(
            geometry: geometry, input: input, output: output, weights: weights, packed: packed?.base, panels: panels,
            epilogue: epilogue, gemm: gemm, blocks: plan, scratch: scratch.base, offsets: offsets)
        let method = method
        for n in 0..<input.batch {
            if method.readsPhases { pass.pad(image: n) }
            // Work items: every block and filter part of every group, dealt to the cores in turn;
            // each core tallies what its items did.
            nonisolated(unsafe) let counts = UnsafeMutablePointer<(Int, Int)>.allocate(capacity: Cores.count)
            defer { counts.deallocate() }
            counts.initialize(repeating: (0, 0), count: Cores.count)
            Cores.deal(geometry.groups * plan.items, workers: gemm.workers) { item, core in
                let (group, rest) = item.quotientAndRemainder(dividingBy: plan.items)
                let (block, part) = rest.quotientAndRemainder(dividingBy: plan.filterParts)
                let done = pass.run(method, image: n, group: group, block: block, part: part, core: core)
                counts[core] = (counts[core].0 + done.0, counts[core].1 + done.1)
            }
            for core in 0..<Cores.count {
                macs += counts[core].0
                multiplications += counts[core].1
            }
        }
    }
}

/// One convolution's operands, and the work of one block of output positions.
private struct ConvolutionPass: @unchecked Sendable {
    let geometry: WindowGeometry
    let input: Tensor, output: Tensor
    let weights: UnsafePointer<Float>
    /// The weights as the backend packed them, and where each GEMM's start (see `Convolution.panels`).
    let packed: UnsafePointer<Float>?, panels: [Int]
    let epilogue: Epilogue
    let gemm: any GEMM
    let blocks: Convolution.Blocks
    let scratch: UnsafeMutablePointer<Float>

    var inPerGroup: Int { input.depth / geometry.groups }
    var outPerGroup: Int { geometry.filters / geometry.groups }
    var taps: Int { geometry.kernel.h * geometry.kernel.w }
    var rows: Int { inPerGroup * taps }
    var positions: Int { output.height * output.width }
    var padded: Convolution.PaddedInput {
        Convolution.PaddedInput(geometry, input: (input.height, input.width), output: (output.height, output.width))
    }
    /// The shared scratch: the padded input.
    var paddedBase: UnsafeMutablePointer<Float> { scratch + blocks.perCore * Cores.count }
    let offsets: [Int32]

    /// Runs one block of positions for one part of the filters; returns the MACs of the positions
    /// it wrote and the multiplications performed.
    func run(_ method: Convolution.Method, image n: Int, group: Int, block: Int, part: Int, core: Int) -> (Int, Int) {
        let own = scratch + core * blocks.perCore
        let firstFilter = part * blocks.filterSize
        let filters = max(0, min(blocks.filterSize, outPerGroup - firstFilter))
        let filterRows = weights + (group * outPerGroup + firstFilter) * rows
        // The first of this part's packed operands (one per tap when shifted).
        let panel = (group * blocks.filterParts + part) * (method == .shifted ? taps : 1)
        let target = output.image(n) + (group * outPerGroup + firstFilter) * positions
        let epilogue = epilogue.channels(from: group * outPerGroup + firstFilter)
        if method == .direct {
            return direct(
                image: n, group: group, block: block, filters: filters, firstFilter: firstFilter, epilogue: epilogue,
                target: target)
        }
        if method == .shifted {
            return shifted(
                image: n, group: group, block: block, filters: filters, filterRows: filterRows, panel: panel,
                epilogue: epilogue, target: target, into: own)
        }
        let first = block * blocks.size
        let count = min(blocks.size, positions - first)
        guard count > 0, filters > 0 else { return (0, 0) }
        let source = input.image(n) + group * inPerGroup * input.height * input.width
        // A residual added as the block is stored is read at the block's own positions.
        let stored = epilogue.positions(from: first, image: n, imageSize: output.imageSize)
        if method == .pointwise {
            gemm.multiply(
                m: filters, n: count, k: rows, a: operand(panel, filterRows), b: source + first,
                ldb: positions, transposeB: false, c: target + first, ldc: positions, accumulate: false, epilogue: stored)
        } else {
            im2col(source, positions: first..<(first + count), into: own)
            gemm.multiply(
                m: filters, n: count, k: rows, a: operand(panel, filterRows), b: own, ldb: count,
                transposeB: false, c: target + first, ldc: positions, accumulate: false, epilogue: stored)
        }
        return (filters * rows * count, filters * rows * count)
    }

    /// Operand `panel`, which starts at `stored` in the weights: packed when the backend packed them.
    private func operand(_ panel: Int, _ stored: UnsafePointer<Float>) -> GEMMOperand {
        packed.map { .packed($0 + panels[panel]) } ?? .stored(stored, lda: rows)
    }

    /// Zero-padded copies of image `n`'s channels, phase by phase, split between the cores.
    func pad(image n: Int) {
        let padded = padded, base = paddedBase
        let (height, width, depth) = (input.height, input.width, input.depth)
        nonisolated(unsafe) let source = UnsafePointer(input.image(n)), target = base
        Cores.split(padded.phases * depth, grain: 1) { planes in
            for plane in planes {
                let (phase, channel) = plane.quotientAndRemainder(dividingBy: depth)
                padded.copy(
                    source + channel * height * width, inputHeight: height, inputWidth: width, phase: phase,
                    into: target + plane * padded.plane)
            }
        }
        (base + padded.phases * depth * padded.plane).update(repeating: 0, count: padded.slack)
    }

    /// Direct: each block of 16 filters over the block's positions, straight into the output.
    private func direct(
        image n: Int, group: Int, block: Int, filters: Int, firstFilter: Int, epilogue: Epilogue,
        target: UnsafeMutablePointer<Float>
    ) -> (Int, Int) {
        let padded = padded
        let wide = output.height * padded.width
        let first = block * blocks.size
        let count = min(blocks.size, wide - first)
        guard count > 0, filters > 0, let packed else { return (0, 0) }
        let source = paddedBase + group * inPerGroup * padded.plane
        let lanes = Convolution.DirectTile.filters
        let weights = packed + (group * Convolution.directBlocks(geometry) + firstFilter / lanes) * lanes * rows
        let stored = epilogue.positions(from: 0, image: n, imageSize: output.imageSize)
        // Products in runs of `DirectTile.depth`, each over every block of filters.
        offsets.withUnsafeBufferPointer { offsets in
            for run in stride(from: 0, to: rows, by: Convolution.DirectTile.depth) {
                let depth = min(Convolution.DirectTile.depth, rows - run), last = run + depth == rows
                for start in stride(from: 0, to: filters, by: lanes) {
                    var bounds = stored.channels(from: start).c
                    withUnsafePointer(to: &bounds) { bounds in
                        ckernels_direct_convolution(
                            gemm.kernelISA, Int32(depth), offsets.baseAddress! + run, source, Int32(first), Int32(count),
                            weights + start * rows + run * lanes, Int32(min(lanes, filters - start)), target + start * positions,
                            Int32(positions), Int32(padded.width), Int32(output.width), run > 0 ? 1 : 0,
                            last && !stored.isIdentity ? bounds : nil)
                    }
                }
            }
        }
        // Positions x < output width within each phase-wide row.
        let valid = (first..<(first + count)).count { $0 % padded.width < output.width }
        return (filters * rows * valid, filters * rows * count)
    }

    /// Shifted: one GEMM per tap into the core's block, then the block's valid columns through
    /// the epilogue into the output.
    private func shifted(
        image n: Int, group: Int, block: Int, filters: Int, filterRows: UnsafePointer<Float>, panel: Int, epilogue: Epilogue,
        target: UnsafeMutablePointer<Float>, into own: UnsafeMutablePointer<Float>
    ) -> (Int, Int) {
        let padded = padded
        let wide = output.height * padded.width
        let first = block * blocks.size
        let count = min(blocks.size, wide - first)
        guard count > 0, filters > 0 else { return (0, 0) }
        for tap in 0..<taps {
            let (phase, offset) = padded.read(tap: tap)
            let source = paddedBase + (phase * input.depth + group * inPerGroup) * padded.plane + first + offset
            gemm.multiply(
                m: filters, n: count, k: inPerGroup, a: operand(panel + tap, filterRows + tap * inPerGroup), b: source,
                ldb: padded.plane, transposeB: false, c: own, ldc: count, accumulate: tap > 0, epilogue: .none)
        }
        // Runs of valid columns: x < output width within each padded-width row.
        var valid = 0
        var position = first
        while position < first + count {
            let (y, x) = (position / padded.width, position % padded.width)
            let run = min(padded.width - x, first + count - position)
            let kept = max(0, min(run, output.width - x))
            if kept > 0 {
                let stored = epilogue.positions(from: y * output.width + x, image: n, imageSize: output.imageSize)
                for filter in 0..<filters {
                    let from = own + filter * count + (position - first)
                    stored.apply(from, target + filter * positions + y * output.width + x, count: kept, channel: filter)
                }
            }
            valid += kept
            position += run
        }
        return (filters * rows * valid, filters * rows * count)
    }

    /// Columns for output positions `positions`, rows ordered as the weights are (tap, then
    /// channel): each holds one position's receptive field, zero where it hangs over the padding.
    private func im2col(_ source: UnsafePointer<Float>, positions: Range<Int>, into columns: UnsafeMutablePointer<Float>) {
        let (kernel, stride, padding, dilation) = (geometry.kernel, geometry.stride, geometry.padding, geometry.dilation)
        ckernels_im2col(
            gemm.kernelISA, source, Int32(inPerGroup), Int32(input.height), Int32(input.width), Int32(kernel.h), Int32(kernel.w),
            Int32(stride.h), Int32(stride.w), Int32(padding.h), Int32(padding.w), Int32(dilation.h), Int32(dilation.w),
            Int32(output.width), Int32(positions.lowerBound), Int32(positions.count), columns)
    }
}

/// Transposed convolution: each input value spreads a filter-sized patch over the output. One
/// GEMM per image and group (Wᵀ·X gives every patch), then col2im adds the patches in place.
struct Deconvolution {
    static let name = "GEMM + col2im"
    let geometry: WindowGeometry
    private(set) var macs = 0

    init(_ geometry: WindowGeometry) { self.geometry = geometry }

    /// Floats of the patches of one image and group, which col2im adds into the output.
    func workspace(input: (height: Int, width: Int)) -> Int {
        geometry.filters / geometry.groups * geometry.kernel.h * geometry.kernel.w * input.height * input.width
    }

    /// `weights`: C × (K/g · Kh · Kw), row-major, as PyTorch stores ConvTranspose2d. The patches
    /// come from `arena`, so that they count among the live bytes.
    mutating func forward(
        _ input: Tensor, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: Tensor, gemm: any GEMM,
        arena: TensorArena
    ) {
        let (filters, kernel, groups) = (geometry.filters, geometry.kernel, geometry.groups)
        let inPerGroup = input.depth / groups
        let outPerGroup = filters / groups
        let rows = outPerGroup * kernel.h * kernel.w
        let positions = input.height * input.width
        let scratch = Tensor(workspace: workspace(input: (input.height, input.width)), arena: arena)
        let columns = scratch.base
        output.storage.update(repeating: 0)
        for n in 0..<input.batch {
            for group in 0..<groups {
                gemm.multiplyOnAllCores(
                    m: rows, n: positions, k: inPerGroup, a: weights + group * inPerGroup * rows, transposeA: true,
                    b: input.image(n) + group * inPerGroup * positions, transposeB: false, c: columns, accumulate: false)
                macs += rows * positions * inPerGroup
                col2im(columns, channels: outPerGroup, input: input, into: output.image(n) + group * outPerGroup * output.height * output.width, output: output)
            }
            if let bias { addBias(bias, to: output.image(n), channels: filters, positions: output.height * output.width) }
        }
    }

    private func col2im(
        _ columns: UnsafePointer<Float>, channels: Int, input: Tensor, into target: UnsafeMutablePointer<Float>, output: Tensor
    ) {
        let (kernel, stride, padding, dilation) = (geometry.kernel, geometry.stride, geometry.padding, geometry.dilation)
        var row = 0
        for channel in 0..<channels {
            let plane = target + channel * output.height * output.width
            for ky in 0..<kernel.h {
                for kx in 0..<kernel.w {
                    let source = columns + row * input.height * input.width
                    for iy in 0..<input.height {
                        let y = iy * stride.h - padding.h + ky * dilation.h
                        guard y >= 0, y < output.height else { continue }
                        for ix in 0..<input.width {
                            let x = ix * stride.w - padding.w + kx * dilation.w
                            if x >= 0, x < output.width { plane[y * output.width + x] += source[iy * input.width + ix] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

/// Copies a `height` × `width` plane into `target`, `top` rows down and `left` columns in, with
/// rows `stride` apart and zeros everywhere else up to `count` values: the zero-padded input
/// that the shifted convolution and Winograd read without bounds checks.
func copyZeroPadded(
    _ source: UnsafePointer<Float>, height: Int, width: Int, into target: UnsafeMutablePointer<Float>, stride: Int,
    count: Int, top: Int, left: Int
) {
    target.update(repeating: 0, count: top * stride + left)
    for y in 0..<height {
        let row = target + (top + y) * stride + left
        row.update(from: source + y * width, count: width)
        // The right border of this row and, but after the last row, the left border of the
        // next: with no padding below, that would run past the plane.
        let border = y + 1 < height ? stride - width : stride - width - left
        (row + width).update(repeating: 0, count: border)
    }
    let end = (top + height) * stride
    (target + end).update(repeating: 0, count: count - end)
}

func addBias(_ bias: UnsafePointer<Float>, to image: UnsafeMutablePointer<Float>, channels: Int, positions: Int) {
    for channel in 0..<channels {
        let value = bias[channel]
        let plane = image + channel * positions
        for index in 0..<positions { plane[index] += value }
    }
}
