"""Red-team submissions, graded for real in sandboxed children (no mocks).

Each must score below full marks and still get a report; grading carries on to the next one; the machine
stays healthy (no leftover processes, no files written outside the sandbox, nothing sent over the network).
The grader runs on a private copy of the sigmoid exercise with small limits, so a failure here cannot damage
the repository and the suite stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from quizkit.grading.exercises import known_ids, load_exercise, load_exercise_dir
from quizkit.grading.runner import Grader
from quizkit.grading.sandbox import layers
from quizkit.grading.sandbox.limits import Limits
from quizkit.render import i18n

REDTEAM = Path(__file__).with_name("redteam")
SMALL = Limits(call_seconds=1.5, total_seconds=3, cpu_seconds=5, memory_mb=384, processes=1, file_size_mb=4,
               output_kb=16)

@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; another test module may have left the catalogue in Chinese."""
    from quizkit.render import i18n

    previous = i18n.get_lang()
    i18n.set_lang("en")
    yield
    i18n.set_lang(previous)


EXPECTED_STATUS = {  # the status every visible test must get (None: any non-passing status)
    "exit_at_import.py": "error",
    "os_exit_at_import.py": "error",
    "exit_in_function.py": "error",
    "endless_import.py": "timeout",
    "flood_stdout.py": "error",
    "allocate_forever.py": "failed",
    "fork_bomb.py": None,
    "os_exit_in_function.py": None,
    "endless_loop.py": "timeout",
    # Verdicts in the supervisor, numbered replies (more cases, on other exercises: test_grading_verdicts.py).
    "probe_by_frames.py": None,  # modifies x unless the caller looks like a probe
    "probe_by_arguments.py": None,  # modifies x unless the input looks like the in-place test's
    "extra_reply.py": None,  # writes forged replies into the request socket
}


def _private_course(root: Path):
    src = load_exercise("sigmoid")
    shutil.copytree(src.dir, root / "exercises" / "sigmoid", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "reference").mkdir()
    shutil.copy(src.reference, root / "reference" / "sigmoid.py")
    return load_exercise_dir(root / "exercises" / "sigmoid", reference=root / "reference" / "sigmoid.py")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A private copy of the sigmoid exercise and its reference, graded with small limits.

    The static scan is off here, so that these attacks reach the sandbox layers they are aimed at: with it on,
    most of them (import os, sys, gc) are refused before anything runs (see test_every_attack_... below).
    """
    root = tmp_path_factory.mktemp("course")
    return root, Grader(_private_course(root), limits=SMALL, disable=("scan",))


@pytest.fixture(scope="module")
def full_course(tmp_path_factory):
    """The same private course with every layer on, as students are graded."""
    root = tmp_path_factory.mktemp("full_course")
    return root, Grader(_private_course(root), limits=SMALL)


def _prepare(tmp_path: Path, name: str, **subs: str) -> Path:
    text = (REDTEAM / name).read_text(encoding="utf-8")
    for key, value in subs.items():
        text = text.replace(f"__{key}__", value)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _uid_processes(uids: list[int]) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        uid_line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "")
        if "\nState:\tZ" in status:
            continue  # already dead, waiting to be reaped by init
        if any(int(u) in uids for u in uid_line.split()[1:3]):
            found.append(int(entry))
    return found


def _check_report(report) -> None:
    assert report.score < report.max_score
    assert len(report.tests) == 8 and not report.passed
    json.loads(report.to_json())  # always renders


SIMPLE = sorted(set(EXPECTED_STATUS) | {"patch_comparisons.py", "lying_tensor.py", "gc_pytest_hook.py",
                                         "fake_summary.py", "kill_supervisor.py", "steal_from_memory.py"})


@pytest.mark.parametrize("name", SIMPLE)
def test_redteam_submission_scores_below_full_marks(course, tmp_path, name):
    _, grader = course
    report = grader.grade(_prepare(tmp_path, name))
    _check_report(report)
    expected = EXPECTED_STATUS.get(name)
    if expected is not None:
        # a file that cannot load is reported by the first test; the others are marked as not run
        assert {t.status for t in report.tests if t.status != "not_run"} == {expected}, [t.message for t in report.tests]
    # The sandbox left nothing running, whatever the submission did.
    assert _uid_processes(grader.last_session.uids) == []


def test_fork_bomb_is_contained_and_cleaned_up(course, tmp_path):
    _, grader = course
    report = grader.grade(_prepare(tmp_path, "fork_bomb.py"))
    _check_report(report)
    assert any("BlockingIOError" in t.message or "Resource temporarily unavailable" in t.message
               for t in report.tests)
    assert grader.last_session.uids and _uid_processes(grader.last_session.uids) == []


def test_flooding_output_is_capped_and_sanitised(course, tmp_path):
    _, grader = course
    report = grader.grade(_prepare(tmp_path, "flood_stdout.py"))
    assert "printed more than 16 KB" in report.tests[0].message
    assert len(report.output) <= 2100


def test_fake_summary_cannot_pass_for_the_report(course, tmp_path):
    _, grader = course
    report = grader.grade(_prepare(tmp_path, "fake_summary.py"))
    text = report.to_text()
    assert "\x1b" not in text and "\r" not in text
    assert "Total: 10/10" not in text.split("Your code printed")[0]
    assert all(line.startswith("  | ") for line in text.split("Your code printed")[1].splitlines()[1:-2] if line)
    assert "8 passed" not in report.to_json()  # printed output never enters the JSON contract


def test_secrets_cannot_be_read_and_smuggled_out(course, tmp_path):
    _, grader = course
    ex = grader.exercise
    sub = _prepare(tmp_path, "read_secrets.py", TEST_PATH=str(ex.test_file), REF_PATH=str(ex.reference))
    report = grader.grade(sub)
    _check_report(report)
    everything = report.to_json() + report.to_text() + json.dumps(report.to_gradescope()) + report.to_junit()
    for secret in (ex.reference, ex.test_file, load_exercise("sigmoid").reference):
        for line in secret.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) > 25 and not line.startswith(("import", "from", "#", '"""')):
                assert line not in everything, line


def test_submission_cannot_write_into_the_exercise_or_elsewhere(course, tmp_path):
    root, grader = course
    before = _tree_digest(root)
    canary = tmp_path / "canary"
    canary.mkdir()
    canary.chmod(0o777)  # even a world-writable folder outside the sandbox must stay untouched
    sub = _prepare(tmp_path, "write_exercise.py", EXERCISE_DIR=str(grader.exercise.dir))
    _check_report(grader.grade(sub))
    sub = _prepare(tmp_path, "write_results.py", TARGET_DIR=str(canary))
    cwd = os.getcwd()
    os.chdir(canary)
    try:
        _check_report(grader.grade(sub))
    finally:
        os.chdir(cwd)
    assert _tree_digest(root) == before
    assert list(canary.iterdir()) == []


def test_no_network_even_to_localhost(course, tmp_path):
    _, grader = course
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        report = grader.grade(_prepare(tmp_path, "socket_connect.py", PORT=str(port)))
        _check_report(report)
        with pytest.raises(socket.timeout):
            conn, _ = listener.accept()
            conn.close()


@pytest.mark.parametrize("layers", ["all layers", "without the static scan"])
def test_grading_carries_on_after_every_attack(course, full_course, tmp_path, layers):
    _, grader = full_course if layers == "all layers" else course
    names = sorted(p.name for p in REDTEAM.glob("*.py") if not p.name.startswith("honest_"))
    subs = {"PORT": "9", "TEST_PATH": "/nonexistent", "REF_PATH": "/nonexistent",
            "EXERCISE_DIR": str(tmp_path / "nowhere"), "TARGET_DIR": str(tmp_path / "nowhere")}
    uids: list[int] = []
    for name in names:
        _check_report(grader.grade(_prepare(tmp_path, name, **subs)))
        uids += grader.last_session.uids
    honest = grader.grade(REDTEAM / "honest_where.py")
    assert honest.passed
    assert _uid_processes(uids) == []


STEAL_WORST_CASE = """
import importlib.util, sys
# The worst case for the zygote: the reference is imported, and kept alive, before the Grader exists.
spec = importlib.util.spec_from_file_location("early_ref", sys.argv[1])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
sys.modules["early_ref"] = ref
KEEP = [ref.sigmoid, ref.sigmoid_grad]
from quizkit.grading.exercises import load_exercise
from quizkit.grading.runner import Grader
report = Grader(load_exercise("sigmoid")).grade(sys.argv[2])
assert KEEP[0] is ref.sigmoid and ref.sigmoid.__code__.co_filename == sys.argv[1]  # ours is untouched
print(report.score, report.max_score)
"""


def test_secrets_imported_before_the_grader_do_not_reach_the_child(tmp_path):
    sub = tmp_path / "steal.py"
    sub.write_text(
        "import gc\nimport torch\n\n"
        "def _find(name):\n"
        "    for o in gc.get_objects():\n"
        "        code = getattr(o, '__code__', None)\n"
        "        if getattr(o, '__name__', '') == name and 'reference' in getattr(code, 'co_filename', ''):\n"
        "            return o\n\n"
        "def _use(name, x):\n"
        "    f = _find(name)\n"
        "    out = f(x) if f is not None else None\n"
        "    return out if isinstance(out, torch.Tensor) else torch.zeros_like(x)\n\n"
        "def sigmoid(x):\n    return _use('sigm' + 'oid'.strip(), x)\n\n"
        "def sigmoid_grad(x):\n    return _use('sigmoid_grad', x)\n")
    proc = subprocess.run([sys.executable, "-c", STEAL_WORST_CASE, str(load_exercise("sigmoid").reference), str(sub)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    score, max_score = map(float, proc.stdout.split())
    assert score < max_score


# == Forbidden APIs (issue 11, groups 1 and 2): the scan, the operator check, and positive controls ============
# Each attack is graded on its own exercise three ways:
#   - every layer on: below full marks, with a "forbidden" verdict whose message names the construct;
#   - only the run-time operator check (scan and guard off), where it is the layer meant to catch the kernel;
#   - the positive control: the layers that catch it turned off, and the attack gets FULL marks, so it is a real
#     cheat and the tests above can fail. Guard bypasses keep the in-process guard on in their control: it
#     shows that the guard alone does not hold, which is why it is not listed as an isolation layer.
ALL_OFF = ("scan", "operators", "guard")
GUARD_ONLY = ("scan", "operators")
FORBIDDEN_ATTACKS = [  # file, exercise, text in the refusal with every layer on, caught by the operators alone
    ("guard_getframe.py", "sigmoid", "sys._getframe", True),
    ("guard_closure_cell.py", "sigmoid", "__closure__", True),
    ("guard_gc.py", "sigmoid", "imports gc", True),
    ("guard_thread_trusted_filename.py", "sigmoid", "imports threading", True),
    ("guard_sys_modules_optim.py", "adam", "imports sys", False),  # its operators are Adam's own: scan only
    ("guard_vars_proxy.py", "optimizers", "`vars`", False),
    ("alias_glu.py", "sigmoid", "aten operator glu", True),
    ("alias_silu_over_x.py", "sigmoid", "aten operator silu", True),
    ("alias_aten_ops.py", "sigmoid", "torch.ops", True),
    ("alias_c_nn_glu.py", "sigmoid", "torch._C", True),
    ("alias_private_softmax.py", "softmax", "torch._softmax", True),
    ("alias_logcumsumexp.py", "softmax", "aten operator logcumsumexp", True),
    ("alias_softmin.py", "softmax", "aten operator softmax", True),
    ("alias_native_batch_norm.py", "batchnorm", "aten operator native_batch_norm", True),
    ("alias_layer_norm.py", "batchnorm", "aten operator native_layer_norm", True),
    ("alias_convolution.py", "conv_output", "aten operator convolution", True),
    ("alias_maxpool_receptive_field.py", "receptive_field", "aten operator max_pool2d_with_indices", True),
    ("alias_torch_lstm.py", "lstm_cell", "torch.lstm", True),
    ("alias_functorch_grad.py", "backprop", "imports functorch", True),
    ("alias_sys_modules_autograd.py", "backprop", "imports sys", True),
    ("alias_backward_method.py", "backprop", "torch.Tensor.backward", True),
    ("alias_native_dropout.py", "dropout", "torch.native_dropout", True),
]
HONEST_ELSEWHERE = sorted(p.name for p in (REDTEAM / "honest").glob("*.py"))  # <exercise>_<style>.py


@pytest.fixture(scope="module")
def graders():
    """One warm Grader per (exercise, layers turned off), made on first use."""
    made: dict[tuple[str, tuple[str, ...]], Grader] = {}

    def get(exercise_id: str, disable: tuple[str, ...] = ()) -> Grader:
        key = (exercise_id, disable)
        if key not in made:
            made[key] = Grader(load_exercise(exercise_id), disable=disable)
        return made[key]

    return get


def _forbidden_messages(report) -> list[str]:
    return [t.message for t in report.tests if t.status == "forbidden"]


@pytest.mark.parametrize("name, exercise, text, runtime", FORBIDDEN_ATTACKS, ids=[a[0] for a in FORBIDDEN_ATTACKS])
def test_forbidden_api_attack_is_refused_and_its_control_succeeds(graders, name, exercise, text, runtime):
    path = REDTEAM / name
    report = graders(exercise).grade(path)
    messages = _forbidden_messages(report)
    assert report.score < report.max_score and messages, [(t.status, t.message) for t in report.tests]
    # worded in the language asked for (en here), wherever it was refused: the scan, the guard or the operators
    assert any(m.startswith(f"{name}:") and text in m for m in messages), messages
    if runtime:
        words = {"en": ("aten operator", "autograd"), "zh": ("aten 算子", "自动求导")}
        for lang, other in (("en", "zh"), ("zh", "en")):
            i18n.set_lang(lang)  # the warm zygote forked in whatever language came first; the child follows this one
            alone = graders(exercise, ("scan", "guard")).grade(path)
            runtime_messages = [m.partition(": ")[2] for m in _forbidden_messages(alone)]  # after file:line
            assert alone.score < alone.max_score and runtime_messages, [(t.status, t.message) for t in alone.tests]
            assert any(w in m for m in runtime_messages for w in words[lang]), (lang, runtime_messages)
            assert not any(w in m for m in runtime_messages for w in words[other]), (lang, runtime_messages)
        i18n.set_lang("en")
    control = graders(exercise, GUARD_ONLY if name.startswith("guard_") else ALL_OFF).grade(path)
    assert control.score == control.max_score, [(t.name, t.message) for t in control.tests if t.status != "passed"]


@pytest.mark.parametrize("name", HONEST_ELSEWHERE)
def test_honest_styles_of_every_exercise_score_full_marks(graders, name):
    exercise = next(e for e in sorted(known_ids(), key=len, reverse=True) if name.startswith(e + "_"))
    report = graders(exercise).grade(REDTEAM / "honest" / name)
    assert report.passed, [(t.name, t.message) for t in report.tests if t.status != "passed"]
    assert layers.OPERATORS in report.isolation and layers.STATIC_SCAN in report.isolation


def test_every_exercise_has_an_honest_style_beyond_its_reference():
    covered = {"sigmoid"} | {i for i in known_ids() for n in HONEST_ELSEWHERE if n.startswith(i + "_")}
    assert covered == set(known_ids())  # sigmoid's are the honest_*.py files beside this folder


# -- the scan's rules on their own (no sandbox): what it refuses, and honest code it must leave alone ---------
SCAN_REFUSES = [  # source, text in the message (sigmoid's policy: torch, torch.nn, torch.nn.functional, ...)
    ("import sys\nsys._getframe = None", "imports sys"),
    ("import gc", "imports gc"),
    ("import os.path", "imports os.path"),
    ("from importlib import import_module", "imports importlib"),
    ("import torch.utils._python_dispatch", "imports torch.utils._python_dispatch"),
    ("import functorch", "imports functorch"),
    ("from . import helper", "relative import"),
    ("import torch\ntorch.optim.SGD", "reaches the module torch.optim"),
    ("import torch.nn.functional as F\nF.torch.optim.SGD", "reaches the module torch.optim"),
    ("import torch.nn.functional as F\nF.importlib.import_module('os')", "reaches the module importlib"),
    ("import torch as t\nt.nn.modules.activation.Sigmoid", "reaches the module torch.nn.modules"),
    ("import torch\ntorch.func.grad", "reaches the module torch.func"),
    ("from torch import ops", "torch.ops"),
    ("import torch\nm = [torch][0]", "passes the module torch around"),
    ("import torch\nclass A:\n    m = torch\nA.m.optim.SGD", "passes the module torch around"),
    ("from torch.nn.functional import *\nimportlib.import_module('os')", "reaches the module importlib"),
    ("from torch.nn.functional import *\nx = importlib", "passes the module importlib around"),
    ("import torch\ntorch.ctypes.CDLL", "reaches the module ctypes"),
    ("import typing\ntyping.sys.modules", "reaches the module sys"),
    ("import torch\ndef f(m=torch):\n    return m", "passes the module torch around"),
    ("import torch\ntorch._C._nn.glu", "torch._C"),
    ("import torch\ntorch._softmax", "private name torch._softmax"),
    ("def f(x):\n    return x._make_subclass", "private name _make_subclass"),
    ("import torch\nname = 'sig' + input()\ngetattr(torch, name)", "getattr with a computed"),
    ("f = getattr", "getattr with a computed"),
    ("import functools\nfunctools.reduce(getattr, ['a'], 1)", "getattr with a computed"),
    ("def f(x, name):\n    setattr(x, name, 1)", "setattr with a computed"),
    ("import torch\nsetattr(torch, 'sigmoid', abs)", "assigns to torch.sigmoid"),
    ("import torch\ntorch.Tensor.equal = lambda a, b: True", "assigns to torch.Tensor.equal"),
    ("import torch\nx = vars(torch)", "uses vars"),
    ("g = globals()", "uses globals"),
    ("exec('1')", "uses exec"),
    ("eval('1')", "uses eval"),
    ("compile('1', 'torch/__init__.py', 'exec')", "uses compile"),
    ("open('/etc/passwd')", "uses open"),
    ("breakpoint()", "uses breakpoint"),
    ("__import__('os')", "__import__"),
    ("x = __builtins__", "__builtins__"),
    ("def f(g):\n    return g.__closure__", "__closure__"),
    ("def f(g):\n    return g.__globals__['sys']", "__globals__"),
    ("x = ().__class__.__base__.__subclasses__()", "__class__"),
    ("def f(x):\n    return x.__dict__", "__dict__"),
    ("def f():\n    try:\n        1 / 0\n    except Exception as e:\n        return e.__traceback__", "__traceback__"),
    ("def f(gen):\n    return gen.gi_frame.f_back.f_globals", "gi_frame"),
    ("def f(x):\n    match x:\n        case object(__class__=c):\n            return c", "__class__"),
    ("def f(x: \"__import__('os')\"):\n    return x", "__import__"),
    ("import typing\ntyping.get_type_hints(len)", "typing.get_type_hints"),
    ("import torch\ntorch.compile(abs)", "torch.compile"),
    ("import torch\ntorch.load('w.pt')", "torch.load"),
    ("def f(x):\n    return x.numpy()", "torch.Tensor.numpy"),
]
SCAN_ALLOWS = [
    "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch import Tensor\n"
    "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self._cache = {}\n"
    "    def forward(self, x: Tensor) -> Tensor:\n        return F.relu(x) + self._cache.get('b', 0)\n"
    "    def __repr__(self):\n        return type(self).__name__\n",
    "from __future__ import annotations\nimport math\nfrom typing import Optional\n"
    "def f(x: Optional[float] = None) -> 'float':\n    return math.exp(x or 0.0)\n",
    "import torch\nnn = torch.nn\nclass M(nn.Module):\n    pass\n",
    "import torch\ndef f(x):\n    return getattr(x, 'shape', None), hasattr(x, 'dtype')\n",
    "class A:\n    __slots__ = ('a',)\n    def __init__(self):\n        setattr(self, 'a', 1)\n"
    "    def __getattr__(self, name):\n        return 0\n",
    "import torch\nif __name__ == '__main__':\n    print(torch.where(torch.ones(1) > 0, 1.0, 0.0))\n",
    "import torch\nclass B(torch.nn.Module):\n    def __init__(self):\n        torch.nn.Module.__init__(self)\n",
    "import torch\nwith torch.no_grad():\n    y = torch.zeros(2).clamp(min=0).exp()\n",
]


@pytest.mark.parametrize("source, text", SCAN_REFUSES, ids=[s for s, _ in SCAN_REFUSES])
def test_scan_refuses_reflection_and_imports_outside_the_allowlist(source, text):
    from quizkit.grading.forbidden import check

    findings = check(source, load_exercise("sigmoid").policy, "sub.py")
    messages = [f.message("sub.py") for f in findings]
    assert any(text in m for m in messages), messages
    assert all(m.startswith("sub.py:") and "forbids" in m for m in messages), messages


@pytest.mark.parametrize("source", SCAN_ALLOWS)
def test_scan_leaves_honest_styles_alone(source):
    from quizkit.grading.forbidden import check

    assert check(source, load_exercise("sigmoid").policy, "sub.py") == []


def test_scan_messages_exist_in_both_languages():
    from quizkit.grading.forbidden import check
    from quizkit.render import i18n

    source = "import gc\nimport torch\ntorch._C\nvars()\nx = ().__class__\n"
    policy = load_exercise("sigmoid").policy
    try:
        i18n.set_lang("zh")
        zh = [f.message("s.py") for f in check(source, policy, "s.py")]
    finally:
        i18n.set_lang("en")
    en = [f.message("s.py") for f in check(source, policy, "s.py")]
    assert len(zh) == len(en) == 4
    assert all("禁止" in m for m in zh) and all("forbids" in m for m in en)


@pytest.mark.parametrize("yaml_text, error", [
    ("operators: [exp]\n", r"exercise.yaml:5: `operators` must be \{allow"),
    ("operators: {allow: [exp_]}\n", r"exercise.yaml:5: .*without the in-place `_`"),
    ("operators: {allow: [exp], autograd: maybe}\n", r"exercise.yaml:5: `operators.autograd` must be true or false"),
    ("imports: [torch, 'not a module']\n", r"exercise.yaml:5: `imports` must be a list of dotted module names"),
])
def test_bad_allowlists_name_file_and_line(tmp_path, yaml_text, error):
    from quizkit.errors import QuizkitError

    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "exercise.yaml").write_text("id: demo\ntitle: {zh: 演示, en: Demo}\ntopic: ml-basics\npoints: 1\n"
                                          + yaml_text)
    with pytest.raises(QuizkitError, match=error):
        load_exercise_dir(folder)
