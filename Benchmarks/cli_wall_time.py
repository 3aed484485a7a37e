#!/usr/bin/env python3
"""Wall time and peak memory of `convlint` (release build) on shipped and generated files.

Each figure is the minimum and median of many runs, beside a baseline measured in the same
run: `convlint --version`, i.e. the cost of starting the process at all. The ratio says how
much the analysis adds to that floor. Then, for many candidates: `torchinfo.summary(vgg16)` in a
fresh Python process when torchinfo is installed, sweeps' throughput with their peak RSS (a
153,600-point VGG16 grid, goal 200,000 combinations a second; 1,000,000 points, whose memory
must stay flat; a grid of the notes' pattern where every point is a new network), and the
check's time against depth (10 to 10,000 layers), which must grow linearly. Usage: python3 Benchmarks/cli_wall_time.py [--runs N]
"""
import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "convlint")


def measure(arguments, runs, program=BINARY):
    """Minimum and median wall seconds, and the largest peak RSS (KiB) of the child runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([program] + arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return min(times), statistics.median(times), peak_kib


STAGES = ["[1,1,2,2,2]", "[2,2,2,2,2]", "[2,2,3,3,3]", "[2,2,4,4,4]", "[1,1,1,1,1]"]
WIDTHS = ["[64,128,256,512,512]", "[32,64,128,256,256]", "[64,128,256,256,256]", "[48,96,192,384,384]"]


def grid_flags(axes):
    """--vary flags for a dict of axes, and the number of combinations they make."""
    flags, count = [], 1
    for name, values in axes.items():
        flags += ["--vary", f"{name}={','.join(values)}"]
        count *= len(values)
    return flags, count


def vgg_grid():
    """A VGG16 grid of 153,600: stage counts, widths, inputs, every batch to 64, element types, optimizers."""
    return grid_flags({
        "N": STAGES, "F": WIDTHS, "input": [f"{s}x{s}x3" for s in range(160, 320 + 1, 32)],
        "batch": [str(b) for b in range(1, 65)], "dtype": ["float32", "float16", "bfloat16", "float64", "int8"],
        "optimizer": ["sgd", "momentum", "adam", "adamw"],
    })


def million_grid():
    """A VGG16 grid of 1,000,000 combinations, for the peak RSS of a streamed sweep."""
    return grid_flags({
        "N": STAGES, "F": WIDTHS, "input": [f"{s}x{s}x3" for s in range(160, 288 + 1, 32)],
        "batch": [str(b) for b in range(1, 1001)], "dtype": ["float32", "float16", "bfloat16", "float64", "int8"],
        "optimizer": ["sgd", "adam"],
    })


def structural_grid():
    """The notes' pattern over its counts, pooling, widths and inputs: every combination a new network."""
    return grid_flags({
        "N": [str(n) for n in range(4)], "M": [str(m) for m in range(1, 6)], "K": [str(k) for k in range(3)],
        "pooling": ["true", "false"], "F": ["16", "32", "64", "[16,32,64,128,256]"],
        "H": ["64", "128", "256", "512"], "input": ["32x32x3", "64x64x3", "128x128x3", "224x224x3"],
    })


def sweep_figure(name, flags, count, file="architectures/vgg16.yaml", runs=3):
    """A sweep's median wall time, throughput and peak RSS."""
    sweep = ["sweep", file] + flags + ["--quiet", "--top", "1"]
    _, seconds, _ = measure(sweep, runs)
    # GNU time's figure for this process alone: the children's peak so far includes torchinfo's.
    peak = subprocess.run(["/usr/bin/time", "-f", "%M", BINARY] + sweep, capture_output=True, text=True).stderr.split()[-1]
    print(f"sweep of {count:,} {name}: {seconds:.2f} s median, {count / seconds:,.0f} a second; "
          f"peak RSS {int(peak) / 1024:.1f} MiB")


def many_candidates(runs, scratch):
    """torchinfo beside one check, a sweep's throughput, and time against depth."""
    _, check, _ = measure(["architectures/vgg16.yaml"], runs)
    if importlib.util.find_spec("torchinfo") and importlib.util.find_spec("torchvision"):
        code = "import torchinfo, torchvision; torchinfo.summary(torchvision.models.vgg16(), (1, 3, 224, 224), verbose=0)"
        _, torchinfo, _ = measure(["-c", code], 3, program=sys.executable)
        print(f"\ntorchinfo.summary(vgg16), fresh process: {torchinfo * 1e3:.0f} ms median, {torchinfo / check:.0f}x one check")
    else:
        print("\ntorchinfo.summary(vgg16): not installed (pip install torchinfo torchvision)")
    print("sweeps (goal: at least 200,000 combinations a second on a VGG-sized grid of 100,000 or more):")
    sweep_figure("VGG16 combinations", *vgg_grid())
    sweep_figure("VGG16 combinations (memory stays flat)", *million_grid(), runs=1)
    sweep_figure("networks of the notes' pattern, each built anew", *structural_grid(),
                 file="architectures/pattern-2x-conv-relu-pool.yaml")
    print(f"check time against depth (median of {runs}); linear when each added layer costs the same:")
    previous = None
    for depth in [10, 100, 1_000, 10_000]:
        path = os.path.join(scratch, f"deep-{depth}.yaml")
        with open(path, "w") as handle:
            handle.write(f'input: 32x32x16\nnetwork: "INPUT -> CONV(16, F=1) -> [BN -> RELU]*{(depth - 2) // 2}"\n')
        _, seconds, _ = measure([path, "--quiet"], runs)
        added = "" if previous is None else \
            f", {(seconds - previous[1]) / (depth - previous[0]) * 1e6:5.1f} us for each layer added"
        print(f"  {depth:>6} layers: {seconds * 1e3:8.1f} ms{added}")
        previous = (depth, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "convlint"], cwd=ROOT, check=True,
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
            ("every shipped file in one call", sorted(
                os.path.join("architectures", name) for name in os.listdir(os.path.join(ROOT, "architectures"))
                if name.endswith(".yaml"))),
            ("generated: 100,000 layers (the limit)", [big, "--quiet"]),
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
        many_candidates(options.runs, scratch)


if __name__ == "__main__":
    sys.exit(main())
