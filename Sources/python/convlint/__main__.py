"""`convlint` on the command line and `python -m convlint`: the binary this wheel ships."""

import os
import sys
from pathlib import Path


def binary() -> Path:
    """The path of the binary inside the installed package."""
    return Path(__file__).resolve().parent / "bin" / "convlint"


def main() -> None:
    path = binary()
    if not os.access(path, os.X_OK):
        sys.exit(f"convlint: no executable binary at {path}; reinstall the wheel (pip install --force-reinstall convlint)")
    # The binary takes over the process: its exit status and signals are the command's.
    os.execv(path, [str(path), *sys.argv[1:]])


if __name__ == "__main__":
    main()
