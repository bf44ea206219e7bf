"""The student build: exported the way an instructor exports it, graded the way a student grades with it (as a
course folder and installed with pip), and searched for anything a student must not get."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli as main
from quizkit.grading.exercises import load_exercise
from quizkit.grading.runner import grade
from quizkit.grading.testing import HIDDEN_ATTR
from quizkit.interop.student import strip_hidden

EXERCISES = ("sigmoid", "softmax", "derivations")
MUTANTS = {"sigmoid": "grad_forgets_factor.py", "derivations": None}  # None: the first mutant


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "course"
    result = CliRunner().invoke(main, ["exercise", "export", *EXERCISES, "--format", "student", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "sigmoid: 7 visible tests, 9 points; 1 hidden tests left out" in result.output
    return out


@pytest.fixture
def student(tmp_path, monkeypatch):
    """A student's own copy of a file, outside the build, and a home of their own."""
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))

    def copy(source: Path, name: str) -> Path:
        target = tmp_path / "work" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        return target

    return copy


def _grade_in(course: Path, exercise: str, file: Path, lang: str = "en") -> tuple[int, dict]:
    result = CliRunner(env={"QUIZKIT_CONTENT": str(course)}).invoke(
        main, ["grade", exercise, str(file), "--format", "json", "--no-record", "--lang", lang])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


def _hidden_names(exercise: str) -> list[str]:
    """The hidden tests, as the grader sees them (their @hidden mark), independent of the build's AST pass."""
    path = load_exercise(exercise).test_file
    spec = importlib.util.spec_from_file_location(f"hidden_of_{exercise}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [n for n, fn in vars(module).items() if n.startswith("test") and getattr(fn, HIDDEN_ATTR, False)]


def _reference_lines(exercise: str) -> set[str]:
    """The distinctive lines of the reference's function bodies (not signatures, docstrings or short lines), less
    what the exercise's own hints give away on purpose (`quizkit exercise hint` shows them to every student)."""
    ex = load_exercise(exercise)
    path = ex.reference
    hints = " ".join(h["en"] + " " + h["zh"] for h in ex.hints)
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for stmt in body:
                for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1):
                    text = lines[n - 1].strip()
                    if len(text) >= 12 and not text.startswith("#") and text not in hints:
                        out.add(text)
    return out


def test_the_build_holds_no_reference_code_no_hidden_test_and_no_mutant(build):
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in build.rglob("*") if p.is_file()}
    file_lines = {p: {line.strip() for line in text.splitlines()} for p, text in texts.items()}
    assert not (build / "reference").exists()
    assert not [p for p in build.rglob("*") if p.name in ("mutants", "reference") or "mutants" in p.parts]
    for exercise in EXERCISES:
        assert (build / "exercises" / exercise / "expected.json").is_file()
        distinctive = _reference_lines(exercise)
        assert distinctive, exercise
        leaks = [(line, str(p)) for line in distinctive for p, lines in file_lines.items() if line in lines]
        assert leaks == [], leaks
        hidden = _hidden_names(exercise)
        assert hidden, exercise  # every exercise here has hidden tests: the search below means something
        assert [(n, str(p)) for n in hidden for p, text in texts.items() if n in text] == []
    # the package is quizkit's own source, with what installs it
    for name in ("pyproject.toml", "setup.py", "requirements.lock", "quizkit/cli/__init__.py",
                 "questions/activation.yaml"):
        assert (build / name).is_file(), name


def test_the_reference_passes_every_visible_test_of_the_build(build, student):
    for exercise in EXERCISES:
        mine = student(load_exercise(exercise).reference, f"{exercise}.py")
        code, report = _grade_in(build, exercise, mine)
        assert code == 0, report
        assert report["practice"] is True and report["score"] == report["max_score"]
        assert all(t["visibility"] == "visible" for t in report["tests"])
        assert set(_hidden_names(exercise)).isdisjoint(t["name"] for t in report["tests"])


@pytest.mark.parametrize("exercise", sorted(MUTANTS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_mutant_fails_the_same_visible_tests_with_the_same_messages(build, student, exercise, lang):
    ex = load_exercise(exercise)
    mutant = next(p for p in ex.mutants if MUTANTS[exercise] in (None, p.name))
    instructor = grade(ex, mutant, lang=lang)
    wanted = {t.name: (t.status.value, t.message) for t in instructor.tests if t.visibility == "visible"}
    assert any(status != "passed" for status, _ in wanted.values())
    code, report = _grade_in(build, exercise, student(mutant, f"{exercise}.py"), lang)
    assert code == 1
    assert {t["name"]: (t["status"], t["message"]) for t in report["tests"]} == wanted


def test_the_practice_note_is_in_the_text_report_in_both_languages(build, student):
    mine = student(load_exercise("sigmoid").reference, "sigmoid.py")
    for lang, words in (("en", "Practice build: visible tests only"), ("zh", "练习版：只运行公开测试")):
        result = CliRunner(env={"QUIZKIT_CONTENT": str(build)}).invoke(
            main, ["grade", "sigmoid", str(mine), "--no-record", "--lang", lang])
        assert result.exit_code == 0 and words in result.output, result.output
    solution = CliRunner(env={"QUIZKIT_CONTENT": str(build)}).invoke(
        main, ["exercise", "solution", "sigmoid", "--force"], input="y\n")
    assert solution.exit_code == 1 and "no reference solutions" in solution.output


def test_a_missing_damaged_or_incomplete_recording_fails_the_checks_with_a_message(build, student, tmp_path):
    mine = student(load_exercise("sigmoid").reference, "sigmoid.py")
    cases = {}
    for case in ("missing", "damaged", "incomplete"):
        course = tmp_path / case
        shutil.copytree(build / "exercises", course / "exercises")
        folder = course / "exercises" / "sigmoid"
        if case == "missing":
            (folder / "expected.json").unlink()
        elif case == "damaged":
            doc = json.loads((folder / "expected.json").read_text())
            entry = next(iter(doc["entries"].values()))
            entry["data"] = entry["data"][:-8] + "AAAAAAA="
            (folder / "expected.json").write_text(json.dumps(doc))
        else:  # a test whose inputs were changed asks for an answer that was never recorded
            test = folder / "test_sigmoid.py"
            test.write_text(test.read_text().replace("_grid(F32, -30.0, 30.0, 301)", "_grid(F32, -31.0, 31.0, 301)"))
        code, report = _grade_in(course, "sigmoid", mine)
        cases[case] = {t["name"]: t for t in report["tests"]}
        assert code == 1
    for case, words in (("missing", "recorded answers"), ("damaged", "are damaged"),
                        ("incomplete", "needs the instructor's build")):
        failed = [t for t in cases[case].values() if t["status"] != "passed"]
        assert failed and all(words in t["message"] and "needs the instructor's build" in t["message"]
                              for t in failed), (case, failed)
    # a test that needs no recorded answer still runs; only the changed test misses its answer
    assert cases["missing"]["test_input_is_not_modified"]["status"] == "passed"
    assert [n for n, t in cases["incomplete"].items() if t["status"] != "passed"] == ["test_sigmoid_float32"]


# exercise -> (its @instructor_only helper, a line of that helper's body, a mutant whose mistake it names)
WITHHELD = {"adam": ("_WrongAdam", "self.b1, self.b2 = betas[::-1]", "eps_inside_sqrt.py"),
            "receptive_field": ("_variant", "size = size * span if multiply else", "jump_updated_first.py"),
            "lstm_cell": ("_wrong_step", "g = torch.sigmoid(g) if mistake ==", "no_tanh_on_cell.py")}


@pytest.fixture(scope="module")
def mistakes_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("mistakes") / "course"
    result = CliRunner().invoke(main, ["exercise", "export", *WITHHELD, "--format", "student", "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("exercise", sorted(WITHHELD))
def test_helpers_that_model_mistakes_stay_out_and_the_mistake_still_fails(mistakes_build, student, exercise):
    """A model of the usual mistakes is mostly the right algorithm: the build withholds it. The mistake still fails
    the same visible tests there, only without its cause named (the instructor's build names it: the control)."""
    helper, body, mutant_name = WITHHELD[exercise]
    ex = load_exercise(exercise)
    assert body in ex.test_file.read_text(encoding="utf-8")
    shipped = (mistakes_build / "exercises" / exercise / ex.test_file.name).read_text(encoding="utf-8")
    assert body not in shipped and f"{helper} = withheld({helper!r})" in shipped
    mutant = next(p for p in ex.mutants if p.name == mutant_name)
    instructor = grade(ex, mutant, lang="en")
    failed = {t.name: t.message for t in instructor.tests if t.visibility == "visible" and t.status.value != "passed"}
    assert failed
    code, report = _grade_in(mistakes_build, exercise, student(mutant, f"{exercise}.py"))
    assert code == 1
    practice = {t["name"]: t["message"] for t in report["tests"] if t["status"] != "passed"}
    assert set(practice) == set(failed)
    named = [n for n in failed if failed[n] != practice[n]]
    assert named, "the instructor's build names a cause the practice build cannot"
    for name in named:
        assert "instructor's build" not in practice[name], practice[name]


def test_hidden_tests_are_removed_whatever_name_the_decorator_has():
    source = (
        "import quizkit.grading.testing as qt\n"
        "from quizkit.grading.testing import hidden as secret, points\n\n\n"
        "def test_kept():\n    pass\n\n\n"
        "# about the next one\n@points(1)\n@secret\ndef test_alias():\n    pass\n\n\n"
        "@qt.hidden\ndef test_module():\n    pass\n\n\n"
        "class TestGroup:\n    @secret\n    def test_method(self):\n        pass\n\n    def test_open(self):\n"
        "        pass\n")
    kept, removed = strip_hidden(source, "t.py")
    assert sorted(removed) == ["test_alias", "test_method", "test_module"]
    assert "test_kept" in kept and "test_open" in kept and "about the next one" not in kept
    assert "test_alias" not in kept and "@points(1)" not in kept
    ast.parse(kept)


def test_export_refuses_an_exercise_whose_tests_still_ask_for_the_reference(tmp_path, monkeypatch):
    course = tmp_path / "course"
    shutil.copytree(load_exercise("sigmoid").dir, course / "exercises" / "sigmoid",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(load_exercise("sigmoid").reference.parent, course / "reference")
    test = course / "exercises" / "sigmoid" / "test_sigmoid.py"
    test.write_text(test.read_text().replace("def test_sigmoid_float32(submission):",
                                             "def test_sigmoid_float32(submission, reference):"))
    monkeypatch.setenv("QUIZKIT_CONTENT", str(course))
    result = CliRunner().invoke(main, ["exercise", "export", "sigmoid", "--format", "student", "--output",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1 and "test_sigmoid.py:57: test_sigmoid_float32(reference)" in result.output
    assert "expected()" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_folder_that_is_not_a_student_build(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["exercise", "export", "sigmoid", "--format", "student", "--output",
                                       str(tmp_path / "mine")])
    assert result.exit_code == 2 and "not empty" in result.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_pip_install_of_the_build_grades_with_the_installed_quizkit(build, tmp_path):
    """A fresh venv (no system site-packages) that borrows the locked dependencies of this checkout's venv
    through a .pth; quizkit itself is installed from the build, and finds the build's exercises inside."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "locked-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("QUIZKIT_CONTENT", "PYTHONPATH")}
    env.update(QUIZKIT_HOME=str(tmp_path / "home"), PIP_NO_INDEX="1")
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           str(build)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import quizkit, quizkit.paths as p; print(quizkit.__file__); "
                            "print(p.exercises_dir()); print(p.reference_dir().exists())"],
                           cwd=elsewhere, capture_output=True, text=True, env=env, check=True).stdout.split("\n")
    assert where[0].startswith(site) and where[1].startswith(site) and where[2] == "False", where
    mine = elsewhere / "sigmoid.py"
    shutil.copy(load_exercise("sigmoid").reference, mine)
    graded = subprocess.run([str(venv / "bin" / "quizkit"), "grade", "sigmoid", str(mine), "--format", "json",
                             "--no-record"], cwd=elsewhere, capture_output=True, text=True, env=env, timeout=300)
    assert graded.returncode == 0, graded.stderr[-2000:]
    report = json.loads(graded.stdout)
    assert report["practice"] is True and report["score"] == report["max_score"] == 9
    listed = subprocess.run([str(venv / "bin" / "quizkit"), "exercise", "list", "--lang", "en"], cwd=elsewhere,
                            capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0 and "softmax" in listed.stdout and "adam" not in listed.stdout
