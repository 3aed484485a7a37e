"""convlint: check convolutional network architectures before you spend GPU hours training them.

The wheel carries the `convlint` binary (Swift, its runtime linked in); `convlint` on the command
line runs it. See https://github.com/ for the project's README.
"""

__version__ = "0.1.0"
