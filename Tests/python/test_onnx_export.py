"""`convlint export --to onnx` on every shipped architecture, checked by onnx.checker and run by
ONNX Runtime on the input `convlint run --save-input` drew: its output must equal the one
`convlint run --save-output` wrote (relative error at most 1e-4), an independent check of the
exporter and of convlint's executor. Skipped without onnx and onnxruntime (`pip install onnx
onnxruntime`; CI installs them).
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]
# alexnet-224.yaml is the notes' example of a stride that does not fit: it does not build.
ARCHITECTURES = sorted(p for p in (ROOT / "architectures").glob("*.yaml") if p.name != "alexnet-224.yaml")


def convlint(*arguments):
    binary = shutil.which("convlint") or str(ROOT / ".build" / "release" / "convlint")
    return subprocess.run([binary, *map(str, arguments)], capture_output=True, text=True)


@pytest.mark.parametrize("architecture", ARCHITECTURES, ids=lambda p: p.stem)
def test_onnx_runtime_computes_what_convlint_run_computes(architecture, tmp_path):
    model, given, wanted = tmp_path / "model.onnx", tmp_path / "input.npy", tmp_path / "output.npy"
    exported = convlint("export", architecture, "--to", "onnx", "-o", model)
    assert exported.returncode == 0, exported.stderr
    onnx.checker.check_model(str(model))
    ran = convlint("run", architecture, "--quiet", "--save-input", given, "--save-output", wanted)
    assert ran.returncode == 0, ran.stderr
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    want = np.load(wanted)
    got = session.run(None, {"input": np.load(given)})[0]
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def test_no_weights_gives_the_same_graph_with_the_weights_as_inputs(tmp_path):
    vgg16 = ROOT / "architectures" / "vgg16.yaml"
    full, empty = tmp_path / "full.onnx", tmp_path / "empty.onnx"
    assert convlint("export", vgg16, "--to", "onnx", "-o", full).returncode == 0
    assert convlint("export", vgg16, "--to", "onnx", "-o", empty, "--no-weights").returncode == 0
    onnx.checker.check_model(str(empty))
    a, b = onnx.load(str(full)), onnx.load(str(empty))
    assert [n.op_type for n in a.graph.node] == [n.op_type for n in b.graph.node]

    def count(shapes):
        return sum(int(np.prod(shape)) for shape in shapes)

    # torchvision's vgg16 has 138,357,544 parameters: initializers in one, inputs in the other.
    assert count(t.dims for t in a.graph.initializer if t.data_type == onnx.TensorProto.FLOAT) == 138_357_544
    weights = [i for i in b.graph.input if i.name != "input"]
    assert count([d.dim_value for d in i.type.tensor_type.shape.dim] for i in weights) == 138_357_544
    assert empty.stat().st_size < full.stat().st_size / 1000
