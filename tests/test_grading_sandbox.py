"""The grader with real sandboxed children: the sigmoid course checks, the proxy API, isolation, forks."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from quizkit.errors import UsageError
from quizkit.grading.exercises import load_exercise, load_exercise_dir
from quizkit.grading.forbidden import OPERATORS, STATIC_SCAN
from quizkit.grading.runner import Grader
from quizkit.grading.sandbox import layers
from quizkit.grading.sandbox.isolation import GUARD
from quizkit.grading.sandbox.limits import Limits

REDTEAM = Path(__file__).with_name("redteam")
FAST = Limits(call_seconds=5, total_seconds=20, cpu_seconds=10, memory_mb=512, output_kb=16)


@pytest.fixture(scope="module")
def grader():
    return Grader(load_exercise("sigmoid"), limits=FAST)


def _statuses(report):
    return {t.name: t.status for t in report.tests}


def test_reference_scores_full_marks_and_starter_fails(grader):
    ex = grader.exercise
    ref = grader.grade(ex.reference)
    assert (ref.score, ref.max_score, ref.passed) == (10, 10, True)
    assert sum(t.max_score for t in ref.tests) == ex.points
    starter = grader.grade(ex.starter)
    assert starter.score == 0 and not starter.passed
    assert all("NotImplementedError" in t.message for t in starter.tests if t.visibility == "visible")


def test_every_mutant_fails_a_test(grader):
    for mutant in grader.exercise.mutants:
        report = grader.grade(mutant)
        assert report.score < report.max_score, mutant.name


@pytest.mark.parametrize("name", sorted(p.name for p in REDTEAM.glob("honest_*.py")))
def test_honest_submissions_in_different_styles_score_full_marks(grader, name):
    report = grader.grade(REDTEAM / name)
    assert report.passed, [(t.name, t.message) for t in report.tests if t.status != "passed"]


def test_report_lists_the_isolation_layers_in_force(grader):
    report = grader.grade(grader.exercise.reference)
    assert GUARD not in report.isolation  # the in-process guard is not an isolation layer
    assert set(report.isolation) <= set(layers.ALL) and layers.PROCESS in report.isolation
    assert report.isolation_missing == layers.missing(report.isolation, os.geteuid() == 0)
    text = report.to_text("en")
    assert layers.label(layers.PROCESS) in text and layers.label(layers.PROCESS, "zh") in report.to_text("zh")
    assert STATIC_SCAN in report.isolation and OPERATORS in report.isolation
    if os.geteuid() == 0 and os.uname().sysname == "Linux":
        assert {layers.NETWORK, layers.UID, layers.MOUNT, layers.PID_NAMESPACE} <= set(report.isolation)


def test_grading_still_works_without_os_layers(tmp_path):
    plain = Grader(load_exercise("sigmoid"), limits=FAST,
                   disable=("pid", "net", "mount", "landlock", "uid", "seccomp"))
    report = plain.grade(REDTEAM / "honest_where.py")
    assert report.passed
    off = {layers.PID_NAMESPACE, layers.NETWORK, layers.MOUNT, layers.LANDLOCK, layers.UID, layers.SECCOMP}
    assert not off & set(report.isolation) and layers.SUBREAPER in report.isolation
    assert off - {layers.UID} <= set(report.isolation_missing)
    assert "Isolation missing on this machine" in report.to_text("en")


DYNAMIC_FORBIDDEN = {
    "computed_getattr.py": """
        import torch
        NAME = "".join(["s", "i", "g", "m", "o", "i", "d"])
        def sigmoid(x):
            return getattr(torch, NAME)(x)
        def sigmoid_grad(x):
            s = getattr(x, NAME)()
            return s * (1 - s)
    """,
    "import_module.py": """
        import importlib
        F = importlib.import_module("torch.nn." + "functional".strip())
        def sigmoid(x):
            return getattr(F, "sigm" + "oid".strip())(x)
        def sigmoid_grad(x):
            nn = __import__("torch").nn
            return getattr(nn, "Sigm" + "oid".strip())()(x)
    """,
    "hidden_routes.py": """
        import torch
        N = "sigm" + "oid".strip()
        def sigmoid(x):
            return getattr(torch._C._VariableFunctions, N)(x)
        def sigmoid_grad(x):
            return getattr(torch._C.TensorBase, N)(x)
    """,
    "bound_names.py": """
        import torch
        sigmoid = getattr(torch, "".join(chr(c) for c in (115, 105, 103, 109, 111, 105, 100)))
        sigmoid_grad = sigmoid
    """,
}


@pytest.mark.parametrize("name", sorted(DYNAMIC_FORBIDDEN))
def test_runtime_guard_catches_what_the_static_scan_cannot_see(grader, tmp_path, name):
    path = tmp_path / name
    path.write_text(textwrap.dedent(DYNAMIC_FORBIDDEN[name]))
    report = grader.grade(path)
    statuses = _statuses(report)
    assert statuses["test_sigmoid_matches_reference_float64"] == "forbidden"
    assert statuses["test_grad_matches_reference"] == "forbidden"
    message = next(t.message for t in report.tests if t.status == "forbidden")
    assert f"{name}:" in message and "forbids" in message


def test_static_scan_fails_every_test_naming_file_and_line(grader, tmp_path):
    path = tmp_path / "uses_builtin.py"
    path.write_text("import torch.nn.functional as F\n\ndef sigmoid(x):\n    return F.sigmoid(x)\n")
    report = grader.grade(path)
    assert {t.status for t in report.tests} == {"forbidden"} and report.score == 0
    assert "uses_builtin.py:4: `F.sigmoid` uses torch.nn.functional.sigmoid" in report.tests[0].message


def test_syntax_error_is_a_report_not_a_traceback(grader, tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import torch\ndef sigmoid(x:\n    return x\n")
    report = grader.grade(path)
    assert report.tests[0].status == "error" and {t.status for t in report.tests[1:]} == {"not_run"}
    assert report.tests[0].message.startswith("broken.py:2: SyntaxError")


def test_bad_files_are_usage_errors(grader, tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        grader.grade(tmp_path / "missing.py")
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"\xff\xfe\x00def f(): pass")
    report = grader.grade(binary)  # a file that exists but is not text: a report, every test failed
    assert not report.passed and report.tests[0].status == "error" and "not UTF-8" in report.tests[0].message
    assert {t.status for t in report.tests[1:]} == {"not_run"}


def test_a_forked_process_with_a_warm_grader_starts_its_own_zygote(grader):
    """A process forked after the Grader was built (as a user script might) does not share its parent's zygote:
    its first spawn request starts its own, and both grades come back right."""
    r, w = os.pipe()
    pids = []
    for name in ("honest_where.py", "honest_tanh.py"):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the worker
            code = 0
            try:
                report = grader.grade(REDTEAM / name)
                os.write(w, (json.dumps([name, report.score]) + "\n").encode())
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        pids.append(pid)
    os.close(w)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    with os.fdopen(r) as fh:
        scores = dict(json.loads(line) for line in fh)
    assert scores == {"honest_where.py": 10, "honest_tanh.py": 10}
    assert grader.grade(REDTEAM / "honest_masks.py").passed  # the parent's connection still works


# -- the proxy API on a small exercise made for it -------------------------------------------------------------
DEMO_TEST = '''
import pytest
import torch
from quizkit.grading.wire.codec import ReturnTypeError, SubmissionError, SymbolicText
from quizkit.grading.testing import points, hidden


@points(2)
def test_functions_and_plain_values(submission, reference):
    assert submission.has("pair") and not submission.has("nothing")
    got, want = submission.pair(2, 3.5), reference.pair(2, 3.5)
    assert type(got) is tuple and got[0] == want[0] and type(got[1]["t"]) is torch.Tensor
    assert torch.equal(got[1]["t"], want[1]["t"])


def test_objects_through_handles(submission):
    counter = submission.new("Counter", 5)
    assert counter.add(2) == 7 and counter.add(3) == 10
    assert counter.get("n") == 10
    assert submission.total(counter) == 10  # a handle passed back as an argument


def test_probe_runs_beside_the_module(submission):
    assert submission.probe("double_counter", 4) == 8


def test_unsupported_return_type_names_the_type(submission):
    with pytest.raises(ReturnTypeError, match="object"):
        submission.weird()


def test_student_exception_is_sanitised(submission):
    with pytest.raises(SubmissionError) as info:
        submission.boom()
    text = str(info.value)
    assert "ValueError: red bad" in text and "\\x1b" not in text and "demo.py:" in text


def test_symbolic_values_arrive_as_text(submission):
    got = submission.expr()
    assert isinstance(got, SymbolicText) and got == "x**2 + 1" and got.srepr.startswith("Add(")


@hidden
def test_hidden_failure(submission):
    assert submission.pair(1, 1)[0] == 2, "secret detail"
'''

DEMO_PROBES = '''
def double_counter(module, n):
    c = module.Counter(n)
    c.add(n)
    return c.n
'''

DEMO_REFERENCE = '''
import torch


def pair(a, b):
    return (a, {"t": torch.tensor([a, b], dtype=torch.float64)})
'''

DEMO_SUBMISSION = '''
import torch


class Counter:
    def __init__(self, start):
        self.n = start

    def add(self, k):
        self.n += k
        return self.n


def total(counter):
    return counter.n


def pair(a, b):
    return (a, {"t": torch.tensor([a, b], dtype=torch.float64)})


def weird():
    return object()


def boom():
    raise ValueError("\\x1b[31mred\\x1b[0m bad")


def expr():
    import sympy
    x = sympy.Symbol("x")
    return x**2 + 1
'''


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    folder = root / "exercises" / "demo"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text("id: demo\ntitle: {zh: 演示, en: Demo}\ntopic: ml-basics\npoints: 8\n"
                                          "imports: [torch, sympy]\n")
    (folder / "test_demo.py").write_text(DEMO_TEST)
    (folder / "probes.py").write_text(DEMO_PROBES)
    (root / "reference").mkdir()
    (root / "reference" / "demo.py").write_text(DEMO_REFERENCE)
    (root / "demo.py").write_text(DEMO_SUBMISSION)
    ex = load_exercise_dir(folder, reference=root / "reference" / "demo.py")
    return Grader(ex, limits=Limits(call_seconds=20, total_seconds=60)), root / "demo.py"


def test_proxy_api_end_to_end(demo):
    grader, submission = demo
    report = grader.grade(submission)
    statuses = _statuses(report)
    failing = {name: s for name, s in statuses.items() if s != "passed"}
    assert failing == {"test_hidden_failure": "failed"}, [t.message for t in report.tests]
    assert report.max_score == 8 and report.score == 7
    hidden = next(t for t in report.tests if t.name == "test_hidden_failure")
    assert hidden.visibility == "hidden" and "secret detail" not in report.to_text()


GUARDED_TEST = """
from quizkit.grading.testing import points


def test_probe_may_use_what_students_may_not(submission):
    assert submission.probe("uses_forbidden") == [0.5, 1]


def test_student_use_is_refused(submission):
    submission.cheat()


def test_honest_function(submission):
    assert submission.honest(3) == 6
"""

GUARDED_PROBES = """
import torch


def uses_forbidden(module):
    p = torch.zeros(1, requires_grad=True)
    torch.optim.SGD([p], lr=0.1)
    return [torch.sigmoid(torch.zeros(())).item(), len(torch.optim.SGD([p], lr=1).param_groups[0]["params"])]
"""


def test_the_runtime_guard_spares_probes_and_torch_internals(tmp_path):
    folder = tmp_path / "exercises" / "guarded"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text("id: guarded\ntitle: {zh: 守卫, en: Guarded}\ntopic: optimizer\n"
                                          "points: 3\nforbidden: [torch.sigmoid, torch.optim]\n")
    (folder / "test_guarded.py").write_text(GUARDED_TEST)
    (folder / "probes.py").write_text(GUARDED_PROBES)
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "guarded.py").write_text("def honest(n):\n    return 2 * n\n")
    (tmp_path / "sub.py").write_text(
        "import importlib\nimport torch\n\n"
        "def honest(n):\n    torch.nn.functional.silu(torch.ones(2))  # torch internals keep working\n"
        "    return 2 * n\n\n"
        "def cheat():\n    m = importlib.import_module('torch.' + 'optim'.strip())\n    return m.SGD\n")
    ex = load_exercise_dir(folder, reference=tmp_path / "reference" / "guarded.py")
    # The scan would refuse `import importlib` before anything runs: this test is about the guard behind it.
    report = Grader(ex, limits=FAST, disable=("scan",)).grade(tmp_path / "sub.py")
    assert _statuses(report) == {"test_probe_may_use_what_students_may_not": "passed",
                                 "test_student_use_is_refused": "forbidden", "test_honest_function": "passed"}
    assert "sub.py:9: uses torch.optim" in report.tests[1].message
