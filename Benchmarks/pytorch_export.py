#!/usr/bin/env python3
"""`convlint export --to pytorch` on every shipped architecture: the module's parameters, MACs
and output shape against convlint's own figures for the file.

MACs are counted as Benchmarks/zoo_reference.py counts torchvision's (fvcore's convention, by
forward hooks on Conv2d, ConvTranspose2d and Linear; bias adds excluded), so the figures
compared are the ones the zoo tests hold convlint to. Needs torch (`pip install
torch==2.15.0`), which is too large for CI. Usage:
    python3 Benchmarks/pytorch_export.py [FILE...]
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn

from zoo_reference import module_macs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("CONVLINT", os.path.join(ROOT, ".build", "release", "convlint"))


def macs_of(model, input_shape):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        total += module_macs(module, inputs, output)[1]

    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            module.register_forward_hook(hook)
    with torch.no_grad():
        output = model.eval()(torch.zeros(1, *input_shape))
    return total, list(output.shape[1:])


def main():
    files = sys.argv[1:] or sorted(os.path.join(ROOT, "architectures", name) for name in os.listdir(os.path.join(ROOT, "architectures"))
                                   if name.endswith(".yaml") and name != "alexnet-224.yaml")
    subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "convlint"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    print("| architecture | params (convlint = PyTorch) | MACs (convlint = PyTorch) | output | match |")
    print("|---|--:|--:|---|---|")
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for path in files:
            name = os.path.splitext(os.path.basename(path))[0]
            report = json.loads(subprocess.run([BINARY, path, "--format", "json", "--quiet"], capture_output=True, text=True).stdout)
            source = os.path.join(scratch, name.replace("-", "_").replace(".", "_") + ".py")
            subprocess.run([BINARY, "export", path, "--to", "pytorch", "-o", source], check=True, capture_output=True)
            spec = importlib.util.spec_from_file_location("exported", source)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            classes = [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, nn.Module)
                       and value.__module__ == "exported" and value.__name__ not in ("LayerScale", "LayerNorm2d")]
            model = classes[-1]()
            w, h, d = report["input"]
            params = sum(p.numel() for p in model.parameters())
            macs, output = macs_of(model, (d, h, w))
            ow, oh, od = report["layers"][-1]["output"]
            want = (report["totals"]["params"], report["totals"]["macs"], [od, oh, ow])
            ok = (params, macs, output) == want
            failures += not ok
            print(f"| {name} | {params:,} {'=' if params == want[0] else '≠'} {want[0]:,} | {macs:,} "
                  f"{'=' if macs == want[1] else '≠'} {want[1]:,} | {'x'.join(map(str, output))} | {'yes' if ok else 'NO'} |")
    print(f"\n{len(files) - failures} of {len(files)} match")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
