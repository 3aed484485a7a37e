#!/usr/bin/env python3
"""Wall time and peak memory of `convlint` (release build) on shipped and generated files.

Each figure is the minimum and median of many runs, beside a baseline measured in the same
run: `convlint --version`, i.e. the cost of starting the process at all. The ratio says how
much the analysis adds to that floor. Usage: python3 Benchmarks/cli_wall_time.py [--runs N]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "convlint")


def measure(arguments, runs):
    """Minimum and median wall seconds, and the largest peak RSS (KiB) of the child runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([BINARY] + arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return min(times), statistics.median(times), peak_kib


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "convlint"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as scratch:
        big = os.path.join(scratch, "deep-100k.yaml")
        with open(big, "w") as handle:
            handle.write('input: 32x32x16\nnetwork: "INPUT -> [CONV(16, F=3, P=1) -> BN -> RELU]*33333"\n')
        cases = [
            ("startup baseline: convlint --version", ["--version"]),
            ("vgg16.yaml (text table)", ["architectures/vgg16.yaml"]),
            ("vgg16.yaml --format json", ["architectures/vgg16.yaml", "--format", "json"]),
            ("resnet50.yaml (text table)", ["architectures/resnet50.yaml"]),
            ("alexnet-224.yaml (rejected, searches for a fitting input)", ["architectures/alexnet-224.yaml"]),
            ("all 24 shipped files in one call", sorted(
                os.path.join("architectures", name) for name in os.listdir(os.path.join(ROOT, "architectures"))
                if name.endswith(".yaml"))),
            ("generated: 100,000 layers", [big, "--quiet"]),
        ]
        os.chdir(ROOT)
        baseline = None
        print(f"{'case':<58} {'min ms':>8} {'median ms':>10} {'x startup':>10}")
        for name, arguments in cases:
            runs = options.runs if "100,000" not in name else max(3, options.runs // 10)
            fastest, median, _ = measure(arguments, runs)
            if baseline is None:
                baseline = fastest
            print(f"{name:<58} {fastest * 1e3:8.1f} {median * 1e3:10.1f} {fastest / baseline:10.2f}")
        print(f"peak RSS of any run: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
