#!/usr/bin/env python3
"""Measures the modern zoo with PyTorch and torchvision, for the test fixture
Tests/ConvLintKitTests/Fixtures/torchvision_zoo_layers.json.

For each network: parameters, MACs and the output shape, parameters and MACs of every Conv2d,
ConvTranspose2d and Linear in execution order (forward hooks), at batch 1. MACs follow
fvcore's convention for these modules: Conv2d out.numel() * in/groups * kh * kw,
ConvTranspose2d in.numel() * out/groups * kh * kw, Linear out.numel() * in_features (a Linear
applied per pixel, as in ConvNeXt, counts W*H*in*out); bias adds excluded.

    pip install torch==2.15.0 torchvision==0.29.2
    python3 Benchmarks/zoo_reference.py > Tests/ConvLintKitTests/Fixtures/torchvision_zoo_layers.json
"""
import json
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision import models


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.conv = DoubleConv(cin, cout)

    def forward(self, x, skip):
        return self.conv(torch.cat([skip, self.up(x)], dim=1))


class UNet(nn.Module):
    """The standard 4-level U-Net (Ronneberger et al. 2015) with same-padded convolutions and
    BN, as most PyTorch implementations write it: 64-128-256-512-1024 channels, transposed
    2x2 convolutions up, a 1x1 convolution to the classes."""

    def __init__(self, channels=3, classes=2):
        super().__init__()
        self.inc = DoubleConv(channels, 64)
        self.downs = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))
            for cin, cout in [(64, 128), (128, 256), (256, 512), (512, 1024)])
        self.ups = nn.ModuleList(Up(cin, cout) for cin, cout in [(1024, 512), (512, 256), (256, 128), (128, 64)])
        self.outc = nn.Conv2d(64, classes, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.outc(x)


NETWORKS = {
    "efficientnet_b0": (lambda: models.efficientnet_b0(), 224),
    "mobilenet_v3_small": (lambda: models.mobilenet_v3_small(), 224),
    "mobilenet_v3_large": (lambda: models.mobilenet_v3_large(), 224),
    "regnet_y_400mf": (lambda: models.regnet_y_400mf(), 224),
    "convnext_tiny": (lambda: models.convnext_tiny(), 224),
    "shufflenet_v2_x1_0": (lambda: models.shufflenet_v2_x1_0(), 224),
    "densenet121": (lambda: models.densenet121(), 224),
    "inception_v3": (lambda: models.inception_v3(aux_logits=False, init_weights=False), 299),
    "resnext50_32x4d": (lambda: models.resnext50_32x4d(), 224),
    "squeezenet1_1": (lambda: models.squeezenet1_1(), 224),
    "unet": (lambda: UNet(), 256),
    "fcn_resnet50": (
        lambda: models.segmentation.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=False), 224),
}


def module_macs(module, inputs, output):
    """The kind and MACs of a Conv2d, ConvTranspose2d or Linear call, in fvcore's convention."""
    if isinstance(module, nn.Conv2d) and not isinstance(module, nn.ConvTranspose2d):
        return "Conv2d", output.numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
    if isinstance(module, nn.ConvTranspose2d):
        return "ConvTranspose2d", inputs[0].numel() * module.out_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
    return "Linear", output.numel() * module.in_features


def measure(build, size):
    model = build().eval()
    rows = []

    def hook(module, inputs, output):
        kind, macs = module_macs(module, inputs, output)
        shape = list(output.shape[1:])
        if kind == "Linear" and len(shape) == 3:  # per pixel, channels last: H, W, C
            shape = [shape[2], shape[0], shape[1]]
        rows.append({"type": kind, "shape": shape, "params": sum(p.numel() for p in module.parameters()), "macs": macs})

    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            module.register_forward_hook(hook)
    with torch.no_grad():
        output = model(torch.zeros(1, 3, size, size))
    if isinstance(output, dict):
        output = output["out"]
    norms = sum(p.numel() for m in model.modules()
                if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)) for p in m.parameters())
    return {
        "input": size,
        "params": sum(p.numel() for p in model.parameters()),
        "macs": sum(row["macs"] for row in rows),
        "norm_params": norms,
        "output": list(output.shape[1:]),
        "layers": rows,
    }


def main():
    torch.manual_seed(0)
    result = {
        "how": f"torch {torch.__version__}, torchvision {torchvision.__version__}, CPU, weights=None, batch 1: "
               + "Benchmarks/zoo_reference.py. Shapes are C, H, W (Linear: features).",
        "models": {name: measure(build, size) for name, (build, size) in NETWORKS.items()},
    }
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
