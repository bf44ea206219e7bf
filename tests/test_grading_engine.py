"""The grading engine's parts that need no sandbox: protocol, static forbidden scan, reports, exercise files."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch

from quizkit.errors import QuizkitError, UsageError
from quizkit.grading.exercises import list_exercises, load_exercise, load_exercise_dir
from quizkit.grading.forbidden import scan
from quizkit.grading.report import GradeReport, TestResult, sanitize
from quizkit.grading.sandbox.limits import Limits
from quizkit.grading.testing import assert_close, check
from quizkit.grading.wire import codec as protocol

SIGMOID_FORBIDDEN = load_exercise("sigmoid").forbidden


# -- protocol -------------------------------------------------------------------------------------------------
def _roundtrip(value):
    obj, blobs, size = protocol.encode(value)
    frame = b"".join(protocol.pack({"op": "x", "value": obj}, blobs, size))
    jlen, blen = protocol.parse_header(frame[: protocol.HEADER.size])
    message = protocol.parse_json(frame[protocol.HEADER.size: protocol.HEADER.size + jlen])
    blob = bytearray(frame[protocol.HEADER.size + jlen:])
    assert len(blob) == blen
    return protocol.decode(message["value"], blob)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                                   torch.int8, torch.uint8, torch.bool, torch.complex64])
def test_tensors_cross_as_fresh_plain_tensors(dtype):
    x = (torch.randn(3, 4, dtype=torch.float64) * 10).to(dtype)
    got = _roundtrip({"a": [x, x.t(), x[1]], "s": x.sum()})
    for g, w in zip(got["a"], [x, x.t(), x[1]]):
        assert type(g) is torch.Tensor and g.dtype == w.dtype and g.shape == w.shape
        assert torch.equal(g, w)
        assert g.data_ptr() != w.data_ptr()


def test_plain_values_keep_their_types():
    value = [None, True, 3, -2.5, "t", (1, 2), {"k": (3.0,)}, float("nan"), float("inf"), torch.empty(0, 3)]
    got = _roundtrip(value)
    assert got[:7] == value[:7] and type(got[5]) is tuple and type(got[6]["k"]) is tuple
    assert math.isnan(got[7]) and got[8] == math.inf and got[9].shape == (0, 3)


def test_subclasses_are_rebuilt_as_plain_tensors():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True

    got = _roundtrip(torch.zeros(3).as_subclass(Liar))
    assert type(got) is torch.Tensor and not torch.equal(got, torch.ones(3))


@pytest.mark.parametrize("value", [object(), {1: 2}, torch.zeros(2).to_sparse(), lambda: 1])
def test_unsupported_values_are_refused_naming_the_type(value):
    with pytest.raises(TypeError):
        protocol.encode(value)


@pytest.mark.parametrize("bad", [
    {"t": "tensor", "dtype": "float64", "shape": [3], "off": 0, "len": 16},  # size does not add up
    {"t": "tensor", "dtype": "object", "shape": [1], "off": 0, "len": 8},
    {"t": "tensor", "dtype": "float64", "shape": [-1], "off": 0, "len": 8},
    {"t": "tensor", "dtype": "float64", "shape": [1], "off": 60, "len": 8},  # beyond the blob
    {"t": "pickle", "v": "gASV"},
    {"t": "handle", "id": 1},  # handles only resolve in the child
    {"no": "tag"},
])
def test_malformed_values_are_protocol_errors(bad):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(bad, bytearray(64))


def test_malformed_frames_are_rejected():
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_header(b"EVIL" + bytes(12))
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_header(protocol.HEADER.pack(protocol.MAGIC, 10, 1 << 40))
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_json(b"[" * 100000)


def test_bool_bytes_are_normalised():
    t = protocol.decode({"t": "tensor", "dtype": "bool", "shape": [2], "off": 0, "len": 2}, bytearray(b"\x00\x07"))
    assert t.tolist() == [False, True]


# -- static forbidden scan ------------------------------------------------------------------------------------
@pytest.mark.parametrize("source, name", [
    ("import torch\ny = torch.sigmoid(x)", "torch.sigmoid"),
    ("from torch import sigmoid", "torch.sigmoid"),
    ("from torch import sigmoid as s\ns(x)", "torch.sigmoid"),
    ("import torch.nn.functional as F\nF.sigmoid(x)", "torch.nn.functional.sigmoid"),
    ("from torch.nn import functional as fn\nfn.sigmoid(x)", "torch.nn.functional.sigmoid"),
    ("import torch as T\nT.special.expit(x)", "torch.special.expit"),
    ("from torch.special import *\nexpit(x)", "torch.special.expit"),
    ("def f(x):\n    return x.sigmoid()", "torch.Tensor.sigmoid"),
    ("def f(x):\n    return (x + 1).sigmoid_()", "torch.Tensor.sigmoid"),
    ("import torch\ntorch.sigmoid_(x)", "torch.sigmoid"),
    ("from torch import nn\nnn.Sigmoid()(x)", "torch.nn.Sigmoid"),
    ("import torch\ntorch.nn.modules.activation.Sigmoid()", "torch.nn.Sigmoid"),
    ("import torch\ngetattr(torch, 'sig' + 'moid')(x)", "torch.sigmoid"),
    ("import torch\ngetattr(torch, f'sigmoid')(x)", "torch.sigmoid"),
    ("import importlib\nimportlib.import_module('torch.special').expit", "torch.special.expit"),
    ("from scipy.special import expit", "scipy.special.expit"),
    ("import scipy.special as sp\nsp.expit(x)", "scipy.special.expit"),
])
def test_scan_finds_forbidden_uses(source, name):
    findings = scan(source, SIGMOID_FORBIDDEN, "sub.py")
    assert name in {f.name for f in findings}
    first = findings[0]
    assert first.message("sub.py").startswith(f"sub.py:{first.line}: `")


@pytest.mark.parametrize("source", [
    "import torch\ndef sigmoid(x):\n    e = torch.exp(-x.abs())\n    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))",
    "import torch.nn.functional as F\ndef sigmoid(x):\n    return (-F.softplus(-x)).exp()",
    "def sigmoid(x):\n    '''Like torch.sigmoid, but written by hand.'''\n    return 1 / (1 + (-x).exp())",
    "class M:\n    def sigmoid(self, x):\n        return x\n    def f(self, x):\n        return self.sigmoid(x)",
    "sigmoid = lambda x: x\ny = sigmoid(1)",
    "class Act:\n    def sigmoid(self, x):\n        return x\nact = Act()\ny = act.sigmoid(3)",
])
def test_scan_leaves_honest_code_alone(source):
    assert scan(source, SIGMOID_FORBIDDEN, "sub.py") == []


def test_scan_of_forbidden_modules():
    forbidden = ("torch.optim",)
    for source in ("import torch.optim", "from torch import optim", "from torch.optim import Adam",
                   "import torch\ntorch.optim.Adam(p)", "import torch.optim.adam as a",
                   "import sys\nsys.modules['torch.optim']"):
        assert [f.name for f in scan(source, forbidden)] [:1] == ["torch.optim"], source
    assert scan("import torch\ntorch.optimize = 1\nimport optimist", forbidden) == []


def test_scan_raises_syntax_errors():
    with pytest.raises(SyntaxError):
        scan("def f(:\n", SIGMOID_FORBIDDEN)


# -- assertions and reports --------------------------------------------------------------------------------------
def test_assert_close_messages_say_what_was_called_and_what_came_back():
    want = torch.tensor([0.5, 0.25], dtype=torch.float64)
    cases = [
        (None, "got None"),
        (want.float(), "Expected dtype float64, got float32"),
        (want.reshape(2, 1), "Expected shape (2,), got shape (2, 1)"),
        (torch.tensor([0.5, math.nan], dtype=torch.float64), "at index 1"),
        (torch.tensor([0.5, 0.3], dtype=torch.float64), "largest error is 0.05 at index 1"),
    ]
    for got, expected in cases:
        with pytest.raises(AssertionError) as info:
            assert_close(got, want, rtol=1e-9, atol=1e-12, call="f(x)", hint="Try harder.")
        text = str(info.value)
        assert text.startswith("Called f(x). Expected") and expected in text and text.endswith("Try harder.")
    assert_close(want.clone(), want, rtol=0, atol=0, call="f(x)")
    with pytest.raises(AssertionError, match=r"^Called g\(\)\. Expected 1, got 2\. Hint\.$"):
        check(False, call="g()", got=2, expected=1, hint="Hint.")


def test_sanitize_strips_terminal_escapes_and_bounds_length():
    text = "ok\x1b[31mred\x1b[0m\x1b]0;title\x07\r\x00\u202eevil" + "x" * 5000
    clean = sanitize(text, 200)
    assert "\x1b" not in clean and "\x00" not in clean and "\u202e" not in clean and "\r" not in clean
    assert clean.startswith("okred\nevil") and len(clean) <= 200 and clean.endswith("[truncated]")


def _report():
    tests = [TestResult("test_a", "passed", 2, 2, "", "visible"),
             TestResult("test_b", "failed", 0, 1, "Called f(x). Expected 1, got 2.", "visible"),
             TestResult("test_c", "timeout", 0, 1, "f(x) did not finish", "hidden"),
             TestResult("test_d", "forbidden", 0, 1, "sub.py:3: uses torch.sigmoid", "visible")]
    return GradeReport.from_tests("sigmoid", tests, duration_s=0.5, isolation=["network namespace"],
                                  submission="sub.py")


def test_json_report_follows_the_contract():
    d = json.loads(_report().to_json())
    assert {"exercise", "score", "max_score", "passed", "duration_s", "tests"} <= set(d)
    assert (d["score"], d["max_score"], d["passed"]) == (2, 5, False)
    assert set(d["tests"][0]) == {"name", "status", "score", "max_score", "message", "visibility"}
    assert [t["status"] for t in d["tests"]] == ["passed", "failed", "timeout", "forbidden"]


def test_text_report_hides_hidden_messages_and_names_isolation():
    text = _report().to_text("en")
    assert "Called f(x). Expected 1, got 2." in text and "f(x) did not finish" not in text
    assert "Total: 2/5" in text and "network namespace" in text
    assert "总分: 2/5" in _report().to_text("zh")


def test_gradescope_report_schema():
    gs = _report().to_gradescope()
    assert gs["score"] == 2 and isinstance(gs["execution_time"], float) and isinstance(gs["output"], str)
    assert gs["visibility"] == "visible" and gs["stdout_visibility"] == "hidden"
    for t in gs["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(t)
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert gs["tests"][2]["visibility"] == "hidden"
    assert _report().to_gradescope("after_due_date")["tests"][2]["visibility"] == "after_due_date"


def test_junit_report_parses():
    root = ET.fromstring(_report().to_junit())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "4"
    assert suite.get("failures") == "2" and suite.get("errors") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["test_b"].find("failure") is not None and cases["test_c"].find("error") is not None


# -- exercise files -------------------------------------------------------------------------------------------
def test_sigmoid_exercise_metadata():
    ex = load_exercise("sigmoid")
    assert (ex.title_zh, ex.topic, ex.points) == ("数值稳定的 Sigmoid", "activation", 10)
    assert len(ex.hints) >= 3 and all(h["zh"] and h["en"] for h in ex.hints)
    # No probes: every sigmoid check is a plain call, checked in the supervisor.
    assert len(ex.mutants) >= 3 and ex.reference.name == "sigmoid.py" and ex.probes is None
    assert "sigmoid" in {e.id for e in list_exercises()}


def test_unknown_exercise_is_a_usage_error_listing_known_ids():
    with pytest.raises(UsageError, match=r"unknown exercise 'nope' \(known: .*sigmoid"):
        load_exercise("nope")


def test_bad_exercise_yaml_names_file_and_line(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    meta = folder / "exercise.yaml"
    meta.write_text("id: demo\ntitle: {zh: a, en: b}\ntopic: activation\npoints: 3\nlimits:\n  bogus: 1\n")
    with pytest.raises(QuizkitError, match=r"exercise.yaml:5: unknown limit `bogus`"):
        load_exercise_dir(folder)
    meta.write_text("id: demo\ntitle: {zh: a, en: b}\ntopic: cooking\npoints: 3\n")
    with pytest.raises(QuizkitError, match=r"exercise.yaml:3: `topic` must be one of"):
        load_exercise_dir(folder)
    meta.write_text("id: demo\ntitle: [unclosed\n")
    with pytest.raises(QuizkitError, match=r"exercise.yaml:\d+: invalid YAML"):
        load_exercise_dir(folder)


def test_limits_overrides_are_checked():
    assert Limits.from_mapping({"memory_mb": 4096, "processes": 0}).memory_mb == 4096
    for bad in ({"call_seconds": 0}, {"processes": 1.5}, {"memory_mb": "lots"}):
        with pytest.raises(QuizkitError):
            Limits.from_mapping(bad)


def test_every_sigmoid_file_parses():
    ex = load_exercise("sigmoid")
    for path in [ex.reference, ex.starter, *ex.mutants, *Path(__file__).with_name("redteam").glob("*.py")]:
        compile(path.read_text(encoding="utf-8").replace("__PORT__", "1"), str(path), "exec")
