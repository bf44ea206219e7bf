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

from quizkit.grading.exercises import load_exercise, load_exercise_dir
from quizkit.grading.runner import Grader
from quizkit.grading.sandbox.limits import Limits

REDTEAM = Path(__file__).with_name("redteam")
SMALL = Limits(call_seconds=1.5, total_seconds=3, cpu_seconds=5, memory_mb=384, processes=1, file_size_mb=4,
               output_kb=16)

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


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A private copy of the sigmoid exercise and its reference, graded with small limits."""
    root = tmp_path_factory.mktemp("course")
    src = load_exercise("sigmoid")
    shutil.copytree(src.dir, root / "exercises" / "sigmoid", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "reference").mkdir()
    shutil.copy(src.reference, root / "reference" / "sigmoid.py")
    ex = load_exercise_dir(root / "exercises" / "sigmoid", reference=root / "reference" / "sigmoid.py")
    return root, Grader(ex, limits=SMALL)


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
        assert {t.status for t in report.tests} == {expected}, [t.message for t in report.tests]
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


def test_grading_carries_on_after_every_attack(course, tmp_path):
    _, grader = course
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
