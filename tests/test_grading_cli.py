"""`quizkit grade` the way a user runs it: exit codes, formats, --output, the store, real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.grading.exercises import load_exercise

REDTEAM = Path(__file__).with_name("redteam")
EX = load_exercise("sigmoid")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _grade(*args: str):
    return CliRunner().invoke(cli, ["grade", *args], catch_exceptions=False)


def test_full_marks_exit_0_and_the_attempt_is_recorded(home):
    result = _grade("sigmoid", str(EX.reference), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["exercise"], report["score"], report["max_score"], report["passed"]) == ("sigmoid", 10, 10, True)
    assert all(t["status"] == "passed" for t in report["tests"])
    from quizkit.store import open_store

    with open_store() as st:
        assert st.exercise_status("sigmoid") == "passed"


def test_failures_exit_1_with_a_text_report_for_the_student(home):
    result = _grade("sigmoid", str(EX.starter), "--lang", "en")
    assert result.exit_code == 1
    assert "NotImplementedError" in result.output and "Total: 0/10" in result.output
    assert "Isolation in force:" in result.output and "Traceback" not in result.output
    from quizkit.store import open_store

    with open_store() as st:
        assert st.exercise_status("sigmoid") == "attempted"


def test_usage_errors_exit_2_with_one_line(tmp_path):
    result = _grade("nope", str(EX.reference))
    assert result.exit_code == 2 and "unknown exercise 'nope'" in result.output and "sigmoid" in result.output
    result = _grade("sigmoid", str(tmp_path / "missing.py"))
    assert result.exit_code == 2 and "missing.py: no such file" in result.output
    assert "Traceback" not in result.output


def test_syntax_error_exits_1_naming_file_and_line(tmp_path):
    sub = tmp_path / "broken.py"
    sub.write_text("def sigmoid(x)\n    return x\n")
    result = _grade("sigmoid", str(sub), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["tests"][0]["status"] == "error"  # reported once; the other tests did not run
    assert {t["status"] for t in report["tests"][1:]} == {"not_run"}
    assert report["tests"][0]["message"].startswith("broken.py:1: SyntaxError")


def _unreadable(tmp_path: Path, kind: str, monkeypatch) -> Path:
    sub = tmp_path / f"{kind}.py"
    if kind == "oversized":  # one byte over the limit
        from quizkit.grading.runner import MAX_SOURCE_BYTES

        body = "def sigmoid(x):\n    return x\n"
        sub.write_text(body + "#" * (MAX_SOURCE_BYTES + 1 - len(body)))
        assert sub.stat().st_size == MAX_SOURCE_BYTES + 1
    elif kind == "latin1":
        sub.write_bytes("# caf\xe9\ndef sigmoid(x):\n    return x\n".encode("latin-1"))
    else:  # a permission error, as an ordinary user gets for mode 000 (root reads through it, so it is simulated)
        sub.write_text("def sigmoid(x):\n    return x\n")
        real_open = Path.open

        def refuse(self, *args, **kwargs):
            if self == sub:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    return sub


REASONS = {"oversized": "larger than the 1048576 byte limit", "latin1": "not UTF-8 text (byte 5)",
           "unreadable": "cannot be read (Permission denied)"}


@pytest.mark.parametrize("kind", sorted(REASONS))
@pytest.mark.parametrize("fmt", ["text", "json", "gradescope", "junit"])
def test_a_file_that_cannot_be_graded_gets_a_report_in_every_format(tmp_path, monkeypatch, kind, fmt):
    sub = _unreadable(tmp_path, kind, monkeypatch)
    out = tmp_path / "results.out"
    result = _grade("sigmoid", str(sub), "--format", fmt, "--output", str(out), "--lang", "en")
    assert result.exit_code == 1, result.output
    text = out.read_text(encoding="utf-8")
    reason = REASONS[kind]
    if fmt == "json":
        report = json.loads(text)
        assert len(report["tests"]) == 8 and report["score"] == 0
        first, *rest = report["tests"]  # the reason once, then the tests that did not run
        assert first["status"] == "error" and reason in first["message"]
        assert all(t["status"] == "not_run" and not t["message"] for t in rest)
    elif fmt == "gradescope":
        data = json.loads(text)
        assert data["score"] == 0 and len(data["tests"]) == 8
        assert all(t["status"] == "failed" for t in data["tests"]) and reason in data["tests"][0]["output"]
    elif fmt == "junit":
        suite = ET.fromstring(text).find("testsuite")
        assert suite is not None and int(suite.get("errors", 0)) == 1 and int(suite.get("skipped", 0)) == 7
        assert all(reason in (e.text or "") for e in suite.iter("error"))
    else:
        assert "Total: 0/10" in text and text.count(reason) == 1 and text.count("not run") == 7


def test_gradescope_results_json_written_to_output(tmp_path):
    out = tmp_path / "results.json"
    result = _grade("sigmoid", str(REDTEAM / "honest_tanh.py"), "--format", "gradescope", "--output", str(out))
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    assert data["score"] == 10 and len(data["tests"]) == 8
    assert {t["status"] for t in data["tests"]} == {"passed"}
    assert {"hidden", "visible"} == {t["visibility"] for t in data["tests"]}


def test_junit_xml(tmp_path):
    out = tmp_path / "junit.xml"
    result = _grade("sigmoid", str(EX.mutants[0]), "--format", "junit", "-o", str(out))
    assert result.exit_code == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", 0)) + int(suite.get("errors", 0)) >= 1


def test_a_real_process_survives_a_submission_that_hard_exits(tmp_path, home):
    """Grading as a separate process: the child's exit status, output and files never count."""
    # The static scan would refuse `import os` / `import sys` before the child runs; this is about the child.
    env = {**os.environ, "QUIZKIT_HOME": str(home), "QUIZKIT_SANDBOX_DISABLE": "scan"}
    for name in ("os_exit_in_function.py", "exit_at_import.py"):
        proc = subprocess.run(
            [sys.executable, "-m", "quizkit", "grade", "sigmoid", str(REDTEAM / name), "--format", "json"],
            check=False, capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
        )
        assert proc.returncode == 1, proc.stderr
        report = json.loads(proc.stdout)
        assert report["score"] == 0 and report["tests"][0]["status"] == "error"
        assert proc.stderr == ""
