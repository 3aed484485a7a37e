"""The pre-commit hook, run by pre-commit itself against a temporary repository."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_hook(repository: Path) -> subprocess.CompletedProcess:
    # The venv's convlint (the installed wheel) is the one convlint-system finds on PATH.
    environment = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "convlint-system", "--all-files"],
        cwd=repository, capture_output=True, text=True, env=environment)


def repository(tmp_path: Path, architectures: list) -> Path:
    (tmp_path / "architectures").mkdir()
    for name in architectures:
        shutil.copy(ROOT / "architectures" / name, tmp_path / "architectures" / name)
    # YAML that is no architecture, outside architectures/: the hook's pattern leaves it alone.
    (tmp_path / "ci.yaml").write_text("jobs: {build: {runs-on: ubuntu-latest}}\n")
    git = ["git", "-c", "user.email=test@example.com", "-c", "user.name=test"]
    subprocess.run(git + ["init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(git + ["add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(git + ["commit", "-qm", "architectures"], cwd=tmp_path, check=True)
    return tmp_path


def test_the_hook_catches_an_invalid_architecture(tmp_path):
    done = run_hook(repository(tmp_path, ["alexnet-224.yaml", "lenet5.yaml"]))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout and "error[non-integer-output]" in done.stdout
    assert "architectures/alexnet-224.yaml:20:" in done.stdout and "ci.yaml" not in done.stdout


def test_the_hook_passes_valid_architectures(tmp_path):
    done = run_hook(repository(tmp_path, ["lenet5.yaml", "vgg16.yaml"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
