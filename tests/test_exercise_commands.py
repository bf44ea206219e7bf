"""`quizkit exercise`, `grade-batch`, `watch` and `dev check`, run as a student or instructor runs them."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.paths import exercises_dir, reference_dir

REFERENCE = reference_dir() / "sigmoid.py"
STARTER = exercises_dir() / "sigmoid" / "starter.py"
OVERFLOW = exercises_dir() / "sigmoid" / "mutants" / "overflowing_exp_ratio.py"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return tmp_path / "home"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_list_shows_every_exercise_with_status():
    result = run("exercise", "list")
    assert result.exit_code == 0, result.output
    for ex in ("sigmoid", "adam", "backprop", "vgg11", "receptive_field", "derivations"):
        assert ex in result.output
    assert "not started" in result.output


def test_show_in_each_language():
    zh = run("exercise", "show", "sigmoid", "--lang", "zh")
    en = run("exercise", "show", "sigmoid", "--lang", "en")
    assert zh.exit_code == en.exit_code == 0
    assert "sigmoid_grad" in zh.output and "sigmoid_grad" in en.output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.output)
    assert zh.output != en.output


def test_unknown_exercise_is_a_usage_error():
    result = run("exercise", "show", "nope")
    assert result.exit_code == 2
    assert "nope" in result.output and "Traceback" not in result.output


def test_start_copies_the_starter_and_never_overwrites(tmp_path):
    result = run("exercise", "start", "sigmoid", "--dir", str(tmp_path / "ws"))
    target = tmp_path / "ws" / "sigmoid.py"
    assert result.exit_code == 0
    assert target.read_text() == STARTER.read_text()
    assert f"quizkit grade sigmoid {target}" in result.output
    target.write_text("# my work\n")
    again = run("exercise", "start", "sigmoid", "--dir", str(tmp_path / "ws"))
    assert again.exit_code == 1 and "already exists" in again.output
    assert target.read_text() == "# my work\n"


def test_hints_come_one_more_each_time_and_stop_at_the_last():
    from quizkit.grading.exercises import load_exercise

    total = len(load_exercise("sigmoid").hints)
    seen = [run("exercise", "hint", "sigmoid").output for _ in range(total + 1)]
    assert [s.split(":")[0] for s in seen] == [f"Hint {i}/{total}" for i in range(1, total + 1)] + [
        f"Hint {total}/{total}"]


def test_solution_opens_after_passing_or_with_confirmed_force():
    locked = run("exercise", "solution", "sigmoid")
    assert locked.exit_code == 1 and "opens once you pass" in locked.output
    declined = run("exercise", "solution", "sigmoid", "--force", input="n\n")
    assert "def sigmoid" not in declined.output
    forced = run("exercise", "solution", "sigmoid", "--force", input="y\n")
    assert "def sigmoid" in forced.output
    assert run("grade", "sigmoid", str(REFERENCE)).exit_code == 0
    opened = run("exercise", "solution", "sigmoid")
    assert opened.exit_code == 0 and opened.output == REFERENCE.read_text()
    assert "passed" in run("exercise", "list").output


def _class(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    (folder / "carol").mkdir(parents=True)
    (folder / "alice.py").write_text(REFERENCE.read_text())
    (folder / "bob.py").write_text("import os\nos._exit(0)\n")  # crashes at import
    (folder / "dave.py").write_text(OVERFLOW.read_text())
    (folder / "carol" / "sigmoid.py").write_text(REFERENCE.read_text())
    (folder / "notes.txt").write_text("not a submission")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_grade_batch_grades_everyone_and_survives_a_crash(tmp_path, jobs):
    folder = _class(tmp_path)
    out = tmp_path / "results.csv"
    result = run("grade-batch", "sigmoid", str(folder), "--output", str(out), "--jobs", jobs)
    assert result.exit_code == 0, result.output
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert rows["alice"]["passed"] == "1" and rows["carol"]["score"] == "10"
    assert rows["bob"]["passed"] == "0" and float(rows["bob"]["score"]) == 0
    assert rows["dave"]["passed"] == "0" and 0 < float(rows["dave"]["score"]) < 10
    assert "4 students graded, 2 passed" in result.output


def test_grade_batch_resume_skips_graded_students(tmp_path):
    folder = _class(tmp_path)
    out = tmp_path / "results.json"
    first = run("grade-batch", "sigmoid", str(folder), "--output", str(out))
    assert first.exit_code == 0, first.output
    data = json.loads(out.read_text())
    assert len(data["students"]) == 4
    (folder / "erin.py").write_text(REFERENCE.read_text())
    again = run("grade-batch", "sigmoid", str(folder), "--output", str(out), "--resume")
    assert "4 already graded, 1 to go" in again.output
    assert [r["student"] for r in json.loads(out.read_text())["students"]][-1] == "erin"
    assert len(json.loads(out.read_text())["students"]) == 5


def test_grade_batch_usage_errors(tmp_path):
    assert run("grade-batch", "sigmoid", str(tmp_path / "none")).exit_code == 2
    (tmp_path / "empty").mkdir()
    assert run("grade-batch", "sigmoid", str(tmp_path / "empty")).exit_code == 2
    assert run("grade-batch", "sigmoid", str(_class(tmp_path)), "--output", str(tmp_path / "r.txt")).exit_code == 2


@pytest.mark.parametrize("mode", [[], ["--poll"]])
def test_watch_regrades_on_save(tmp_path, home, mode):
    sub = tmp_path / "sigmoid.py"
    sub.write_text(STARTER.read_text())
    env = dict(os.environ, QUIZKIT_HOME=str(home), NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "quizkit", "watch", "sigmoid", str(sub), "--runs", "2", *mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        header = proc.stdout.readline()
        assert ("polling" if mode else "inotify") in header
        first = proc.stdout.readline()
        assert "0/10" in first and "NotImplementedError" in first
        time.sleep(0.2)
        sub.write_text(REFERENCE.read_text())
        second = proc.stdout.readline()
        assert "10/10" in second and "all 8 tests passed" in second
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()


def test_dev_check_passes_on_sigmoid():
    result = run("dev", "check", "sigmoid")
    assert result.exit_code == 0, result.output
    assert "ok   sigmoid: reference 10/10; starter 0/10;" in result.output


def test_dev_check_fails_when_a_mutant_passes(tmp_path, monkeypatch):
    """A copy of the course where a 'mutant' is really the reference: dev check must say so."""
    import shutil

    from quizkit.paths import content_root

    course = tmp_path / "course"
    for name in ("questions", "reference"):
        shutil.copytree(content_root() / name, course / name)
    shutil.copytree(content_root() / "exercises" / "sigmoid", course / "exercises" / "sigmoid")
    shutil.copy(REFERENCE, course / "exercises" / "sigmoid" / "mutants" / "actually_right.py")
    monkeypatch.setenv("QUIZKIT_CONTENT", str(course))
    result = run("dev", "check", "sigmoid")
    assert result.exit_code == 1
    assert "mutant actually_right.py passes every test" in result.output
