#!/usr/bin/env python3
"""`convlint import` of torchvision's models as torch.onnx.export writes them: convlint's
parameters, MACs and output shape of the .onnx file against torchvision's own (counted as
Benchmarks/zoo_reference.py counts them).

Each model is exported in eval mode with do_constant_folding=False, which keeps its BatchNorms
(a default eval export folds them into the convolutions, and the parameters are then the ONNX
graph's, not torchvision's); --dynamo exports with the dynamo exporter, optimize=False. With --fixtures DIR, each graph is also written without its
weights (each weight a graph input of its shape; a few KiB), for the Swift tests. Needs torch,
torchvision and onnx (`pip install torch==2.15.0 torchvision==0.29.2 onnx`), too large for CI.
Usage:
    swift build -c release
    python3 Benchmarks/onnx_import.py [--fixtures Tests/ConvLintKitTests/Fixtures/onnx] [NAME...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import onnx
import torch
import torch.nn as nn
from torchvision import models

from zoo_reference import NETWORKS, module_macs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("CONVLINT", os.path.join(ROOT, ".build", "release", "convlint"))

CLASSIC = {
    "alexnet": (lambda: models.alexnet(), 224),
    "vgg16": (lambda: models.vgg16(), 224),
    "resnet50": (lambda: models.resnet50(), 224),
    "wide_resnet50_2": (lambda: models.wide_resnet50_2(), 224),
}


class FirstOutput(nn.Module):
    """A segmentation model's `out`, the one output convlint checks."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


def torchvision_figures(model, size):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        total += module_macs(module, inputs, output)[1]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    with torch.no_grad():
        output = model(torch.zeros(1, 3, size, size))
    for handle in handles:
        handle.remove()
    return sum(p.numel() for p in model.parameters()), total, list(output.shape[1:])


def without_weights(path, target):
    """The graph with every float initializer of more than 16 values turned into a graph input
    of its shape: what the Swift tests read."""
    model = onnx.load(path)
    graph = model.graph
    kept = []
    for tensor in graph.initializer:
        count = 1
        for dim in tensor.dims:
            count *= dim
        if tensor.data_type == onnx.TensorProto.FLOAT and count > 16:
            graph.input.append(onnx.helper.make_tensor_value_info(tensor.name, onnx.TensorProto.FLOAT, list(tensor.dims)))
        else:
            kept.append(tensor)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.save(model, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--fixtures", help="write each graph without weights here")
    parser.add_argument("--dynamo", action="store_true",
                        help="export with torch.onnx's dynamo exporter (optimize=False, which keeps the BatchNorms)")
    args = parser.parse_args()
    networks = {**CLASSIC, **NETWORKS}
    names = args.names or sorted(networks)
    warnings.filterwarnings("ignore")
    failures = 0
    print(f"{'model':<20} {'params (torchvision)':>22} {'MACs (torchvision)':>22}  output  result")
    for name in names:
        build, size = networks[name]
        model = build().eval()
        if name.startswith("fcn"):
            model = FirstOutput(model).eval()
        params, macs, output = torchvision_figures(model, size)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, f"{name}.onnx")
            if args.dynamo:
                torch.onnx.export(model, (torch.zeros(1, 3, size, size),), path, dynamo=True, optimize=False,
                                  input_names=["image"], output_names=["output"])
            else:
                torch.onnx.export(model, (torch.zeros(1, 3, size, size),), path, dynamo=False, do_constant_folding=False,
                                  input_names=["image"], output_names=["output"])
            if args.fixtures:
                os.makedirs(args.fixtures, exist_ok=True)
                without_weights(path, os.path.join(args.fixtures, f"{name}.onnx"))
            run = subprocess.run([BINARY, path, "--format", "json"], capture_output=True, text=True)
        try:
            report = json.loads(run.stdout)
            totals = report["totals"]
            got = (totals["params"], totals["macs"], report["layers"][-1]["output"])
            shape = [got[2][2], got[2][1], got[2][0]] if isinstance(got[2], list) else got[2]
        except (json.JSONDecodeError, KeyError, IndexError):
            try:
                why = "; ".join(d["message"] for d in json.loads(run.stdout)["diagnostics"] if d["severity"] == "error")
            except (json.JSONDecodeError, KeyError):
                why = run.stderr.strip()
            print(f"{name:<20} import failed: {why[:600]}")
            failures += 1
            continue
        same = got[0] == params and got[1] == macs
        failures += not same
        print(f"{name:<20} {got[0]:>10,} ({params:>10,}) {got[1]:>10,} ({macs:>10,})  {output}  {'equal' if same else 'DIFFERENT'}")
    print(f"{len(names) - failures}/{len(names)} equal")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
