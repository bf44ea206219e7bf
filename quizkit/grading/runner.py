"""Runs in the trusted supervisor: grade submissions; pytest runs here, the student's code in a sandboxed child.

    report = grade(load_exercise("sigmoid"), "sigmoid.py")     # one submission
    grader = Grader(exercise); grader.grade(path) ...           # many, with one torch import

Student failures (wrong values, exceptions, crashes, exits, syntax errors, timeouts, forbidden calls, and a file
that is too large, not UTF-8 or unreadable) end up in the report and never raise. Usage problems (missing file)
raise UsageError; a broken exercise (one whose time budget does not fit in REPORT_BOUND_S) raises QuizkitError.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from quizkit.errors import QuizkitError, UsageError
from quizkit.grading.exercises import Exercise
from quizkit.grading.forbidden.policy import Policy
from quizkit.grading.report import GradeReport, Status, TestResult, sanitize
from quizkit.grading.sandbox.limits import Limits
from quizkit.render.i18n import get_lang, set_lang, t

MAX_SOURCE_BYTES = 1 << 20
# Every submission gets its report within this many seconds. The sandbox may use the exercise's total_seconds;
# the rest is kept for the trusted side: pytest, the reference, bounded SymPy work, starting and killing children.
REPORT_BOUND_S = 120.0
TRUSTED_SHARE_S = 40.0


class UnreadableSubmission(QuizkitError):
    """The file exists but cannot be graded as Python text: every test fails with this reason."""


def check_budget(exercise: Exercise) -> None:
    """A broken exercise, not a student's problem: its sandbox budget must leave room in the report bound."""
    room = REPORT_BOUND_S - TRUSTED_SHARE_S
    if exercise.limits.total_seconds > room:
        raise QuizkitError(t("runner.budget", file=exercise.dir / "exercise.yaml", room=f"{room:g}",
                             seconds=f"{exercise.limits.total_seconds:g}", bound=f"{REPORT_BOUND_S:g}"))


class Grader:
    """A warm grader for one exercise: torch, the zygote and (after the first run) the tests stay loaded."""

    def __init__(self, exercise: Exercise, *, limits: Limits | None = None, disable: tuple[str, ...] = (),
                 require_isolation: bool = False, lang: str | None = None) -> None:
        """`lang`: the language of the test messages (zh/en); None keeps the one set by render.i18n.set_lang."""
        self.exercise = replace(exercise, limits=limits) if limits is not None else exercise
        self.lang = lang
        self.disable = tuple(disable)
        if not self.exercise.test_file.is_file():
            raise QuizkitError(t("runner.no_test_file", file=self.exercise.test_file))
        check_budget(self.exercise)
        from quizkit.grading.sandbox import zygote

        secret = [self.exercise.dir, self.exercise.reference.parent, _answer_cache()]  # answers: the child's secret
        self._hidden = zygote.secret_paths(secret)
        # The zygote is a fresh process: it imports torch while this one does.
        zygote.start_zygote(secret, zygote.switched_off(self.disable))
        import torch  # noqa: F401 - loaded once, for the tests and the reference

        _freeze("torch")
        if require_isolation:
            from quizkit.grading.sandbox.diagnose import require_full_isolation

            require_full_isolation(self.disable, lang or get_lang())
        self._probes = self.exercise.probes.read_text(encoding="utf-8") if self.exercise.probes else None
        # The scan runs here; the operator check and the guard run in the child, which gets no policy (and so
        # checks nothing) when they are switched off: the decision never comes from the child's side.
        off = zygote.switched_off(self.disable)
        self._scan = "scan" not in off
        ops = self.exercise.operators if "operators" not in off else None
        self._operators = ops.to_wire() if ops is not None else None
        self._forbidden = self.exercise.forbidden if "guard" not in off else ()
        self.last_session: Any = None
        self.last_answers: Any = None  # the expected() answers of the last grade (what a recording holds)

    def grade(self, path: str | os.PathLike[str], *, display_name: str | None = None,
              on_collect: Callable[[list[str]], None] | None = None,
              on_result: Callable[[TestResult], None] | None = None) -> GradeReport:
        """`on_collect` gets the test names once pytest has collected them, `on_result` each test's result as
        it finishes (locations relabelled to notebook cells; the student view is the caller's to apply).
        The grade's language (`lang`) holds while it runs; the caller's comes back afterwards."""
        previous = get_lang()
        if self.lang is not None:  # every message of this grade (testing.py helpers, the sandbox's) in this language
            set_lang(self.lang)
        try:
            return self._grade(Path(path), display_name, on_collect, on_result)
        finally:
            set_lang(previous)
            _freeze("warm")  # the first grade loaded pytest and the tests, which stay loaded too

    def _grade(self, path: Path, display_name: str | None, on_collect: Callable[[list[str]], None] | None,
               on_result: Callable[[TestResult], None] | None) -> GradeReport:
        from quizkit.grading.harness.session import Event

        started = time.monotonic()
        filename = display_name or path.name
        notebook = None
        try:
            source = read_submission(path)
            if path.suffix == ".ipynb":
                notebook = read_notebook(source, filename)
                source = notebook.source
        except UnreadableSubmission as err:
            session = self._session("", filename)
            session.preset = Event(Status.ERROR, sanitize(str(err)))
        else:
            session = self._session(source, filename)
            preset = None if not self._scan else _static_check(source, filename, self.exercise.policy)
            if preset is not None:
                session.preset = Event(Status(preset[0]), preset[1])
        if on_result is not None and notebook is not None:
            report_one, nb = on_result, notebook
            on_result = lambda r: report_one(replace(r, message=nb.relabel(r.message, filename)))  # noqa: E731
        try:
            tests, infrastructure = self._run_pytest(session, on_collect, on_result)
        finally:
            session.close()
        self.last_session = session
        if infrastructure:
            raise QuizkitError(t("runner.failed", path=path, error=infrastructure))
        from quizkit.grading.sandbox.layers import missing

        isolation = list(session.isolation)
        if self._scan:
            from quizkit.grading.sandbox.layers import STATIC_SCAN

            isolation.append(STATIC_SCAN)
        output = session.output_text()
        if notebook is not None:  # locations in cells, and what was dropped, for the notebook's author
            for test in tests:
                test.message = notebook.relabel(test.message, filename)
            notes = [f"quizkit: {note}" for note in notebook.dropped]
            output = "\n".join([*notes, notebook.relabel(output, filename)]).strip()
        report = GradeReport.from_tests(self.exercise.id, tests, duration_s=time.monotonic() - started,
                                        isolation=isolation, submission=str(path), output=output)
        report.isolation_missing = missing(isolation, os.geteuid() == 0) if isolation else []
        report.practice = self.last_answers is not None and self.last_answers.replay
        return report

    def _session(self, source: str, filename: str) -> Any:
        from quizkit.grading.harness.session import Session

        return Session(source=source, filename=filename, limits=self.exercise.limits,
                       forbidden=self._forbidden, probes=self._probes, hide=self._hidden,
                       secrets=self._hidden, disable=self.disable, operators=self._operators,
                       lang=self.lang or get_lang())

    def _run_pytest(self, session: Any, on_collect: Callable[[list[str]], None] | None = None,
                    on_result: Callable[[TestResult], None] | None = None) -> tuple[list[TestResult], str | None]:
        import pytest

        from quizkit.grading.harness.plugin import GradingPlugin, pytest_args

        ex = self.exercise
        from quizkit.grading.expected import Answers

        self.last_answers = answers = Answers.for_exercise(ex)  # the reference's, or a student build's recording
        plugin = GradingPlugin(session, ex.reference, answers=answers, on_collect=on_collect, on_result=on_result)
        _forget_stale_test_module(ex.test_file)
        # The user's pytest settings (PYTEST_ADDOPTS, PYTEST_PLUGINS, installed plugins) must not change grading.
        saved_env = {k: os.environ.pop(k) for k in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS",
                                                    "PYTEST_DISABLE_PLUGIN_AUTOLOAD") if k in os.environ}
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        saved_path = list(sys.path)
        try:
            pytest.main(pytest_args(ex.test_file), plugins=[plugin])
        finally:
            sys.path[:] = saved_path
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
            os.environ.update(saved_env)
        if plugin.collect_errors:
            first = plugin.collect_errors[0].strip().splitlines()
            raise QuizkitError(t("runner.not_collected", file=ex.test_file,
                                 error=first[-1] if first else t("runner.unknown_error")))
        tests = plugin.ordered_results()
        if not tests:
            raise QuizkitError(t("runner.no_tests", file=ex.test_file))
        return tests, plugin.infrastructure or session.infrastructure


def grade(exercise: Exercise, submission_path: str | os.PathLike[str], *, lang: str | None = None,
          require_isolation: bool = False, on_collect: Callable[[list[str]], None] | None = None,
          on_result: Callable[[TestResult], None] | None = None) -> GradeReport:
    """Grade one file. `lang`: the language of the test messages and of a refusal under `require_isolation`;
    `on_collect` and `on_result` report progress (see Grader.grade)."""
    return Grader(exercise, require_isolation=require_isolation, lang=lang).grade(
        submission_path, on_collect=on_collect, on_result=on_result)


_frozen: set[str] = set()


def _freeze(stage: str) -> None:
    """Once per process and stage: move every object loaded so far out of the collector's sight. torch alone
    holds hundreds of thousands that live as long as the process (in a 40-submission batch, the collector's
    time fell from 0.85 s to 0.38 s)."""
    if stage not in _frozen:
        if not _frozen:
            freeze_at_exit()
        _frozen.add(stage)
        gc.collect()  # so that no garbage is frozen with them
        gc.freeze()


def freeze_at_exit() -> None:
    """A process holding torch spends 0.3-0.4 s in the interpreter's last collections, walking torch's objects;
    frozen first (an exit handler, run before them), they are skipped."""
    atexit.register(gc.freeze)


def _answer_cache() -> Path:
    """The folder of the reference's cached answers, made now so the child can be kept out of it."""
    from quizkit.grading.expected import cache_dir

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # no cache then (and nothing in it to hide)
    return folder


def read_submission(path: Path) -> str:
    """The submission's text. UsageError (exit 2) when there is no such file; UnreadableSubmission (a report with
    every test failed) for a file that cannot be read, is over MAX_SOURCE_BYTES or is not UTF-8."""
    if not path.exists():
        raise UsageError(t("cli.no_such_file", path=path))
    if not path.is_file():
        raise UsageError(t("cli.not_a_file", path=path))
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SOURCE_BYTES + 1)  # never more than the limit and one byte into memory
    except OSError as err:
        raise UnreadableSubmission(t("runner.unreadable", file=path.name, error=err.strerror or err)) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise UnreadableSubmission(t("runner.too_large", file=path.name, limit=MAX_SOURCE_BYTES))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableSubmission(t("runner.not_utf8", file=path.name, byte=err.start)) from None


def read_notebook(source: str, filename: str) -> Any:
    """A notebook's code cells as one source (interop/notebook.py); an unreadable one fails every test."""
    from quizkit.interop.notebook import read

    try:
        return read(source, filename)
    except QuizkitError as err:
        raise UnreadableSubmission(str(err)) from None


def _static_check(source: str, filename: str, policy: Policy) -> tuple[str, str] | None:
    """A syntax error, a forbidden name, an import outside the allowlist or reflection fails every test before
    any student code runs."""
    from quizkit.grading.forbidden import check

    try:
        findings = check(source, policy, filename)
    except SyntaxError as err:
        line = f":{err.lineno}" if err.lineno else ""
        detail = sanitize(f"{err.msg}", 300)
        return "error", t("runner.syntax", file=filename, line=line, detail=detail) + _caret(err)  # Python's words
    except (ValueError, RecursionError, MemoryError) as err:
        return "error", t("runner.unparsable", file=filename, type=type(err).__name__)
    if findings:
        lines = [f.message(filename) for f in findings[:5]]
        if len(findings) > 5:
            lines.append(t("runner.more", n=len(findings) - 5))
        return "forbidden", sanitize("\n".join(lines))
    return None


def _caret(err: SyntaxError) -> str:
    """The offending line, and a caret under the column Python points at."""
    raw = (err.text or "").rstrip("\n").expandtabs()
    code = raw.lstrip()
    if not code.strip():
        return ""
    shown = sanitize(code, 120)
    col = max(0, min((err.offset or 1) - 1 - (len(raw) - len(code)), len(shown)))
    return f"\n    {shown}\n    {' ' * col}^"


def _forget_stale_test_module(test_file: Path) -> None:
    """pytest caches test modules by name; a same-named module from another folder must not be reused."""
    name = test_file.stem
    mod = sys.modules.get(name)
    if mod is not None:
        f = getattr(mod, "__file__", None)
        if not f or os.path.realpath(f) != os.path.realpath(test_file):
            del sys.modules[name]
