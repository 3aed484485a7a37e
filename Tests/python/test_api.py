"""The Python API of the installed wheel, against torchvision's figures for the shipped networks.

Run against an installed wheel, from the repository root:
    python3 -m pip wheel --no-deps . -w dist && pip install dist/convlint-*.whl pytest
    python3 -m pytest Tests/python
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import convlint

ROOT = Path(__file__).resolve().parents[2]
VGG16 = ROOT / "architectures" / "vgg16.yaml"


def test_vgg16_has_torchvisions_parameters_and_macs():
    report = convlint.check(VGG16)
    # torchvision.models.vgg16: 138,357,544 parameters, 15,470,264,320 MACs.
    assert (report.params, report.macs) == (138_357_544, 15_470_264_320)
    assert report.valid and report.input == (224, 224, 3)
    assert [layer.label for layer in report.layers][:2] == ["INPUT", "CONV3-64"]
    assert report.layers[-1].output == (1, 1, 1000)
    assert [d.rule for d in report.warnings] == ["fc-dominates-params"]


def test_settings_reach_the_check():
    report = convlint.check(VGG16, batch=64, gpu_memory="16GiB", dtype="bfloat16")
    assert (report.batch, report.dtype) == (64, "bfloat16")
    assert report.training_bytes > 0 and report.forward_bytes == 15_237_608 * 64 * 2


def test_yaml_text_and_variables():
    text = "input: 32x32x3\nvars: {N: 1}\nnetwork: INPUT -> [CONV(16, F=3, P=1) -> RELU]*N -> FC(10)\n"
    one, three = convlint.check(text), convlint.check(text, variables={"N": 3})
    # Each CONV(16) after the first adds 3*3*16*16 + 16 = 2,320 parameters.
    assert three.params - one.params == 2 * 2_320


def test_errors_raise_with_their_diagnostics():
    with pytest.raises(convlint.ConvlintError) as raised:
        convlint.check(ROOT / "architectures" / "alexnet-224.yaml")
    error = raised.value.diagnostics[0]
    assert error.rule == "non-integer-output" and error.severity == "error" and error.line is not None
    assert raised.value.report is not None and not raised.value.report.valid


def test_an_unreadable_file_raises():
    with pytest.raises(convlint.ConvlintError, match="no such file"):
        convlint.check("no-such-file.yaml")


def test_the_wheel_ships_the_architectures_and_the_schema():
    listed = subprocess.run(["convlint", "architectures", "--paths"], capture_output=True, text=True, check=True).stdout.split()
    names = {Path(path).name for path in listed}
    assert {path.name for path in (ROOT / "architectures").glob("*.yaml")} == names
    # Inside the installed package, not the source tree.
    assert all(Path(convlint.__file__).parent in Path(path).parents for path in listed)
    schema = subprocess.run(["convlint", "schema"], capture_output=True, text=True, check=True).stdout
    assert '"$schema"' in schema
    # The same schema as a file in the package, for editors.
    assert json.loads((Path(convlint.__file__).parent / "convlint.schema.json").read_text()) == json.loads(schema)


def test_the_command_line_entry_point_passes_the_exit_status_through():
    done = subprocess.run([sys.executable, "-m", "convlint", str(ROOT / "architectures" / "alexnet-224.yaml")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "error[non-integer-output]" in done.stderr
    assert subprocess.run([sys.executable, "-m", "convlint", "--version"], capture_output=True, text=True).stdout.strip() \
        == convlint.__version__
