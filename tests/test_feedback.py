"""Grading feedback: progress on a terminal, a file that cannot be loaded reported once, and the course's own
check that every mutant's failing message names the mistake the mutant declares."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.errors import QuizkitError
from quizkit.grading.mutants import names_mistake, read_mutant

ROOT = Path(__file__).resolve().parents[1]
QUIZKIT = [sys.executable, "-m", "quizkit"]

SIGMOID_OK = (ROOT / "reference" / "sigmoid.py").read_text(encoding="utf-8")
# sigmoid is right; sigmoid_grad is slow, so grading is still running while the first tests are reported
SLOW_GRAD = SIGMOID_OK.replace("def sigmoid_grad(x: Tensor) -> Tensor:\n",
                               "def sigmoid_grad(x: Tensor) -> Tensor:\n    acc = 0.0\n"
                               "    for i in range(3_000_000):  # slow without time.sleep (time is not allowed)\n"
                               "        acc += i\n")


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "QUIZKIT_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8", "COLUMNS": "120"}


def _on_pty(args: list[str], env: dict[str, str], until: str) -> tuple[str, bool, str]:
    """Run a command with a terminal as standard output; return the output seen when `until` first appeared,
    whether the command was still running then, and the whole output."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env,
                            cwd=ROOT)
    os.close(follower)
    seen, early, running = b"", None, False
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command has exited
            break
        if not chunk:
            break
        seen += chunk
        if early is None and until.encode() in seen:
            early, running = seen.decode("utf-8", "replace"), proc.poll() is None
    proc.wait(timeout=60)
    os.close(leader)
    clean = seen.decode("utf-8", "replace").replace("\r\n", "\n")
    return (early or "").replace("\r\n", "\n"), running, clean


def _no_duration(text: str) -> str:
    return re.sub(r"\(\d+\.\d+ s\)", "(t s)", text)


def test_a_terminal_sees_each_test_as_it_finishes_and_the_same_report(tmp_path: Path) -> None:
    sub = tmp_path / "sigmoid.py"
    sub.write_text(SLOW_GRAD, encoding="utf-8")
    args = [*QUIZKIT, "grade", "sigmoid", str(sub), "--no-record", "--lang", "en"]
    early, running, whole = _on_pty(args, _env(tmp_path), "test_sigmoid_matches_reference_float64")
    assert early.startswith("Exercise: sigmoid    File: ")
    assert running, "the first test's line must be on the terminal while later tests are still running"
    assert "Total:" not in early
    piped = subprocess.run(args, capture_output=True, text=True, env=_env(tmp_path), cwd=ROOT, timeout=120)
    assert piped.returncode == 0, piped.stdout  # slow, but well within the exercise's time budget
    assert _no_duration(whole) == _no_duration(piped.stdout)


def test_syntax_error_is_reported_once_with_a_caret_and_the_rest_not_run(tmp_path: Path) -> None:
    source = (ROOT / "reference" / "vgg11.py").read_text(encoding="utf-8")
    assert "def forward(self, x):" in source
    sub = tmp_path / "vgg11.py"
    sub.write_text(source.replace("def forward(self, x):", "def forward(self x):"), encoding="utf-8")
    line = next(i for i, t in enumerate(sub.read_text().splitlines(), 1) if "def forward(self x)" in t)
    result = CliRunner().invoke(cli, ["grade", "vgg11", str(sub), "--no-record", "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert result.output.count("SyntaxError") == 1
    lines = result.output.splitlines()
    at = next(i for i, t in enumerate(lines) if f"vgg11.py:{line}: SyntaxError" in t)
    assert lines[at + 1].strip() == "def forward(self x):"
    caret = lines[at + 2]
    assert caret.strip() == "^" and lines[at + 1][caret.index("^")] == "x"
    not_run = [t for t in lines if t.startswith("· ")]
    assert len(not_run) == 10 and all("not run" in t for t in not_run)
    js = CliRunner().invoke(cli, ["grade", "vgg11", str(sub), "--no-record", "--format", "json"])
    import json

    statuses = [t["status"] for t in json.loads(js.output)["tests"]]
    assert statuses[0] == "error" and set(statuses[1:]) == {"not_run"}


def test_import_error_is_reported_once_with_its_line(tmp_path: Path) -> None:
    sub = tmp_path / "sigmoid.py"
    sub.write_text("import torch\n\nscale = undefined_name * 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["grade", "sigmoid", str(sub), "--no-record", "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.count("NameError") == 1
    lines = result.output.splitlines()
    at = next(i for i, t in enumerate(lines) if "NameError" in t)
    assert lines[at + 1].strip() == "scale = undefined_name * 2"
    assert set(lines[at + 2].strip()) == {"^"}
    assert sum(t.startswith("! ") for t in lines) == 1  # the one test that reports it
    not_run = [t for t in lines if t.startswith("· ")]
    assert len(not_run) >= 6 and all("not run" in t for t in not_run)


def test_progress_callbacks_match_the_final_report(tmp_path: Path) -> None:
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.runner import Grader

    mutant = ROOT / "exercises" / "sigmoid" / "mutants" / "grad_on_x_not_sigma.py"
    seen: list[str] = []
    names: list[list[str]] = []
    report = Grader(load_exercise("sigmoid")).grade(mutant, on_collect=names.append,
                                                    on_result=lambda t: seen.append(f"{t.name}:{t.status}"))
    assert names == [[t.name for t in report.tests]]
    assert seen == [f"{t.name}:{t.status}" for t in report.tests]
    assert any(not t.passed for t in report.tests) and any(t.passed for t in report.tests)


# -- the expect: block of a mutant ------------------------------------------------------------------------------

def _mutant(tmp_path: Path, doc: str) -> Path:
    p = tmp_path / "m.py"
    p.write_text(f'"""{textwrap.dedent(doc)}"""\nx = 1\n', encoding="utf-8")
    return p


def test_expect_block_is_read(tmp_path: Path) -> None:
    spec = read_mutant(_mutant(tmp_path, """Sums.

    expect:
      en: [sum instead of the mean, "divide by N"]
      zh: 求和而不是平均
    """))
    assert spec.expect == {"en": ("sum instead of the mean", "divide by N"), "zh": ("求和而不是平均",)}


@pytest.mark.parametrize("doc, problem", [
    ("No block here.", "no 'expect:' block"),
    ("Sums.\n\nexpect:\n  en: [a]\n", "non-empty list of zh phrases"),
    ("Sums.\n\nexpect:\n  en: [a]\n  zh: []\n", "non-empty list of zh phrases"),
    ("Sums.\n\nexpect:\n  en: [a\n  zh: [b]\n", "not valid YAML"),
    ("Sums.\n\nexpect:\n  en: [a]\n  zh: [b]\n  fr: [c]\n", "unknown key(s) fr"),
])
def test_a_bad_expect_block_names_file_and_line(tmp_path: Path, doc: str, problem: str) -> None:
    with pytest.raises(QuizkitError) as err:
        read_mutant(_mutant(tmp_path, doc))
    assert str(err.value).startswith(f"{tmp_path / 'm.py'}:") and problem in str(err.value)


def test_phrases_match_ignoring_case_and_spacing() -> None:
    assert names_mistake(["Called f. The usual cause: the SUM\n instead of the mean."], ("sum instead of the mean",))
    assert not names_mistake(["Called f. Expected 1, got 2."], ("sum instead of the mean",))


def test_every_shipped_mutant_declares_its_mistake_in_both_languages() -> None:
    mutants = sorted((ROOT / "exercises").glob("*/mutants/*.py"))
    assert len(mutants) >= 36
    for m in mutants:
        spec = read_mutant(m)
        assert spec.expect["en"] and spec.expect["zh"], m


class _FakeGrader:
    """Grades a mutant by the message written in it: what dev check sees, without running the sandbox."""

    def __init__(self, ex=None, lang: str = "en") -> None:
        self.lang = lang

    def grade(self, path: Path):  # type: ignore[no-untyped-def]
        from quizkit.grading.report import GradeReport, Status, TestResult

        text = path.read_text(encoding="utf-8")
        message = re.search(rf"MESSAGE_{self.lang.upper()} = \"(.*)\"", text)
        hidden = "ONLY_HIDDEN" in text
        tests = [TestResult("test_a", Status.FAILED, 0, 1, message[1] if message else "Called f. Expected 1, got 2.",
                            "hidden" if hidden else "visible")]
        return GradeReport.from_tests("ex", tests, duration_s=0.0)


def _ex_with(tmp_path: Path, mutants: dict[str, str]):  # type: ignore[no-untyped-def]
    import types

    paths = []
    for name, body in mutants.items():
        p = tmp_path / f"{name}.py"
        p.write_text(textwrap.dedent(body), encoding="utf-8")
        paths.append(p)
    return types.SimpleNamespace(id="ex", mutants=tuple(paths))


HEADER = '"""Wrong.\n\nexpect:\n  en: [sum instead of the mean]\n  zh: [求和而不是平均]\n"""\n'


def test_dev_check_fails_a_mutant_whose_messages_do_not_name_its_mistake(tmp_path: Path, monkeypatch) -> None:
    from quizkit.grading import devcheck, runner

    monkeypatch.setattr(runner, "Grader", _FakeGrader)
    ex = _ex_with(tmp_path, {
        "named": HEADER + 'MESSAGE_EN = "Called f. Your loss is the SUM instead of the MEAN."\n',
        "vague": HEADER + 'MESSAGE_EN = "Called f. Expected 1, got 8. Check the formula."\n',
        "hidden_only": HEADER + 'ONLY_HIDDEN = 1\nMESSAGE_EN = "sum instead of the mean"\n',
        "undeclared": '"""Wrong, but says not how."""\n',
    })
    result = devcheck.ExerciseCheck("ex")
    caught, named = devcheck._check_mutants(ex, _FakeGrader(), result)
    assert caught == 4 and named.startswith("1/4 named in en")
    assert "zh not checked (messages are English only)" in named
    problems = "\n".join(result.problems)
    assert "mutant vague.py: no failing visible test names its mistake in en" in problems
    assert "mutant hidden_only.py: no failing visible test names its mistake in en" in problems
    assert "(no visible test failed)" in problems
    assert "undeclared.py:1: the docstring has no 'expect:' block" in problems
    assert "named.py" not in problems


def test_dev_check_checks_zh_once_the_messages_are_chinese(tmp_path: Path, monkeypatch) -> None:
    from quizkit.grading import devcheck, runner

    monkeypatch.setattr(runner, "Grader", _FakeGrader)
    ex = _ex_with(tmp_path, {
        "good": HEADER + 'MESSAGE_EN = "sum instead of the mean"\nMESSAGE_ZH = "你的损失是求和而不是平均。"\n',
        "bad_zh": HEADER + 'MESSAGE_EN = "sum instead of the mean"\nMESSAGE_ZH = "检查公式。"\n',
    })
    result = devcheck.ExerciseCheck("ex")
    _, named = devcheck._check_mutants(ex, _FakeGrader(), result)
    assert named == "2/2 named in en, 1/2 in zh"
    about_mutants = [p for p in result.problems if p.startswith("mutant ")]  # (and: fewer than 3 mutants)
    assert len(about_mutants) == 1 and "bad_zh.py" in about_mutants[0] and "in zh" in about_mutants[0]
