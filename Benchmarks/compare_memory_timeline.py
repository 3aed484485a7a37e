#!/usr/bin/env python3
"""Compares convlint's simulated training-step tensors with PyTorch's CPU timeline.

    python3 Benchmarks/memory_timeline.py --batch 4 > timeline.json
    swift build -c release -Xswiftc -static-stdlib
    python3 Benchmarks/compare_memory_timeline.py timeline.json [more.json ...]

Prints a markdown table (for docs/MEMORY.md): per model and batch, the bytes saved for backward
and the peak of live tensors, measured and simulated, and where convlint puts the peak. Exits 1
when a saved figure is off by more than 2% or a peak by more than 5%.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONVLINT = os.path.join(ROOT, ".build", "release", "convlint")


def main():
    print("| model (file) | batch | saved: simulated / measured MB | peak: simulated / measured MB | simulated peak at |")
    print("|---|--:|---|---|---|")
    worst = 0.0
    for path in sys.argv[1:]:
        measured = json.load(open(path))
        # Under autocast, convlint's bfloat16 training is mixed precision; autograd also saves
        # the weights' low-precision copies.
        dtype = ["--dtype", "bfloat16"] if measured.get("autocast") else []
        # With checkpointing, autograd saves the blocks' inputs only: the peak is the figure to compare.
        checkpoint = ["--checkpoint", "blocks"] if measured.get("checkpoint") else []
        for name, row in measured["models"].items():
            out = subprocess.run(
                [CONVLINT, "--format", "json", "--batch", str(row["batch"]), *dtype, *checkpoint,
                 os.path.join(ROOT, "architectures", row["file"])],
                capture_output=True, text=True).stdout
            training = json.loads(out)["totals"]["training"]
            timeline = training["tensor_timeline"]
            saved = training["saved_activations_bytes"] + training["cast_weights_bytes"]
            peak = timeline["peak_bytes"]
            if dtype:
                name += ", bf16 autocast"
            if checkpoint:
                name += ", blocks checkpointed"
                saved = row["saved_bytes"]
            saved_error = saved / row["saved_bytes"] - 1
            peak_error = peak / row["timeline_peak_bytes"] - 1
            worst = max(worst, abs(saved_error) / 0.02, abs(peak_error) / 0.05)
            print(f"| {name} (`{row['file']}`) | {row['batch']} | {saved / 1e6:,.1f} / {row['saved_bytes'] / 1e6:,.1f} "
                  f"({saved_error * 100:+.1f}%) | {peak / 1e6:,.1f} / {row['timeline_peak_bytes'] / 1e6:,.1f} "
                  f"({peak_error * 100:+.1f}%) | {timeline['peak_phase']}, {timeline['peak_label']} (layer {timeline['peak_layer']}) |")
    inference = []
    for path in sys.argv[1:]:
        measured = json.load(open(path))
        if measured.get("autocast") or measured.get("checkpoint"):
            continue
        for name, row in measured["models"].items():
            if "inference_peak_bytes" not in row:
                continue
            out = subprocess.run(
                [CONVLINT, "--format", "json", "--batch", str(row["batch"]), os.path.join(ROOT, "architectures", row["file"])],
                capture_output=True, text=True).stdout
            totals = json.loads(out)["totals"]
            predicted = totals["inference"]["tensors_peak_bytes"] - totals["training"]["input_bytes"]
            error = predicted / row["inference_peak_bytes"] - 1
            inference.append(f"| {name} (`{row['file']}`) | {row['batch']} | {predicted / 1e6:,.1f} / "
                             f"{row['inference_peak_bytes'] / 1e6:,.1f} ({error * 100:+.1f}%) |")
    if inference:
        print("\n| model (file) | batch | inference tensors: simulated / measured MB |")
        print("|---|--:|---|")
        print("\n".join(inference))
    sys.exit(0 if worst <= 1 else 1)


if __name__ == "__main__":
    main()
