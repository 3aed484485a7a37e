#!/usr/bin/env python3
"""Whole-network outputs of `convlint run` against PyTorch's, for the same weights and input.

convlint draws its weights and input from a seeded generator (SplitMix64, Box-Muller in
float32; Sources/ConvLintExecutor/Runtime/Tensor.swift). This script draws the same numbers
with NumPy, loads them into the torchvision model (convlint stores CONV weights K x Kh x Kw x C,
PyTorch K x C x Kh x Kw), runs PyTorch on the CPU, and compares the last layer's output with the
one `convlint run --save-output` wrote, for each convolution algorithm. Needs torch and
torchvision (not needed by CI). Usage:
    python3 Benchmarks/compare_with_pytorch.py [--seed S] [--networks vgg16 resnet50 alexnet]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "convlint")
NETWORKS = {"vgg16": "vgg16.yaml", "resnet50": "resnet50.yaml", "alexnet": "alexnet-torchvision.yaml"}
MASK = (1 << 64) - 1


class SeededRandom:
    """convlint's SeededRandom: SplitMix64, uniform in (0, 1] from the top 24 bits, Box-Muller pairs."""

    def __init__(self, seed):
        self.state = (seed + 0x9E3779B97F4A7C15) & MASK

    def uniforms(self, count):
        steps = np.arange(1, count + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            z = np.uint64(self.state) + steps * np.uint64(0x9E3779B97F4A7C15)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
        self.state = (self.state + count * 0x9E3779B97F4A7C15) & MASK
        return ((z >> np.uint64(40)) + np.uint64(1)).astype(np.float32) / np.float32(1 << 24)

    def normal(self, count, std):
        pairs = (count + 1) // 2
        u = self.uniforms(2 * pairs).reshape(pairs, 2)
        radius = np.sqrt(np.float32(-2) * np.log(u[:, 0])) * np.float32(std)
        angle = np.float32(2) * np.float32(np.pi) * u[:, 1]
        return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).reshape(-1)[:count]


def convlint(path, seed, winograd, output):
    result = subprocess.run(
        [BINARY, "run", path, "--seed", str(seed), "--winograd", winograd, "--save-output", output, "--format", "json",
         "--quiet"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout), np.load(output)


def pytorch_output(model_name, report, seed):
    import torch
    import torchvision

    model = getattr(torchvision.models, model_name)().eval()
    modules = [m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    generator = SeededRandom(seed)
    weighted = [layer for layer in report["layers"] if layer["kind"] in ("CONV", "FC")]
    assert len(weighted) == len(modules), f"{len(weighted)} CONV/FC layers against {len(modules)} modules"
    # Weights in convlint's layer order (the order torchvision registers its modules in).
    for layer, module in zip(weighted, modules):
        units = layer["output"][2]
        fan_in = layer["weights"] // units
        std = np.sqrt(np.float32(2) / np.float32(fan_in + (units if layer["kind"] == "FC" else 0)))
        values = generator.normal(layer["weights"], std)
        with torch.no_grad():
            if layer["kind"] == "CONV":
                k, c, kh, kw = module.weight.shape
                module.weight.copy_(torch.from_numpy(values.reshape(k, kh, kw, c).transpose(0, 3, 1, 2).copy()))
            else:
                module.weight.copy_(torch.from_numpy(values.reshape(module.weight.shape)))
            if module.bias is not None:
                module.bias.zero_()
    w, h, d = report["layers"][0]["output"]
    image = generator.normal(report["batch"] * d * h * w, 1).reshape(report["batch"], d, h, w)
    torch.set_num_threads(os.cpu_count() or 1)
    with torch.inference_mode():
        return model(torch.from_numpy(image)).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib"], cwd=ROOT, check=True)
    print("| network | algorithms | max abs difference | max abs PyTorch output | relative | same top-5 |")
    print("|---|---|--:|--:|--:|---|")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name in args.networks:
            path = os.path.join(ROOT, "architectures", NETWORKS[name])
            reference = None
            for winograd in ("off", "auto", "on"):
                report, ours = convlint(path, args.seed, winograd, os.path.join(folder, "out.npy"))
                if reference is None:
                    reference = pytorch_output(name, report, args.seed)
                ours = ours.reshape(reference.shape)
                difference = float(np.abs(ours - reference).max())
                scale = float(np.abs(reference).max())
                top = lambda x: list(np.argsort(-x, axis=1)[:, :5].reshape(-1))
                algorithms = sorted({l["measured"]["algorithm"] for l in report["layers"] if l["measured"]["algorithm"]})
                print(f"| {name} | `--winograd {winograd}`: {', '.join(algorithms)} | {difference:.3g} | {scale:.3g} | "
                      f"{difference / scale:.2e} | {'yes' if top(ours) == top(reference) else 'no'} |")
                worst = max(worst, difference / scale)
    sys.exit(0 if worst < 1e-3 else 1)


if __name__ == "__main__":
    main()
