"""Hidden tests stay hidden wherever a student can read them: text, JSON, JUnit, Gradescope and quizkit.db."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.grading.exercises import load_exercise

SIGMOID = load_exercise("sigmoid")
HIDDEN = "test_grad_large_inputs"  # @hidden in exercises/sigmoid/test_sigmoid.py


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def grade(*args: str) -> str:
    result = CliRunner().invoke(cli, ["grade", "sigmoid", str(SIGMOID.starter), "--lang", "en", *args])
    assert result.exit_code == 1, result.output
    return result.output


def test_json_shows_a_hidden_test_by_name_and_outcome_only(home):
    tests = {t["name"]: t for t in json.loads(grade("--format", "json"))["tests"]}
    assert tests[HIDDEN]["status"] == "failed" and tests[HIDDEN]["visibility"] == "hidden"
    assert tests[HIDDEN]["message"] == ""
    visible = [t for t in tests.values() if t["visibility"] == "visible"]
    assert visible and all("NotImplementedError" in t["message"] for t in visible)


def test_reveal_hidden_shows_everything_positive_control(home):
    tests = {t["name"]: t for t in json.loads(grade("--format", "json", "--reveal-hidden"))["tests"]}
    assert "sigmoid_grad(" in tests[HIDDEN]["message"]


def test_junit_text_and_gradescope_hide_the_message(home):
    hidden_message = {t["name"]: t for t in json.loads(grade("--format", "json", "--reveal-hidden"))["tests"]}[
        HIDDEN]["message"]
    junit = ET.fromstring(grade("--format", "junit"))
    case = next(c for c in junit.iter("testcase") if c.get("name") == HIDDEN)
    assert hidden_message not in ET.tostring(case, encoding="unicode")
    text = grade()
    assert HIDDEN in text and hidden_message.splitlines()[0] not in text
    scope = {t["name"]: t for t in json.loads(grade("--format", "gradescope"))["tests"]}
    assert scope[HIDDEN]["visibility"] == "hidden" and scope[HIDDEN]["output"] == ""


def test_the_progress_database_keeps_no_hidden_message(home):
    grade()
    db = next(Path(home).rglob("*.db"))
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT report_json FROM exercise_attempts").fetchone()
    tests = {t["name"]: t for t in json.loads(stored)["tests"]}
    assert tests[HIDDEN]["message"] == "" and tests[HIDDEN]["status"] == "failed"


def test_no_record_leaves_the_progress_alone(home):
    grade("--no-record")
    assert not list(Path(home).rglob("*.db")) or not sqlite3.connect(next(Path(home).rglob("*.db"))).execute(
        "SELECT COUNT(*) FROM exercise_attempts").fetchone()[0]


def test_gradescope_visibility_comes_from_the_exercise(tmp_path):
    from quizkit.grading.exercises import load_exercise_dir
    from quizkit.grading.report import GradeReport, TestResult

    folder = tmp_path / "sigmoid"
    folder.mkdir()
    for item in SIGMOID.dir.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    (folder / "exercise.yaml").write_text((SIGMOID.dir / "exercise.yaml").read_text(encoding="utf-8")
                                          + "hidden_visibility: after_due_date\n", encoding="utf-8")
    ex = load_exercise_dir(folder, reference=SIGMOID.reference)
    report = GradeReport.from_tests("sigmoid", [TestResult(HIDDEN, "failed", 0, 1, "x", "hidden")], duration_s=0)
    assert report.to_gradescope(ex.hidden_visibility)["tests"][0]["visibility"] == "after_due_date"
