#!/usr/bin/env python3
"""The tensor part of a training step's memory, measured on the CPU with PyTorch, for the
shipped architectures that torchvision builds: the bytes autograd saves for backward and the
peak of live tensors over the forward and backward pass (library workspaces, which only a GPU
has, are not tensors and are not counted on either side). convlint's simulation is compared
with these figures in docs/MEMORY.md.

    pip install torch==2.15.0 torchvision==0.29.2
    python3 Benchmarks/memory_timeline.py [--batch 4] [--models vgg16,resnet50] [--autocast] > timeline.json

Per model: a warm-up step (SGD with momentum, so that its state exists), then a tracked step
with `zero_grad(set_to_none=True)` before it, as PyTorch's default. A TorchDispatchMode
records every storage an operation creates and, through a weakref finalizer, when it is freed;
saved tensors come from `torch.autograd.graph.saved_tensors_hooks`, each storage once,
parameters excluded.
"""
import argparse
import json
import sys
import time
import weakref

import torch
import torch.nn as nn
from torch.utils._python_dispatch import TorchDispatchMode
from torchvision import models

MODELS = {
    "alexnet": ("alexnet-torchvision.yaml", lambda: models.alexnet(), 224),
    "vgg11": ("vgg11.yaml", lambda: models.vgg11(), 224),
    "vgg16": ("vgg16.yaml", lambda: models.vgg16(), 224),
    "resnet18": ("resnet18.yaml", lambda: models.resnet18(), 224),
    "resnet50": ("resnet50.yaml", lambda: models.resnet50(), 224),
    "googlenet": ("googlenet.yaml", lambda: models.googlenet(aux_logits=False, init_weights=False), 224),
    "densenet121": ("densenet121.yaml", lambda: models.densenet121(), 224),
    "inception_v3": ("inception-v3.yaml", lambda: models.inception_v3(aux_logits=False, init_weights=False), 299),
    "resnext50_32x4d": ("resnext50-32x4d.yaml", lambda: models.resnext50_32x4d(), 224),
    "squeezenet1_1": ("squeezenet1.1.yaml", lambda: models.squeezenet1_1(), 224),
    "mobilenet_v3_small": ("mobilenet-v3-small.yaml", lambda: models.mobilenet_v3_small(), 224),
    "mobilenet_v3_large": ("mobilenet-v3-large.yaml", lambda: models.mobilenet_v3_large(), 224),
    "efficientnet_b0": ("efficientnet-b0.yaml", lambda: models.efficientnet_b0(), 224),
    "regnet_y_400mf": ("regnet-y-400mf.yaml", lambda: models.regnet_y_400mf(), 224),
    "shufflenet_v2_x1_0": ("shufflenet-v2-x1.0.yaml", lambda: models.shufflenet_v2_x1_0(), 224),
    "convnext_tiny": ("convnext-tiny.yaml", lambda: models.convnext_tiny(), 224),
}


class LiveStorages(TorchDispatchMode):
    """Live bytes of the storages created while active, and their peak."""

    def __init__(self, existing):
        super().__init__()
        self.live = 0
        self.peak = 0
        self.seen = {}
        # Storages made before the step (weights, buffers, optimizer state, the batch): views of
        # them are not new memory.
        self.existing = existing
        self.phase = "forward"
        self.peak_phase = "forward"

    def _free(self, key, nbytes):
        if self.seen.pop(key, None) is not None:
            self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in torch.utils._pytree.tree_leaves(out):
            if not isinstance(tensor, torch.Tensor):
                continue
            storage = tensor.untyped_storage()
            key = storage.data_ptr()
            if key == 0 or key in self.seen or key in self.existing:
                continue
            nbytes = storage.nbytes()
            self.seen[key] = nbytes
            self.live += nbytes
            weakref.finalize(storage, self._free, key, nbytes)
            if self.live > self.peak:
                self.peak, self.peak_phase = self.live, self.phase
        return out


class Checkpointed(nn.Module):
    """A block run under torch.utils.checkpoint (non-reentrant), as `--checkpoint blocks` assumes."""

    def __init__(self, block):
        super().__init__()
        self.block = block

    def forward(self, x):
        return torch.utils.checkpoint.checkpoint(self.block, x, use_reentrant=False)


def checkpoint_blocks(model):
    """Wraps each residual block of a torchvision ResNet or ResNeXt (the shipped files' block calls)."""
    for stage in (model.layer1, model.layer2, model.layer3, model.layer4):
        for index in range(len(stage)):
            stage[index] = Checkpointed(stage[index])


def measure(build, size, batch, autocast=False, checkpoint=False):
    torch.manual_seed(0)
    model = build().train()
    if checkpoint:
        checkpoint_blocks(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    x = torch.randn(batch, 3, size, size)
    target = torch.randint(0, 10, (batch,))

    def forward():
        if autocast:
            # Mixed precision as PyTorch runs it on a CPU: bfloat16 where autocast casts.
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = model(x)
        else:
            out = model(x)
        if isinstance(out, dict):
            out = out["out"]
        return criterion(out.float(), target)

    forward().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

    parameters = {p.untyped_storage().data_ptr() for p in model.parameters()}
    state = [t for group in optimizer.state.values() for t in group.values() if isinstance(t, torch.Tensor)]
    existing = parameters | {t.untyped_storage().data_ptr() for t in list(model.buffers()) + state + [x, target]}
    saved = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in parameters:
            saved[(storage.data_ptr(), storage.nbytes())] = storage.nbytes()
        return tensor

    start = time.time()
    mode = LiveStorages(existing)
    with mode:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
            loss = forward()
        forward_peak = mode.peak
        mode.phase = "backward"
        loss.backward()
        del loss
    model.eval()
    inference = LiveStorages(existing)
    with torch.inference_mode(), inference:
        model(x)
    return {
        "inference_peak_bytes": inference.peak,
        "batch": batch,
        "input": size,
        "params": sum(p.numel() for p in model.parameters()),
        "saved_bytes": sum(saved.values()),
        "forward_peak_bytes": forward_peak,
        "timeline_peak_bytes": mode.peak,
        "peak_phase": mode.peak_phase,
        "seconds": round(time.time() - start, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--autocast", action="store_true", help="bfloat16 mixed precision (torch.autocast)")
    parser.add_argument("--checkpoint", action="store_true", help="checkpoint each residual block (ResNets only)")
    arguments = parser.parse_args()
    torch.set_num_threads(2)
    result = {"how": f"torch {torch.__version__}, CPU, SGD momentum, second step"
                     + (", bfloat16 autocast" if arguments.autocast else "")
                     + (", each block checkpointed" if arguments.checkpoint else "") + "; Benchmarks/memory_timeline.py",
              "autocast": arguments.autocast, "checkpoint": arguments.checkpoint, "models": {}}
    for name in arguments.models.split(","):
        file, build, size = MODELS[name]
        row = measure(build, size, arguments.batch, arguments.autocast, arguments.checkpoint)
        row["file"] = file
        result["models"][name] = row
        print(name, row, file=sys.stderr)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
