#!/usr/bin/env python3
"""Forward-pass speed of `convlint run` (release build) on VGG16, ResNet-50 and AlexNet at batch 1.

Beside each network: GFLOP/s (2 x nominal MACs / time), the machine's practical ceiling measured
in the same run through the same GEMM backend (a 2048x2048x2048 matrix multiply: an FC layer of
2048 units on a batch of 2048), and, when PyTorch and torchvision are installed, PyTorch's time
for the same model on the same machine and the ratio. Timings are the minimum of several
processes (other load on a 2-core machine swings single runs by 2x). Usage:
    python3 Benchmarks/executor_speed.py [--runs N] [--builtin]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "convlint")
NETWORKS = [("VGG16", "vgg16.yaml", "vgg16"), ("ResNet-50", "resnet50.yaml", "resnet50"),
            ("AlexNet", "alexnet-torchvision.yaml", "alexnet")]


def convlint_run(path, runs, environment, layer=None):
    """Minimum and median seconds of the forward pass (or of one layer), and the backend, over `runs` processes."""
    times, backend = [], ""
    for _ in range(runs):
        out = subprocess.run([BINARY, "run", path, "--format", "json", "--quiet"], capture_output=True, text=True,
                             env=environment, check=True)
        report = json.loads(out.stdout)
        measured = report["totals"]["measured"]
        times.append(measured["seconds"] if layer is None else report["layers"][layer]["measured"]["seconds"])
        backend = measured["backend"]
    return min(times), statistics.median(times), backend


def pytorch_time(model_name, runs):
    try:
        import torch
        import torchvision
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    model = getattr(torchvision.models, model_name)().eval()
    x = torch.randn(1, 3, 224, 224)
    times = []
    with torch.inference_mode():
        model(x)
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--builtin", action="store_true", help="use the built-in Swift GEMM instead of a BLAS")
    options = parser.parse_args()
    environment = dict(os.environ)
    if options.builtin:
        environment["CONVLINT_GEMM"] = "builtin"
    subprocess.run(["swift", "build", "-c", "release", "--product", "convlint"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as scratch:
        ceiling_file = os.path.join(scratch, "sgemm-2048.yaml")
        with open(ceiling_file, "w") as handle:
            # Two FCs: the second runs with the BLAS's threads already started.
            handle.write("input: 1x1x2048\nbatch: 2048\nnetwork: INPUT -> FC(2048, bias=false) -> FC(2048, bias=false)\n")
        fastest, _, backend = convlint_run(ceiling_file, options.runs, environment, layer=2)
        ceiling = 2 * 2048 ** 3 / fastest / 1e9
        print(f"GEMM backend: {backend}")
        print(f"practical ceiling: 2048^3 sgemm through it: {fastest * 1e3:.1f} ms, {ceiling:.1f} GFLOP/s\n")
        print(f"{'network':<10} {'min ms':>8} {'median ms':>10} {'GFLOP/s':>8} {'of ceiling':>10} {'PyTorch ms':>11} {'ratio':>6}")
        for name, path, torch_name in NETWORKS:
            full = os.path.join(ROOT, "architectures", path)
            macs = json.loads(subprocess.run([BINARY, full, "--format", "json"], capture_output=True, text=True).stdout)["totals"]["macs"]
            fastest, median, _ = convlint_run(full, options.runs, environment)
            gflops = 2 * macs / fastest / 1e9
            torch = pytorch_time(torch_name, options.runs)
            torch_text = f"{torch[0] * 1e3:11.1f} {fastest / torch[0]:6.2f}" if torch else f"{'n/a':>11} {'':>6}"
            print(f"{name:<10} {fastest * 1e3:8.1f} {median * 1e3:10.1f} {gflops:8.1f} {gflops / ceiling:10.0%} {torch_text}")
    print("\nratio = convlint time / PyTorch time (below 1 is faster); PyTorch is optional (pip install torch torchvision).")


if __name__ == "__main__":
    sys.exit(main())
