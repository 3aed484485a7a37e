#!/usr/bin/env python3
"""Forward-pass speed of `convlint run` (release build) on VGG16, ResNet-50 and AlexNet at batch 1.

Beside each network: GFLOP/s (2 x nominal MACs / time), the machine's practical ceiling measured
in the same run through the same GEMM backend (a 2048x2048x2048 matrix multiply: an FC layer of
2048 units on a batch of 2048) against the cores' FMA peak (a loop of independent fused
multiply-adds compiled with clang for this CPU, one process per core), and, when PyTorch and torchvision are installed, PyTorch's time
for the same model on the same machine and the ratio, overall and per layer kind; with
onnxruntime and onnx installed too, ONNX Runtime's time for the model exported by torch.onnx.

Both are timed warm, as frameworks are benchmarked: convlint with `--passes`, PyTorch after one
pass of warm-up, in turns (a convlint process, then PyTorch, `--runs` times), so that other load
on this 2-core machine, which swings single runs by 2x, falls on both. Figures are the minimum
and the median over every warm pass. Usage:
    python3 Benchmarks/executor_speed.py [--runs N] [--passes N] [--builtin]
"""
import argparse
import collections
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
# PyTorch operators by convlint layer kind; each operator's time includes the calls it makes.
TORCH_KINDS = {"aten::conv2d": "CONV", "aten::linear": "FC", "aten::max_pool2d": "POOL", "aten::relu_": "RELU",
               "aten::batch_norm": "BN", "aten::add_": "ADD", "aten::adaptive_avg_pool2d": "GAP"}
CONVLINT_KINDS = {"MAXPOOL": "POOL", "AVGPOOL": "POOL"}


def convlint_run(path, passes, environment):
    """The report of one process running `passes` forward passes."""
    out = subprocess.run([BINARY, "run", path, "--format", "json", "--quiet", "--passes", str(passes)],
                         capture_output=True, text=True, env=environment, check=True)
    return json.loads(out.stdout)


def convlint_kinds(report):
    """Milliseconds of the fastest pass by layer kind."""
    kinds = collections.Counter()
    for layer in report["layers"][1:]:
        kinds[CONVLINT_KINDS.get(layer["kind"], layer["kind"])] += layer["measured"]["seconds"] * 1e3
    return kinds


class PyTorch:
    """A torchvision model in inference mode, on as many threads as cores."""

    def __init__(self, model_name):
        import torch
        import torchvision
        self.torch = torch
        torch.set_num_threads(os.cpu_count() or 1)
        self.model = getattr(torchvision.models, model_name)().eval()
        self.image = torch.randn(1, 3, 224, 224)
        with torch.inference_mode():
            self.model(self.image)

    def times(self, passes):
        times = []
        with self.torch.inference_mode():
            for _ in range(passes):
                start = time.perf_counter()
                self.model(self.image)
                times.append(time.perf_counter() - start)
        return times

    def kinds(self):
        """Milliseconds by layer kind in one profiled pass (the profiler's log lines on stderr silenced)."""
        saved = os.dup(2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        try:
            with self.torch.inference_mode(), self.torch.profiler.profile() as profile:
                self.model(self.image)
        finally:
            os.dup2(saved, 2)
        kinds = collections.Counter()
        for event in profile.key_averages():
            if event.key in TORCH_KINDS:
                kinds[TORCH_KINDS[event.key]] += event.cpu_time_total / 1e3
        return kinds


class OnnxRuntime:
    """The same torchvision model exported to ONNX (opset 17) and run by ONNX Runtime on every core."""

    def __init__(self, pytorch, scratch):
        import onnxruntime
        path = os.path.join(scratch, "model.onnx")
        saved = os.dup(2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        try:
            pytorch.torch.onnx.export(pytorch.model, (pytorch.image,), path, opset_version=17, dynamo=False)
        finally:
            os.dup2(saved, 2)
        settings = onnxruntime.SessionOptions()
        settings.intra_op_num_threads = os.cpu_count() or 1
        self.session = onnxruntime.InferenceSession(path, settings, providers=["CPUExecutionProvider"])
        self.feed = {self.session.get_inputs()[0].name: pytorch.image.numpy()}
        self.session.run(None, self.feed)

    def times(self, passes):
        times = []
        for _ in range(passes):
            start = time.perf_counter()
            self.session.run(None, self.feed)
            times.append(time.perf_counter() - start)
        return times


def load_onnxruntime(pytorch, scratch):
    try:
        return OnnxRuntime(pytorch, scratch) if pytorch else None
    except ImportError:
        return None


# Twelve independent chains of fused multiply-adds on the widest vectors the CPU has: the most
# the FMA units can do, which no GEMM passes.
FMA_PEAK_SOURCE = r"""
#include <stdio.h>
#include <time.h>
#ifdef __AVX512F__
typedef float vec __attribute__((vector_size(64)));
#else
typedef float vec __attribute__((vector_size(32)));
#endif
int main(void) {
    vec acc[12], x, y;
    for (int i = 0; i < 12; i++) acc[i] = (vec){0} + i * 1e-3f;
    x = (vec){0} + 0.999999f, y = (vec){0} + 1e-6f;
    const long steps = 20000000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long s = 0; s < steps; s++)
        for (int i = 0; i < 12; i++) acc[i] = acc[i] * x + y;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    float sum = 0;
    for (int i = 0; i < 12; i++) for (int l = 0; l < (int)(sizeof(vec) / 4); l++) sum += acc[i][l];
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%f %f\n", 2.0 * steps * 12 * (sizeof(vec) / 4) / seconds / 1e9, sum);
    return 0;
}
"""


def fma_peak(scratch):
    """GFLOP/s of the FMA loop on every core at once (one process each), best of three; None without clang."""
    source, binary = os.path.join(scratch, "fma_peak.c"), os.path.join(scratch, "fma_peak")
    with open(source, "w") as handle:
        handle.write(FMA_PEAK_SOURCE)
    try:
        subprocess.run(["clang", "-O2", "-march=native", "-mprefer-vector-width=512", "-ffp-contract=fast", source, "-o", binary], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    best = 0
    for _ in range(3):
        processes = [subprocess.Popen([binary], stdout=subprocess.PIPE, text=True) for _ in range(os.cpu_count() or 1)]
        best = max(best, sum(float(process.communicate()[0].split()[0]) for process in processes))
    return best


def load_pytorch(model_name):
    try:
        return PyTorch(model_name)
    except ImportError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="convlint processes per network, each followed by PyTorch")
    parser.add_argument("--passes", type=int, default=5, help="forward passes per process")
    parser.add_argument("--builtin", action="store_true", help="use the built-in C GEMM instead of a BLAS")
    options = parser.parse_args()
    environment = dict(os.environ)
    if options.builtin:
        environment["CONVLINT_GEMM"] = "builtin"
    subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "convlint"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as scratch:
        ceiling_file = os.path.join(scratch, "sgemm-2048.yaml")
        with open(ceiling_file, "w") as handle:
            handle.write("input: 1x1x2048\nbatch: 2048\nnetwork: INPUT -> FC(2048, bias=false)\n")
        ceiling_runs = [convlint_run(ceiling_file, options.passes, environment) for _ in range(3)]
        fastest = min(report["totals"]["measured"]["seconds"] for report in ceiling_runs)
        ceiling = 2 * 2048 ** 3 / fastest / 1e9
        print(f"GEMM backend: {ceiling_runs[0]['totals']['measured']['backend']}")
        peak = fma_peak(scratch)
        of_peak = f", {ceiling / peak:.0%} of the FMA peak ({peak:.0f} GFLOP/s on {os.cpu_count()} cores)" if peak else ""
        print(f"practical ceiling: 2048^3 sgemm through it: {fastest * 1e3:.1f} ms, {ceiling:.1f} GFLOP/s{of_peak}\n")

    rows, kind_rows = [], []
    scratch = tempfile.mkdtemp()
    for name, path, torch_name in NETWORKS:
        full = os.path.join(ROOT, "architectures", path)
        torch = load_pytorch(torch_name)
        ort = load_onnxruntime(torch, scratch)
        ours, theirs, onnx, first, reports = [], [], [], [], []
        # In turns: a convlint process, then PyTorch, then ONNX Runtime, so that load falls on all.
        for _ in range(options.runs):
            report = convlint_run(full, options.passes + 1, environment)
            passes = report["totals"]["measured"]["passes_seconds"]
            first.append(passes[0])
            ours += passes[1:]
            reports.append(report)
            if torch:
                theirs += torch.times(options.passes)
            if ort:
                onnx += ort.times(options.passes)
        macs = reports[0]["totals"]["macs"]
        gflops = 2 * macs / min(ours) / 1e9
        row = [name, f"{min(ours) * 1e3:.1f} / {statistics.median(ours) * 1e3:.1f}", f"{statistics.median(first) * 1e3:.1f}",
               f"{gflops:.0f}", f"{gflops / ceiling:.0%}"]
        if torch:
            row += [f"{min(theirs) * 1e3:.1f} / {statistics.median(theirs) * 1e3:.1f}",
                    f"{min(ours) / min(theirs):.2f} / {statistics.median(ours) / statistics.median(theirs):.2f}"]
        if ort:
            row += [f"{min(onnx) * 1e3:.1f} / {statistics.median(onnx) * 1e3:.1f}",
                    f"{min(ours) / min(onnx):.2f} / {statistics.median(ours) / statistics.median(onnx):.2f}"]
            ours_kinds = convlint_kinds(min(reports, key=lambda r: r["totals"]["measured"]["seconds"]))
            theirs_kinds = min((torch.kinds() for _ in range(3)), key=lambda k: sum(k.values()))
            for kind in sorted(set(ours_kinds) | set(theirs_kinds), key=lambda k: -theirs_kinds.get(k, 0)):
                if ours_kinds.get(kind, 0) >= 0.05 or theirs_kinds.get(kind, 0) >= 0.05:
                    kind_rows.append([name, kind, f"{ours_kinds.get(kind, 0):.2f}", f"{theirs_kinds.get(kind, 0):.2f}"])
        rows.append(row)

    header = ["network", "convlint min / median ms", "first pass ms", "GFLOP/s", "of ceiling"]
    if any(len(row) > len(header) for row in rows):
        header += ["PyTorch min / median ms", "ratio min / median"]
    if any(len(row) > len(header) for row in rows):
        header += ["ONNX Runtime min / median ms", "ratio min / median"]
    print(markdown([header] + [row + ["n/a"] * (len(header) - len(row)) for row in rows]))
    print("\nratio = convlint time / the peer's time (below 1 is faster); first pass: convlint's cold pass, which also "
          "touches fresh memory; GFLOP/s count nominal MACs, so a network run partly by Winograd (fewer "
          "multiplications) can pass the ceiling.")
    if kind_rows:
        print("\nBy layer kind (ms; convlint's fastest pass, PyTorch's profiler, which adds its own overhead):\n")
        print(markdown([["network", "kind", "convlint", "PyTorch"]] + kind_rows))
    else:
        print("PyTorch is optional: pip install torch torchvision.")


def markdown(rows):
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" if i == 0 else "--:" for i in range(len(rows[0]))) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows[1:]])


if __name__ == "__main__":
    sys.exit(main())
