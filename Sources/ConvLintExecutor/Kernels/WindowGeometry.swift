import ConvLintKit

/// The sliding-window settings a CONV or DECONV runs with.
struct WindowGeometry: Sendable {
    var filters: Int
    var kernel: (w: Int, h: Int)
    var stride: (w: Int, h: Int) = (1, 1)
    var padding: (w: Int, h: Int) = (0, 0)
    var dilation: (w: Int, h: Int) = (1, 1)
    var groups = 1

    init(
        filters: Int, kernel: (w: Int, h: Int), stride: (w: Int, h: Int) = (1, 1), padding: (w: Int, h: Int) = (0, 0),
        dilation: (w: Int, h: Int) = (1, 1), groups: Int = 1
    ) {
        self.filters = filters
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    init(_ conv: ConvolutionLayer) {
        let window = conv.window
        func pair(_ value: Pair) -> (w: Int, h: Int) { (value.w, value.h) }
        self.init(
            filters: conv.filters, kernel: pair(window.kernel), stride: pair(window.stride), padding: pair(window.padding),
            dilation: pair(window.dilation), groups: conv.groups)
    }
}
