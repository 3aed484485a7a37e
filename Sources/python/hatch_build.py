"""Builds convlint's release binary for the wheel and tags the wheel with what the binary needs.

The Swift standard library and Foundation are linked statically (`-Xswiftc -static-stdlib`), so
the binary runs without a Swift toolchain; it still needs the system's glibc and libstdc++, and
the wheel's manylinux tag says which glibc: the newest GLIBC_2.x symbol version it references.
"""

import platform
import re
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def glibc_needed(binary: Path) -> tuple:
    """The newest glibc symbol version the binary references, e.g. (2, 35)."""
    versions = {(int(major), int(minor)) for major, minor in re.findall(rb"GLIBC_(\d+)\.(\d+)", binary.read_bytes())}
    if not versions:
        raise RuntimeError(f"{binary} references no glibc symbol version; is it a Linux binary?")
    return max(versions)


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        subprocess.run(
            ["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "convlint"],
            cwd=root, check=True)
        built = root / ".build" / "release" / "convlint"
        stage = root / ".build" / "wheel"
        shutil.rmtree(stage, ignore_errors=True)
        (stage / "bin").mkdir(parents=True)
        binary = stage / "bin" / "convlint"
        # Without debug information: a quarter smaller, and nothing a user's traceback needs.
        if shutil.which("strip"):
            subprocess.run(["strip", "-o", str(binary), str(built)], check=True)
        else:
            shutil.copy2(built, binary)
        binary.chmod(0o755)
        build_data["force_include"][str(binary)] = "convlint/bin/convlint"
        for architecture in sorted((root / "architectures").glob("*.yaml")):
            build_data["force_include"][str(architecture)] = f"convlint/architectures/{architecture.name}"
        # For editors: a YAML language server reads `# yaml-language-server: $schema=<path>`.
        build_data["force_include"][str(root / "docs" / "convlint.schema.json")] = "convlint/convlint.schema.json"
        major, minor = glibc_needed(binary)
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-manylinux_{major}_{minor}_{platform.machine()}"
