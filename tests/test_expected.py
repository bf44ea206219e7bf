"""expected(): the reference's answers, keyed by their inputs, computed once per process, cached on disk as JSON,
replayed from a recording; and the guard that keeps every exercise test on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quizkit.grading import expected as ex_mod
from quizkit.grading.exercises import load_exercise_dir
from quizkit.grading.runner import Grader
from quizkit.grading.sandbox.limits import Limits
from quizkit.interop.student import reference_uses
from quizkit.paths import exercises_dir

ROOT = Path(__file__).resolve().parent.parent

REFERENCE = '''
import torch

CALLS = []


def double(x):
    CALLS.append("double")
    return x * 2


def pair(n, scale):
    CALLS.append("pair")
    return {"n": n * scale, "t": torch.arange(n, dtype=torch.float64) * scale}
'''

PROBES = '''
def run(module, x, times):
    for _ in range(times):
        x = module.double(x)
    return x
'''

TEST = '''
import importlib.util
from pathlib import Path

import torch

from quizkit.grading.testing import assert_close, check, expected, points

_spec = importlib.util.spec_from_file_location("random_name_%d" % id(object()), Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)


@points(1)
def test_double(submission):
    x = torch.linspace(-1, 1, 5, dtype=torch.float64)
    want = expected("double", x)
    assert_close(submission.double(x), want, rtol=0, atol=0, call="double(x)")
    want.add_(100.0)  # a test that changes its answer must not change the next student's


@points(1)
def test_probe_and_data(submission):
    x = torch.ones(3, dtype=torch.float64)
    assert_close(submission.probe("run", x, 3), expected(probes.run, x, 3), rtol=0, atol=0, call="run(x, 3)")
    got = expected("pair", 4, scale=0.5)
    check(got["n"] == 2.0 and got["t"].tolist() == [0.0, 0.5, 1.0, 1.5], call="pair", got=repr(got),
          expected="the reference's data")
'''

GOOD = '''
def double(x):
    return x + x
'''


def _course(root: Path, reference: str = REFERENCE) -> Path:
    folder = root / "exercises" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exercise.yaml").write_text("id: demo\ntitle: {zh: 演示, en: Demo}\ntopic: ml-basics\npoints: 2\n")
    (folder / "test_demo.py").write_text(TEST)
    (folder / "probes.py").write_text(PROBES)
    (root / "reference").mkdir(exist_ok=True)
    (root / "reference" / "demo.py").write_text(reference)
    (root / "good.py").write_text(GOOD)
    return folder


def _grader(root: Path) -> Grader:
    ex = load_exercise_dir(root / "exercises" / "demo", reference=root / "reference" / "demo.py")
    return Grader(ex, limits=Limits(call_seconds=20, total_seconds=60))


def _calls(root: Path) -> list[str]:
    return ex_mod.load_reference(root / "reference" / "demo.py").CALLS


def _new_process() -> None:
    """What a fresh process starts with: no memo, no reference imported (the disk cache stays)."""
    ex_mod._forget()


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    _new_process()
    _course(tmp_path)
    yield tmp_path
    _new_process()


def test_each_answer_is_computed_once_per_process_and_each_call_gets_a_fresh_copy(course):
    grader = _grader(course)
    for _ in range(3):  # three students in one warm grader
        report = grader.grade(course / "good.py")
        assert report.score == 2, [t.message for t in report.tests]
    # double once for the first test, three times inside the probe, pair once: never again for students 2 and 3
    assert sorted(_calls(course)) == ["double"] * 4 + ["pair"]
    assert not report.practice


def test_the_disk_cache_spares_a_new_process_the_reference_and_holds_no_pickle(course):
    _grader(course).grade(course / "good.py")
    files = list((course / "home" / "cache" / "expected").glob("demo-*.json"))
    assert len(files) == 1
    doc = json.loads(files[0].read_text())
    assert doc["quizkit"] == "expected" and len(doc["entries"]) == 3
    assert b"\x80" not in files[0].read_bytes()  # JSON text, no pickle protocol bytes
    _new_process()
    report = _grader(course).grade(course / "good.py")
    assert report.score == 2 and _calls(course) == []  # answered from the disk cache


def test_a_changed_reference_or_a_corrupt_cache_is_recomputed_and_rewritten(course):
    _grader(course).grade(course / "good.py")
    cache = next((course / "home" / "cache" / "expected").glob("demo-*.json"))
    # a different reference (triple, not double): the old answers must not be used
    _course(course, REFERENCE.replace("return x * 2", "return x * 3"))
    _new_process()
    report = _grader(course).grade(course / "good.py")
    assert report.score == 0 and "double" in _calls(course)
    _course(course)  # back to the true reference, and the cache file broken
    cache.write_text('{"quizkit": "expected", "format": 1, "entr')
    _new_process()
    assert _grader(course).grade(course / "good.py").score == 2
    assert "double" in _calls(course)
    assert len(json.loads(cache.read_text())["entries"]) == 3  # rewritten
    # a cache whose answer was changed behind its checksum is ignored, too
    doc = json.loads(cache.read_text())
    key = next(iter(doc["entries"]))
    doc["entries"][key]["value"] = 12345
    cache.write_text(json.dumps(doc))
    _new_process()
    assert _grader(course).grade(course / "good.py").score == 2 and _calls(course)


def test_inputs_key_the_answer_and_targets_are_named_the_same_in_every_process(tmp_path):
    import torch

    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    key = ex_mod.answer_key("demo", "reference.double", (x,), {})[0]
    assert key == ex_mod.answer_key("demo", "reference.double", (x.clone(),), {})[0]
    for other in [(x.to(torch.float32),), (x.reshape(2, 1),), (torch.tensor([1.0, 2.0000001], dtype=torch.float64),)]:
        assert ex_mod.answer_key("demo", "reference.double", other, {})[0] != key
    assert ex_mod.answer_key("other", "reference.double", (x,), {})[0] != key
    assert ex_mod.answer_key("demo", "reference.double", (x,), {"b": 1, "a": 2})[0] == \
        ex_mod.answer_key("demo", "reference.double", (x,), {"a": 2, "b": 1})[0]
    (tmp_path / "probes.py").write_text(PROBES)
    code = ("import importlib.util, sys\n"
            f"s = importlib.util.spec_from_file_location(sys.argv[1], {str(tmp_path / 'probes.py')!r})\n"
            "m = importlib.util.module_from_spec(s); s.loader.exec_module(m)\n"
            "from quizkit.grading.expected import target_name; print(target_name(m.run))\n")
    names = {subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True,
                            check=True).stdout for name in ("one_name", "another_name")}
    assert names == {"probes.py:run\n"}


def test_inputs_and_targets_that_cannot_be_recognised_again_are_refused():
    import torch

    with pytest.raises(TypeError, match="Seeded"):
        ex_mod.answer_key("demo", "x", ([torch.Generator().manual_seed(1)],), {})
    with pytest.raises(TypeError, match="module-level function"):
        ex_mod.target_name(lambda module: 1)
    with pytest.raises(RuntimeError, match="grading session"):
        ex_mod.expected("double", 1)


def test_two_graders_of_different_exercises_do_not_share_answers(course, tmp_path):
    other = tmp_path / "other"
    _course(other, REFERENCE.replace("return x * 2", "return x * 3"))
    first, second = _grader(course), _grader(other)
    assert first.grade(course / "good.py").score == 2
    assert second.grade(course / "good.py").score == 0  # its reference triples: a doubling file fails
    assert first.grade(course / "good.py").score == 2


# -- the guard: no exercise test touches the reference except through expected() ----------------------------
PENDING: dict[str, str] = {}  # exercise -> why it still uses the fixture (a strict xfail)


def _exercise_params():
    for folder in sorted(p for p in exercises_dir().iterdir() if (p / "exercise.yaml").is_file()):
        marks = [pytest.mark.xfail(strict=True, reason=PENDING[folder.name])] if folder.name in PENDING else []
        yield pytest.param(folder.name, marks=marks, id=folder.name)


@pytest.mark.parametrize("exercise", list(_exercise_params()))
def test_no_exercise_test_uses_the_reference_fixture(exercise):
    path = exercises_dir() / exercise / f"test_{exercise}.py"
    assert reference_uses(path.read_text(encoding="utf-8"), str(path)) == []


def test_the_guard_finds_a_planted_use():
    clean = (exercises_dir() / "sigmoid" / "test_sigmoid.py").read_text(encoding="utf-8")
    assert reference_uses(clean, "test_sigmoid.py") == []
    planted = clean.replace("def test_sigmoid_float32(submission):", "def test_sigmoid_float32(submission, reference):")
    assert planted != clean
    assert reference_uses(planted, "test_sigmoid.py") == ["test_sigmoid.py:57: test_sigmoid_float32(reference)"]
    fixture = clean + "\n\n@pytest.fixture\ndef ref(reference):\n    return reference\n"
    assert len(reference_uses(fixture, "t.py")) == 1
    dynamic = clean + "\n\ndef test_x(request):\n    request.getfixturevalue('reference')\n"
    assert len(reference_uses(dynamic, "t.py")) == 1


def test_a_forked_process_keeps_no_answer_of_the_supervisor(course):
    """A zygote forked after answers were computed (a restart, another layer set) must not carry them to the
    child; the at-fork hook empties the memo and zeroes the bytes."""
    import os

    _grader(course).grade(course / "good.py")
    store = next(iter(ex_mod._memo.values()))
    blob = next(b for _, b in store.values() if len(b))
    assert any(blob)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, f"{len(ex_mod._memo)} {len(ex_mod._references)} {any(blob)}".encode())
        os._exit(0)
    os.close(write)
    seen = os.read(read, 100).decode()
    os.waitpid(pid, 0)
    assert seen == "0 0 False" and any(blob)  # the parent keeps its own


SNOOP = '''
def double(x):
    try:
        with open("__CACHE__") as fh:
            fh.read(1)
    except OSError:
        return x + x
    return x * 0  # it could read the answers: say so by failing
'''


def test_the_child_cannot_read_the_answer_cache(course):
    ex = load_exercise_dir(course / "exercises" / "demo", reference=course / "reference" / "demo.py")
    limits = Limits(call_seconds=20, total_seconds=60)
    full = Grader(ex, limits=limits, disable=("scan",))  # every file-system layer on (the scan would refuse open)
    assert full.grade(course / "good.py").score == 2
    cache = ex_mod.cache_file(ex)
    assert cache.is_file()
    (course / "snoop.py").write_text(SNOOP.replace("__CACHE__", str(cache)))
    assert full.grade(course / "snoop.py").score == 2
    # positive control: with the file-system layers off, the same file reads the cache and fails
    open_fs = Grader(ex, limits=limits, disable=("scan", "mount", "landlock", "uid"))
    assert open_fs.grade(course / "snoop.py").score < 2
