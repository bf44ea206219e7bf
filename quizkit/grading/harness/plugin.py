"""Runs in the trusted supervisor: the pytest plugin, its fixtures, and the verdict of each test.

Verdicts are taken from pytest's own call results in this process plus the session's sandbox events (timeout,
crash, exit, forbidden); nothing the child prints, exits with or writes is consulted.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from quizkit.grading.expected import Answers, _references, load_reference  # noqa: F401 - scrub.py clears _references
from quizkit.grading.harness.proxy import Submission
from quizkit.grading.harness.session import InfrastructureError, Session
from quizkit.grading.report import Status, TestResult, sanitize
from quizkit.grading.testing import HIDDEN_ATTR, POINTS_ATTR
from quizkit.grading.wire.codec import ReturnTypeError, SandboxFailure, SubmissionError
from quizkit.render.i18n import t


class NotRun(Exception):
    """Raised in a test's setup when the submission could not be loaded: the test body never runs."""


class GradingPlugin:
    def __init__(self, session: Session, reference: Path, *, answers: Answers | None = None,
                 on_collect: Callable[[list[str]], None] | None = None,
                 on_result: Callable[[TestResult], None] | None = None) -> None:
        self.session = session
        self.reference_path = reference
        self.answers = answers  # where expected() gets the reference's answers during this session
        self._answers_token: Any = None
        self.results: dict[str, TestResult] = {}
        self.order: list[str] = []
        self.collect_errors: list[str] = []
        self.infrastructure: str | None = None
        self.on_collect = on_collect  # the names of the tests about to run, once collected
        self.on_result = on_result  # each test's result as soon as it is known (progress on a terminal)
        self.load_reported = False  # a syntax or import error is reported by the first visible test only
        self.hidden: dict[str, bool] = {}

    # -- fixtures ---------------------------------------------------------------------------------------------
    @pytest.fixture
    def submission(self, request: Any) -> Submission:
        # A test module that sets READ_ONLY_INPUTS = True has every call checked for modified arguments.
        read_only = getattr(request.module, "READ_ONLY_INPUTS", False) is True
        return Submission(self.session, read_only_inputs=read_only)

    @pytest.fixture
    def reference(self) -> ModuleType:
        """Kept for tests outside the course; the exercises get the reference's answers through expected()."""
        return load_reference(self.reference_path)

    # -- hooks ---------------------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: Any) -> None:
        if self.answers is not None:
            self._answers_token = self.answers.activate()

    def pytest_sessionfinish(self, session: Any) -> None:
        if self.answers is not None and self._answers_token is not None:
            Answers.deactivate(self._answers_token)
            self._answers_token = None
            self.answers.flush()

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr)[-3000:])

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        self.order = [item.nodeid for item in items]
        self.hidden = {item.nodeid: bool(getattr(getattr(item, "function", None), HIDDEN_ATTR, False))
                       for item in items}
        if self.on_collect is not None:
            self.on_collect([item.name for item in items])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> None:
        self.session.begin_test(item.nodeid)
        if self._unloadable() is not None:
            raise NotRun()  # nothing of the submission can run: don't spend time on the test's own work

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> None:
        if call.when == "teardown":
            return
        nodeid = item.nodeid
        if call.when == "setup" and call.excinfo is None:
            return
        if nodeid in self.results:
            return
        fn = getattr(item, "function", None)
        max_score = getattr(fn, POINTS_ATTR, 1)
        visibility = "hidden" if getattr(fn, HIDDEN_ATTR, False) else "visible"
        status, message = self._verdict(nodeid, call)
        result = self.results[nodeid] = TestResult(
            name=item.name, status=status, score=max_score if status is Status.PASSED else 0, max_score=max_score,
            message=sanitize(message), visibility=visibility,
        )
        if self.on_result is not None:
            self.on_result(result)

    def _not_loaded(self, nodeid: str, event: Any, not_run: bool) -> tuple[Status, str] | None:
        """A file that could not be loaded (syntax error, failed import, static finding) is reported once, by
        the first visible test, with the offending line; every other test is marked as not run."""
        session = self.session
        known = self._unloadable()
        if known is None or (event is None and not not_run):
            return None
        if event is not None and (event.status, event.message) != (known.status, known.message):
            return None  # this test failed for a reason of its own
        if self.load_reported or (self.hidden.get(nodeid) and self._visible_after(nodeid)):
            return Status.NOT_RUN, ""
        self.load_reported = True
        return known.status, with_source_line(known.message, session.source, session.filename)

    def _unloadable(self) -> Any:
        """The error that keeps the file from loading (syntax error, unreadable file, failed import); a forbidden
        call or a timeout while loading keeps its own status on every test."""
        known = self.session.preset or self.session.load_failure
        return known if known is not None and known.status is Status.ERROR else None

    def _visible_after(self, nodeid: str) -> bool:
        later = self.order[self.order.index(nodeid) + 1:] if nodeid in self.order else []
        return any(not self.hidden.get(n) for n in later)

    def _verdict(self, nodeid: str, call: Any) -> tuple[Status, str]:
        event = self.session.event_for(nodeid)
        once = self._not_loaded(nodeid, event, call.excinfo is not None and isinstance(call.excinfo.value, NotRun))
        if once is not None:
            return once
        if event is not None:
            return event.status, event.message
        excinfo = call.excinfo
        if excinfo is None:
            return Status.PASSED, ""
        exc = excinfo.value
        if isinstance(exc, NotRun):
            return Status.NOT_RUN, ""
        if isinstance(exc, InfrastructureError):
            self.infrastructure = str(exc)
            return Status.ERROR, t("harness.grader_failed", error=exc)
        if isinstance(exc, SandboxFailure):
            return Status(exc.status), str(exc)
        if isinstance(exc, (AssertionError, SubmissionError, ReturnTypeError)):
            text = str(exc).strip()
            return Status.FAILED, text or t("harness.check_failed")
        if excinfo.typename == "Skipped":
            return Status.ERROR, f"skipped: {exc}"
        if call.when == "setup":
            return Status.ERROR, f"{type(exc).__name__}: {exc}"
        return Status.FAILED, t("harness.while_checking", type=type(exc).__name__, error=exc)

    def ordered_results(self) -> list[TestResult]:
        out = [self.results[n] for n in self.order if n in self.results]
        out += [r for n, r in self.results.items() if n not in self.order]
        return out


_WHERE = re.compile(r"\((?P<file>[^():]+):(?P<line>\d+)(?:, in [^)]*)?\)\s*$")


def with_source_line(message: str, source: str, filename: str) -> str:
    """An import failure's message with the line it names and a caret under it (a syntax error has its own)."""
    if "\n" in message:
        return message
    m = _WHERE.search(message)
    if m is None or Path(m["file"]).name != Path(filename).name:
        return message
    lines = source.splitlines()
    n = int(m["line"])
    if not 1 <= n <= len(lines) or not lines[n - 1].strip():
        return message
    text = lines[n - 1].rstrip()
    code = text.lstrip()
    return f"{message}\n    {code}\n    {'^' * min(len(code), 60)}"


def pytest_args(test_file: Path) -> list[str]:
    """A quiet, minimal in-process pytest: no terminal output, no cache, no gc-heavy plugins."""
    folder = str(Path(test_file).parent)
    args = [str(test_file), "-s", "--rootdir", folder, "-c", "/dev/null" if sys.platform != "win32" else "NUL",
            "--confcutdir", folder, "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for name in ("cacheprovider", "terminal", "faulthandler", "unraisableexception", "threadexception",
                 "legacypath", "doctest", "junitxml", "pastebin", "nose", "stepwise", "logging", "setuponly",
                 "setupplan", "debugging", "lsof", "randomly", "xdist", "cov"):
        args += ["-p", f"no:{name}"]
    return args
