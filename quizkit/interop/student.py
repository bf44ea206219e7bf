"""A student build: a folder students practise with, holding nothing they must not see.

    quizkit exercise export [EX...] --format student --output DIR

DIR holds quizkit's source (with pyproject.toml, setup.py and requirements.lock, so `pip install DIR` works), the
question banks, and per exercise its statement, starter, probes, its test file with the hidden tests removed (and
its @instructor_only helpers withheld), and expected.json: the reference's answers to the visible tests, recorded by grading the reference with those tests in
the sandbox. There is no reference/, no mutants/, no hidden test and no answer of a hidden test. It runs as a
course folder (QUIZKIT_CONTENT=DIR quizkit grade ...) or installed (setup.py copies the banks and exercises into
the package, where quizkit finds them); either way expected() replays the recording, and every report says it is
a practice build. Grading for credit stays with the instructor's build.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizkit.errors import QuizkitError, UsageError
from quizkit.render.i18n import t

MARKER = "quizkit-student-build.json"  # names a folder as a student build (and lets a new export replace it)
EXERCISE_FILES = ("exercise.yaml", "README.md", "starter.py", "probes.py")
PROJECT_FILES = ("pyproject.toml", "setup.py", "requirements.lock")
TESTING = "quizkit.grading.testing"

STUDENT_README = """\
# quizkit: practice build / 练习版

Exercises: {exercises}

This folder is a **practice build** of the course: the statements, the starters and the *visible* tests, with the
reference's answers to those tests recorded in `exercises/<id>/expected.json`. The reference solutions and the
hidden tests are not here, so the score you get is not your grade.

这是课程的**练习版**：包含题目说明、起始代码和*公开*测试，公开测试的参考结果记录在
`exercises/<id>/expected.json` 中。参考答案和隐藏测试不在这里，所以这里的分数不是你的成绩。

Install it (or use the folder directly) / 安装（或直接使用这个文件夹）:

    python -m venv .venv && . .venv/bin/activate
    pip install --no-deps -r requirements.lock && pip install --no-deps .
    quizkit exercise start sigmoid        # writes sigmoid.py
    quizkit grade sigmoid sigmoid.py

    # without installing: QUIZKIT_CONTENT=/path/to/this/folder quizkit grade sigmoid sigmoid.py
"""


@dataclass
class Built:
    """What went into the build, per exercise: the visible tests and the hidden ones left out."""

    output: Path
    visible: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)


def build(exercise_ids: list[str] | tuple[str, ...], output: Path, *, project: Path | None = None,
          on_exercise: Callable[[str], None] | None = None) -> Built:
    """Write the student build of `exercise_ids` (all exercises when empty) to `output`, a new or empty folder
    (or an earlier student build, which is replaced)."""
    from quizkit.grading.exercises import known_ids, load_exercise

    root = project or Path(__file__).resolve().parent.parent.parent
    missing = [name for name in PROJECT_FILES if not (root / name).is_file()]
    if missing or not (root / "quizkit" / "__init__.py").is_file():
        raise QuizkitError(t("student.not_checkout", root=root, missing=", ".join(missing) or "quizkit/"))
    exercises = [load_exercise(i) for i in (exercise_ids or known_ids())]
    if not exercises:
        raise UsageError(t("student.no_exercises"))
    output = Path(output)
    _check_output(output)
    work = output.with_name(f".{output.name}.building")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        built = Built(output)
        _copy_project(root, work)
        for ex in exercises:
            if on_exercise is not None:
                on_exercise(ex.id)
            _export_exercise(ex, work / "exercises" / ex.id, built)
        _write_text(work / "README.md", STUDENT_README.format(exercises=", ".join(e.id for e in exercises)))
        _write_text(work / MARKER, json.dumps({"quizkit": "student-build", "exercises": built.visible},
                                              ensure_ascii=False, indent=2) + "\n")
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return built


def _check_output(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise UsageError(t("student.not_folder", output=output))
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UsageError(t("student.not_empty", output=output))


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _copy_project(root: Path, work: Path) -> None:
    """quizkit's package source and what installs it, and the question banks students quiz on."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "data", "*.egg-info")
    shutil.copytree(root / "quizkit", work / "quizkit", ignore=skip)
    for name in PROJECT_FILES:
        shutil.copy2(root / name, work / name)
    if (root / "questions").is_dir():
        shutil.copytree(root / "questions", work / "questions", ignore=shutil.ignore_patterns("__pycache__"))


def _export_exercise(ex: Any, folder: Path, built: Built) -> None:
    """The exercise's public files, its visible tests, and their recorded answers."""
    folder.mkdir(parents=True)
    for name in EXERCISE_FILES:
        if (Path(ex.dir) / name).is_file():
            shutil.copy2(Path(ex.dir) / name, folder / name)
    test = Path(ex.test_file)
    original = test.read_text(encoding="utf-8")
    uses = reference_uses(original, str(test))
    if uses:
        raise QuizkitError(t("student.uses_reference", where=uses[0]))
    source, removed = strip_hidden(original, str(test))
    (folder / test.name).write_text(source, encoding="utf-8")
    visible, points = record(ex, folder)
    built.visible[ex.id], built.removed[ex.id], built.points[ex.id] = visible, removed, points
    _set_points(folder / "exercise.yaml", points)


def record(ex: Any, folder: Path) -> tuple[list[str], float]:
    """Grade the reference with the build's tests (the instructor's reference stays where it is) and write the
    answers expected() handed out to folder/expected.json. Every test must pass, and none may be hidden."""
    from quizkit.grading import expected
    from quizkit.grading.exercises import load_exercise_dir
    from quizkit.grading.report import fmt_score
    from quizkit.grading.runner import Grader

    exported = load_exercise_dir(folder, reference=Path(ex.reference))
    grader = Grader(exported, lang="en")
    report = grader.grade(ex.reference, display_name=f"{ex.id}.py")
    left = [r.name for r in report.tests if r.visibility == "hidden"]
    if left:
        raise QuizkitError(t("student.hidden_left", file=ex.test_file, tests=", ".join(left)))
    if not report.passed:
        failed = "; ".join(f"{r.name}: {r.message.splitlines()[0] if r.message else r.status}"
                           for r in report.failing)
        raise QuizkitError(t("student.reference_fails", file=ex.reference, score=fmt_score(report.score),
                             total=fmt_score(report.max_score), failed=failed))
    answers = grader.last_answers
    expected.write_entries(folder / expected.RECORDING, answers.used, exercise=ex.id)
    try:  # the answers were cached for this temporary copy of the tests: that copy is gone after the build
        expected.cache_file(exported).unlink(missing_ok=True)
    except OSError:
        pass
    return [r.name for r in report.tests], report.max_score


_POINTS = re.compile(r"^points:[ \t]*\d+[ \t]*(#.*)?$", re.M)


def _set_points(meta: Path, points: float) -> None:
    """exercise.yaml's points are the visible tests' total in the build (the rest of the file as written)."""
    text = meta.read_text(encoding="utf-8")
    if float(points).is_integer() and _POINTS.search(text):
        meta.write_text(_POINTS.sub(f"points: {int(points)}  # the visible tests of the student build", text,
                                    count=1), encoding="utf-8")


def reference_uses(source: str, filename: str) -> list[str]:
    """Where a test file asks pytest for the `reference` fixture: a test or fixture parameter, a
    getfixturevalue("reference") or a usefixtures("reference")."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            is_fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
            params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
            if (node.name.startswith("test") or is_fixture) and "reference" in params:
                found.append(f"{filename}:{node.lineno}: {node.name}(reference)")
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Constant) and a.value == "reference"
                                              for a in node.args):
            name = ast.unparse(node.func)
            if name.endswith(("getfixturevalue", "usefixtures")):
                found.append(f"{filename}:{node.lineno}: {name}('reference')")
    return found


# -- hidden tests out ------------------------------------------------------------------------------------------
def strip_hidden(source: str, filename: str) -> tuple[str, list[str]]:
    """The test file without the functions decorated with testing.hidden (@hidden, @testing.hidden, an alias,
    hidden inside a decorator call), their decorators and the comment lines just above them; a function or class
    decorated with testing.instructor_only becomes `name = withheld("name")`. The rest of the file is kept as
    written. Returns the source and the names of the hidden tests removed."""
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as err:
        raise QuizkitError(t("student.no_parse", where=f"{filename}:{err.lineno}", error=err.msg)) from None
    hidden, modules = _local_names(tree, "hidden")
    withheld, _ = _local_names(tree, "instructor_only")
    lines = source.splitlines(keepends=True)
    drop: set[int] = set()
    stubs: dict[int, str] = {}  # first line of a withheld definition -> what stands there instead
    removed: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        is_hidden = not isinstance(node, ast.ClassDef) and any(
            _marked(d, hidden, modules, "hidden") for d in node.decorator_list)
        is_withheld = node in tree.body and any(
            _marked(d, withheld, modules, "instructor_only") for d in node.decorator_list)
        if not (is_hidden or is_withheld):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        drop.update(range(first, node.end_lineno or node.lineno))
        if is_withheld:
            stubs[first] = (f"from {TESTING} import withheld  # noqa: E402 - the student build left it out\n"
                            f"{node.name} = withheld({node.name!r})\n")
        else:
            removed.append(node.name)
    kept = "".join(stubs.get(i, "") if i in drop else line for i, line in enumerate(lines))
    kept = re.sub(r"\n{4,}", "\n\n\n", kept).rstrip() + "\n"
    ast.parse(kept, filename)  # still Python
    return kept, removed


def _local_names(tree: ast.AST, name: str) -> tuple[set[str], set[str]]:
    """The local names of testing.<name>, and of the testing module itself."""
    names, modules = {name}, {"testing", TESTING}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == TESTING:
            names.update(a.asname or a.name for a in node.names if a.name == name)
        elif isinstance(node, ast.ImportFrom) and node.module == "quizkit.grading":
            modules.update(a.asname or a.name for a in node.names if a.name == "testing")
        elif isinstance(node, ast.Import):
            modules.update(a.asname for a in node.names if a.name == TESTING and a.asname)
    return names, modules


def _marked(decorator: ast.expr, names: set[str], modules: set[str], attr: str) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        return target.id in names
    if isinstance(target, ast.Attribute) and target.attr == attr:
        return ast.unparse(target.value) in modules
    return False
