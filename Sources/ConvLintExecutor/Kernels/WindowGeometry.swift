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

    init(_ hyper: Hyperparameters) {
        func pair(_ value: Pair?) -> (w: Int, h: Int) { (value?.w ?? 1, value?.h ?? 1) }
        self.init(
            filters: hyper.filters ?? 1, kernel: pair(hyper.kernel), stride: pair(hyper.stride),
            padding: (hyper.padding.w, hyper.padding.h), dilation: pair(hyper.dilation), groups: hyper.groups)
    }
}
