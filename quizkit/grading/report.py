"""Runs in the trusted supervisor: grading results as dataclasses, rendered as text, JSON, Gradescope or JUnit.

Only the trusted supervisor builds these; they flow as objects through batch, dev check, watch and the store, and
become dicts only in the JSON and CSV writers. Every piece of text that may have come from the sandboxed child
(exception messages, returned strings, printed output) goes through `sanitize` before it lands here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

MESSAGE_LIMIT = 2000  # characters kept of one test's message


class Status(str, Enum):
    """A test's outcome. A str, so the JSON writers and the old string comparisons see "passed" etc."""

    PASSED = "passed"
    FAILED = "failed"  # wrong values, or the submission raised
    ERROR = "error"  # a crash, an exit, a syntax error, an unreadable file
    TIMEOUT = "timeout"
    FORBIDDEN = "forbidden"
    NOT_RUN = "not_run"  # the file could not be loaded; the first test says why

    def __str__(self) -> str:
        return self.value



# ANSI/VT escape sequences (CSI, OSC, single-character ESC sequences), then every remaining control
# character except newline and tab, and the bidi overrides that can make text display differently than it reads.
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def sanitize(text: object, limit: int = MESSAGE_LIMIT) -> str:
    """Printable, bounded text: no terminal escapes, no control characters, at most `limit` characters."""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > limit * 4:  # don't run the regexes over megabytes
        text = text[: limit * 4]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")  # lone surrogates -> ?
    if len(text) > limit:
        text = text[: limit - 16].rstrip() + " ... [truncated]"
    return text


@dataclass
class TestResult:
    name: str  # the test function's name, e.g. test_matches_reference_on_a_grid
    status: Status
    score: float  # points earned: max_score when passed, else 0
    max_score: float  # the test's @points
    message: str  # student-facing explanation (empty when passed); already sanitised
    visibility: str = "visible"  # visible | hidden (hidden messages stay out of the text report)

    __test__ = False  # not a pytest test class

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        return cls(str(data["name"]), Status(data["status"]), _number(data["score"]), _number(data["max_score"]),
                   str(data.get("message", "")), str(data.get("visibility", "visible")))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "visibility": self.visibility,
        }


@dataclass
class GradeReport:
    exercise: str
    score: float
    max_score: float
    passed: bool  # every test passed
    duration_s: float
    tests: list[TestResult]
    isolation: list[str] = field(default_factory=list)  # the isolation layers that were in force
    submission: str = ""  # the graded file, as given
    output: str = ""  # what the submission printed (sanitised, truncated); not part of the JSON contract
    error: str = ""  # why the submission could not be graded at all (batch: the grader failed on it)
    isolation_missing: list[str] = field(default_factory=list)  # required layer ids this machine could not give
    practice: bool = False  # graded by a student build: visible tests only, answers replayed; not the grade

    @classmethod
    def from_tests(cls, exercise: str, tests: list[TestResult], *, duration_s: float,
                   isolation: list[str] | None = None, submission: str = "", output: str = "") -> GradeReport:
        score = sum(t.score for t in tests)
        max_score = sum(t.max_score for t in tests)
        passed = bool(tests) and all(t.passed for t in tests)
        return cls(exercise, score, max_score, passed, round(duration_s, 3), tests, list(isolation or []),
                   submission, output)

    @classmethod
    def not_graded(cls, exercise: str, max_score: float, error: str, submission: str = "") -> GradeReport:
        """A submission the grader could not run at all: no tests, score 0, and the reason."""
        return cls(exercise, 0, max_score, False, 0.0, [], [], submission, "", error)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """The inverse of to_dict (batch workers send reports to their parent as JSON)."""
        return cls(str(data["exercise"]), _number(data["score"]), _number(data["max_score"]), bool(data["passed"]),
                   float(data["duration_s"]), [TestResult.from_dict(t) for t in data.get("tests", [])],
                   [str(x) for x in data.get("isolation", [])], str(data.get("submission", "")), "",
                   str(data.get("error", "")), [str(x) for x in data.get("isolation_missing", [])],
                   data.get("practice") is True)

    def for_student(self) -> GradeReport:
        """The report a student may read, in every format and in their progress database: a hidden test shows
        only its name and whether it passed (the instructor's `--reveal-hidden` keeps the full report)."""
        shown = {t.message for t in self.tests if t.visibility != "hidden"}
        # a message every test shares (an unreadable file, a syntax error) tells nothing about the hidden inputs
        tests = [replace(t, message="") if t.visibility == "hidden" and t.message not in shown else t
                 for t in self.tests]
        return replace(self, tests=tests)

    @property
    def failing(self) -> list[TestResult]:
        return [t for t in self.tests if not t.passed]

    def to_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"error": self.error} if self.error else {}
        if self.practice:
            extra["practice"] = True
        return {
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "duration_s": self.duration_s,
            "tests": [t.to_dict() for t in self.tests],
            "isolation": list(self.isolation),
            "isolation_missing": list(self.isolation_missing),
            "submission": self.submission,
            **extra,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    # -- text, for the student ------------------------------------------------------------------------------
    def to_text(self, lang: str = "en") -> str:
        width = name_width([t.name for t in self.tests])
        lines = text_header(self.exercise, self.submission, lang)
        for t in self.tests:
            lines += text_test_lines(t, width, lang)
        return "\n".join(lines) + "\n" + self.text_footer(lang)

    def text_footer(self, lang: str = "en") -> str:
        """What follows the test lines: the total, what the code printed, the isolation in force."""
        words = _words(lang)
        sep = ": "
        lines = [""]
        verdict = words["all_passed"] if self.passed else words["not_passed"]
        lines.append(f"{words['total']}{sep}{fmt_score(self.score)}/{fmt_score(self.max_score)}  {verdict}"
                     f"  ({self.duration_s:.2f} s)")
        if self.practice:
            lines.append(words["practice"])
        if self.output:
            lines.append("")
            lines.append(words['printed'])
            lines.extend(f"  | {part}" for part in self.output.splitlines()[:20])
        lines.append("")
        from quizkit.grading.sandbox.layers import labels

        shown = labels(self.isolation, lang)
        lines.append(f"{words['isolation']}{sep}{', '.join(shown) if shown else words['none']}")
        if self.isolation_missing:
            lines.append(f"{words['missing']}{sep}{', '.join(labels(self.isolation_missing, lang))}")
        return "\n".join(lines) + "\n"

    # -- Gradescope results.json ------------------------------------------------------------------------------
    def to_gradescope(self, hidden_visibility: str = "hidden") -> dict[str, Any]:
        """Gradescope's autograder results.json; a hidden test gets the exercise's `hidden_visibility` (hidden,
        or after_due_date), so Gradescope shows it to the instructor and never at once to the student."""
        tests = []
        for i, t in enumerate(self.tests, 1):
            tests.append({
                "name": t.name,
                "number": str(i),
                "score": t.score,
                "max_score": t.max_score,
                "status": "passed" if t.passed else "failed",
                "output": t.message if not t.passed else "",
                "output_format": "text",
                "visibility": hidden_visibility if t.visibility == "hidden" else "visible",
                "tags": [t.status.value],
                "extra_data": {"status": t.status.value},
            })
        from quizkit.grading.sandbox.layers import labels
        from quizkit.render import i18n

        summary = i18n.t("report.gradescope", exercise=self.exercise, score=fmt_score(self.score),
                         max_score=fmt_score(self.max_score),
                         layers=", ".join(labels(self.isolation, i18n.get_lang())) or i18n.t("report.none"))
        return {
            "score": self.score,
            "execution_time": round(self.duration_s, 3),
            "output": summary,
            "output_format": "text",
            "test_output_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "extra_data": {"exercise": self.exercise, "max_score": self.max_score, "passed": self.passed},
            "tests": tests,
        }

    # -- JUnit XML ---------------------------------------------------------------------------------------------
    def to_junit(self) -> str:
        import xml.etree.ElementTree as ET

        from quizkit.render.i18n import t as tr

        failures = sum(1 for t in self.tests if t.status in _FAILURE)
        errors = sum(1 for t in self.tests if t.status in _ERROR)
        suites = ET.Element("testsuites", name="quizkit", tests=str(len(self.tests)),
                            failures=str(failures), errors=str(errors), time=f"{self.duration_s:.3f}")
        suite = ET.SubElement(suites, "testsuite", name=f"quizkit.{self.exercise}", tests=str(len(self.tests)),
                              failures=str(failures), errors=str(errors),
                              skipped=str(sum(1 for t in self.tests if t.status is Status.NOT_RUN)),
                              time=f"{self.duration_s:.3f}")
        props = ET.SubElement(suite, "properties")
        for key, value in (("score", fmt_score(self.score)), ("max_score", fmt_score(self.max_score)),
                           ("submission", self.submission), ("isolation", ", ".join(self.isolation))):
            ET.SubElement(props, "property", name=key, value=_xml_text(value))
        for t in self.tests:
            case = ET.SubElement(suite, "testcase", classname=f"quizkit.{self.exercise}", name=t.name, time="0")
            cprops = ET.SubElement(case, "properties")
            for key, value in (("score", fmt_score(t.score)), ("max_score", fmt_score(t.max_score)),
                               ("status", t.status.value), ("visibility", t.visibility)):
                ET.SubElement(cprops, "property", name=key, value=value)
            if t.status in _FAILURE:
                first = t.message.splitlines()[0] if t.message else t.status.value
                el = ET.SubElement(case, "failure", message=_xml_text(first), type=t.status.value)
                el.text = _xml_text(t.message)
            elif t.status is Status.NOT_RUN:
                ET.SubElement(case, "skipped", message=tr("report.junit_not_run"))
            elif t.status in _ERROR:
                first = t.message.splitlines()[0] if t.message else t.status.value
                el = ET.SubElement(case, "error", message=_xml_text(first), type=t.status.value)
                el.text = _xml_text(t.message)
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _words(lang: str) -> dict[str, str]:
    """The report's labels in `lang`, from the one catalogue (keys report.*)."""
    from quizkit.render.i18n import STRINGS

    return {key[len("report."):]: (zh if lang == "zh" else en) for key, (zh, en) in STRINGS.items()
            if key.startswith("report.")}


def name_width(names: list[str]) -> int:
    return max((len(n) for n in names), default=10)


def text_header(exercise: str, submission: str, lang: str = "en") -> list[str]:
    """The first lines of the text report (printed at once when grading on a terminal)."""
    words = _words(lang)
    return [f"{words['exercise']}: {exercise}    {words['file']}: {sanitize(submission, 300)}", ""]


def text_test_lines(t: TestResult, width: int, lang: str = "en") -> list[str]:
    """One test in the text report: its mark, name, score and status, then its message (never a hidden one's)."""
    words = _words(lang)
    hidden = f" ({words['hidden']})" if t.visibility == "hidden" else ""
    lines = [f"{_MARK[t.status]} {t.name:<{width}}  {fmt_score(t.score)}/{fmt_score(t.max_score)}  "
             f"{words[t.status.value]}{hidden}"]
    if not t.passed and t.status is not Status.NOT_RUN and (t.message or t.visibility == "hidden"):
        if t.visibility == "hidden":
            lines.append(f"    {words['hidden_msg']}")
        else:
            lines.extend(f"    {part}" for part in t.message.splitlines() or [""])
    return lines


def _number(x: Any) -> float:
    """A score read back from JSON, kept as the int or float it was written as."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"a score must be a number, not {x!r}")
    return x


def fmt_score(x: float) -> str:
    """A score for people: 10, 2.5 (the one number format of grading reports)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters even escaped; sanitize() already removed them.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


_MARK = {Status.PASSED: "✓", Status.FAILED: "✗", Status.ERROR: "!", Status.TIMEOUT: "⏱", Status.FORBIDDEN: "⊘",
         Status.NOT_RUN: "·"}
_FAILURE = (Status.FAILED, Status.FORBIDDEN)  # JUnit <failure>
_ERROR = (Status.ERROR, Status.TIMEOUT)  # JUnit <error>
