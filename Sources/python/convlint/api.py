"""`convlint.check`: the check's JSON report as dataclasses, by running the bundled binary."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from .__main__ import binary


@dataclass(frozen=True)
class Diagnostic:
    rule: str
    severity: str
    message: str
    line: Optional[int] = None
    column: Optional[int] = None
    help: Optional[str] = None

    def __str__(self) -> str:
        at = f":{self.line}:{self.column}" if self.line is not None else ""
        return f"{self.severity}[{self.rule}]{at}: {self.message}"


@dataclass(frozen=True)
class Layer:
    index: int
    label: str
    kind: str
    input: Tuple[int, ...]
    output: Tuple[int, ...]
    activations: int
    params: int
    macs: int
    receptive_field: Tuple[float, ...]


@dataclass(frozen=True)
class Report:
    """One file's check: the figures of `convlint FILE --format json`, typed; `raw` has all of it."""

    name: str
    file: str
    valid: bool
    input: Optional[Tuple[int, ...]]
    batch: int
    dtype: str
    params: int
    macs: int
    activations: int
    forward_bytes: Optional[int]
    training_bytes: Optional[int]
    largest_training_batch: Optional[Any]
    layers: List[Layer]
    diagnostics: List[Diagnostic]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def errors(self) -> List[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> List[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


class ConvlintError(Exception):
    """The architecture has errors, or could not be read: `diagnostics` says which, at which line."""

    def __init__(self, message: str, diagnostics: List[Diagnostic], report: Optional[Report] = None):
        super().__init__(message)
        self.diagnostics = diagnostics
        self.report = report


def check(
    source: Union[str, "os.PathLike[str]"],
    *,
    batch: Optional[int] = None,
    gpu_memory: Optional[str] = None,
    dtype: Optional[str] = None,
    input: Optional[str] = None,
    variables: Optional[Mapping[str, Any]] = None,
    rounding: Optional[str] = None,
    optimizer: Optional[str] = None,
    config: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Report:
    """Checks an architecture file, or YAML text, as `convlint FILE` does.

    `source` is a path (a `PathLike`, or a one-line string ending in .yaml or .yml or naming a
    file), or else the text of an architecture file. `gpu_memory` is a size such as "16GiB"; `variables` become `--set NAME=VALUE`
    (lists as YAML flow lists). Returns the report of a network without errors (warnings allowed);
    raises `ConvlintError` with the diagnostics otherwise.
    """
    arguments = ["--format", "json"]
    for flag, value in (("--batch", batch), ("--gpu-memory", gpu_memory), ("--dtype", dtype), ("--input", input),
                        ("--rounding", rounding), ("--optimizer", optimizer), ("--config", config)):
        if value is not None:
            arguments += [flag, str(value)]
    for name, value in (variables or {}).items():
        arguments += ["--set", f"{name}={_yaml(value)}"]
    text = os.fspath(source)
    if isinstance(source, os.PathLike) or "\n" not in text and (text.endswith((".yaml", ".yml")) or Path(text).exists()):
        return _run([text] + arguments)
    with tempfile.TemporaryDirectory(prefix="convlint-") as scratch:
        path = Path(scratch) / "architecture.yaml"
        path.write_text(text, encoding="utf-8")
        return _run([str(path)] + arguments)


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
    return str(value)


def _run(arguments: List[str]) -> Report:
    done = subprocess.run([str(binary())] + arguments, capture_output=True, text=True)
    if done.returncode == 2 and not done.stdout.strip():
        # A usage error or an unreadable file: there is no report, only the message.
        message = done.stderr.strip()
        raise ConvlintError(message, [Diagnostic(rule="usage", severity="error", message=message)])
    report = _report(json.loads(done.stdout))
    if done.returncode != 0 or report.errors:
        first = report.errors[0] if report.errors else None
        raise ConvlintError(str(first) if first else done.stderr.strip(), report.diagnostics, report)
    return report


def _report(data: Dict[str, Any]) -> Report:
    totals = data.get("totals") or {}
    return Report(
        name=data["name"], file=data["file"], valid=data["valid"],
        input=tuple(data["input"]) if data.get("input") else None, batch=data["batch"], dtype=data["dtype"],
        params=totals.get("params", 0), macs=totals.get("macs", 0), activations=totals.get("activations", 0),
        forward_bytes=totals.get("forward_bytes"), training_bytes=totals.get("training_bytes"),
        largest_training_batch=totals.get("largest_training_batch"),
        layers=[
            Layer(index=layer["index"], label=layer["label"], kind=layer["kind"], input=tuple(layer["input"]),
                  output=tuple(layer["output"]), activations=layer["activations"], params=layer["params"],
                  macs=layer["macs"], receptive_field=tuple(layer["receptive_field"]))
            for layer in data.get("layers", [])
        ],
        diagnostics=[
            Diagnostic(rule=d["rule"], severity=d["severity"], message=d["message"], line=d.get("line"),
                       column=d.get("column"), help=d.get("help"))
            for d in data.get("diagnostics", [])
        ],
        raw=data,
    )
