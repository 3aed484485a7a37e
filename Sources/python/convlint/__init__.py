"""convlint: check convolutional network architectures before you spend GPU hours training them.

The wheel carries the `convlint` binary (Swift, with its runtime linked in); `convlint` on the
command line runs it, and `convlint.check` returns its report as dataclasses:

    >>> import convlint
    >>> report = convlint.check("architectures/vgg16.yaml", batch=64, gpu_memory="16GiB")
    >>> report.params
    138357544
"""

from .api import ConvlintError, Diagnostic, Layer, Report, check

__version__ = "0.1.0"
__all__ = ["check", "Report", "Layer", "Diagnostic", "ConvlintError", "__version__"]
