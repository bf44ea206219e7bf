"""Runs in the trusted supervisor: what a class's grades become for the teacher (results.csv/json) and for each
student (a feedback report to hand back).

A row is made from a GradeReport only when it is written. The one-line reason a submission failed is derived here
from its tests' statuses and messages, so it says the same thing whichever way the grade was run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizkit.errors import UsageError
from quizkit.grading.report import GradeReport, Status, TestResult
from quizkit.paths import write_atomic

CSV_FIELDS = ["student", "file", "sha256", "score", "max_score", "passed", "duration_s", "tests_passed",
              "tests_total", "failed_tests", "reason", "error"]


# -- why a submission failed ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    code: str  # a stable word for filtering: timeout, import_crash, forbidden, ... ("" when everything passed)
    detail: str  # the deciding test's message, first line (or its name, when it is a hidden test)

    def text(self, lang: str = "en") -> str:
        """`<label>: <detail>`, the label in `lang` (the results file uses en; feedback uses the student's)."""
        if not self.code:
            return ""
        from quizkit.render.i18n import STRINGS

        zh, en = STRINGS[f"batch.reason.{self.code}"]
        label = zh if lang == "zh" else en
        return f"{label}{'：' if lang == 'zh' else ': '}{self.detail}" if self.detail else label


# (code, the statuses it applies to, a pattern of the harness's or runner's message), most decisive first: a
# problem with the whole file explains every failing test, a wrong value explains only its own. The patterns
# follow the texts (zh and en) of render/i18n_grading.py; tests/test_batch_results.py grades a real
# submission of each kind, so a changed wording fails there.
_KINDS: list[tuple[str, tuple[Status, ...], re.Pattern[str]]] = [
    ("forbidden", (Status.FORBIDDEN,), re.compile("")),
    ("syntax_error", (Status.ERROR,), re.compile(r"SyntaxError|could not be parsed|无法解析该文件")),
    ("unreadable", (Status.ERROR,), re.compile(r"not UTF-8|cannot be read|byte limit|not a Jupyter notebook|不是 UTF-8|不是 Jupyter notebook|无法读取|提交大小上限")),
    ("import_crash", (Status.ERROR,), re.compile(r"^Importing .* failed|while being imported|while importing|^导入 .* 失败|在导入时|在 导入 ")),
    ("timeout", (Status.TIMEOUT,), re.compile("")),
    ("output_flood", (Status.ERROR,), re.compile(r"printed more than .* of output|打印了超过 .* 的输出")),
    ("crash", (Status.ERROR,), re.compile("")),
    ("missing", (Status.FAILED,), re.compile(r"does not define|没有定义 `")),
    ("exception", (Status.FAILED,), re.compile(r"; it raised |；它抛出了 ")),
    ("wrong", (Status.FAILED,), re.compile("")),
]


def _kind(test: TestResult) -> int:
    for rank, (_, statuses, pattern) in enumerate(_KINDS):
        if test.status in statuses and pattern.search(test.message):
            return rank
    return len(_KINDS) - 1


def failure_reason(report: GradeReport) -> Reason:
    """The most decisive failing test's kind and message; a hidden test (message redacted) is named instead."""
    if report.error:
        return Reason("not_graded", report.error.splitlines()[0])
    failing = report.failing
    if not failing:
        return Reason("", "") if report.tests else Reason("not_graded", "")
    deciding = min(failing, key=_kind)  # min keeps the first of equals: the earliest test
    code = _KINDS[_kind(deciding)][0]
    lines = deciding.message.strip().splitlines()
    detail = lines[0] if lines else deciding.name + (" (hidden test)" if deciding.visibility == "hidden" else "")
    return Reason(code, detail)


# -- rows -------------------------------------------------------------------------------------------------------
def row(name: str, path: Path, sha256: str, report: GradeReport) -> dict[str, Any]:
    """The CSV/JSON writer's row for one student; `tests` goes to JSON only."""
    reason = failure_reason(report)
    return {
        "student": name, "file": str(path), "sha256": sha256, "score": report.score,
        "max_score": report.max_score, "passed": report.passed, "duration_s": report.duration_s,
        "tests_passed": sum(t.passed for t in report.tests), "tests_total": len(report.tests),
        "failed_tests": ";".join(t.name for t in report.failing),
        "reason": reason.code, "error": reason.text("en"),
        "tests": [t.to_dict() for t in report.tests],
    }


def student_key(name: str) -> tuple:
    """Sort order of the results: case-insensitive, numbers by value (s2 before s10)."""
    parts = tuple((0, int(part), "") if part.isdecimal() else (1, 0, part)
                  for part in re.split(r"(\d+)", name.casefold()) if part)
    return parts, name  # the name itself breaks ties (Ann, ann), so the order never depends on who finished first


_EXCEL_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def excel_cell(value: object) -> object:
    """Excel runs a cell that starts with = + - @ as a formula; a student's file name must not (OWASP CSV
    injection). The leading apostrophe is Excel's own "this is text" mark, and _read takes it off again."""
    if isinstance(value, str) and value.startswith(_EXCEL_FORMULA):
        return "'" + value
    return value


class ResultsFile:
    """results.csv or results.json: one row per student, sorted by student, rewritten atomically after each one.

    `graded(name, sha256)` is what --resume skips: the same student with the same file content."""

    def __init__(self, path: Path | None, resume: bool, *, excel: bool = False):
        self.path = path
        self.excel = excel
        self.rows: dict[str, dict[str, Any]] = {}
        if path is None:
            return
        if path.suffix not in (".csv", ".json"):
            raise UsageError(f"{path}: --output must end in .csv or .json")
        if excel and path.suffix != ".csv":
            raise UsageError(f"{path}: --excel is for a .csv --output (JSON has no byte-order mark)")
        if resume and path.exists():
            for entry in self._read(path):
                self.rows[str(entry["student"])] = entry
        self._save()  # an unwritable --output fails now, not after the first student is graded

    @staticmethod
    def _read(path: Path) -> list[dict[str, Any]]:
        try:
            if path.suffix == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                entries = list(data["students"])
                for entry in entries:
                    str(entry["student"])
                return entries
            with path.open(newline="", encoding="utf-8-sig") as fh:
                entries = list(csv.DictReader(fh))
            for entry in entries:
                for key, value in entry.items():
                    if isinstance(value, str) and value[:1] == "'" and value[1:2] in _EXCEL_FORMULA:
                        entry[key] = value[1:]
                entry["passed"] = str(entry.get("passed")) in ("1", "True", "true")
                entry["student"] = str(entry["student"])
            return entries
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise UsageError(f"{path}: cannot resume from it ({err}); move it away or drop --resume") from None

    def graded(self, name: str, sha256: str) -> bool:
        entry = self.rows.get(name)
        return entry is not None and bool(sha256) and entry.get("sha256") == sha256

    def add(self, entry: dict[str, Any]) -> None:
        """A student graded (again): their one row is replaced, and the file rewritten."""
        self.rows[entry["student"]] = entry
        self._save()

    def sorted_rows(self) -> list[dict[str, Any]]:
        return [self.rows[k] for k in sorted(self.rows, key=student_key)]

    def _save(self) -> None:
        if self.path is None:
            return
        if self.path.suffix == ".json":
            write_atomic(self.path, json.dumps({"students": self.sorted_rows()}, ensure_ascii=False, indent=2))
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for entry in self.sorted_rows():
            cells = {**entry, "passed": 1 if entry.get("passed") in (True, 1, "1") else 0}
            writer.writerow({k: excel_cell(v) for k, v in cells.items()} if self.excel else cells)
        text = buffer.getvalue()
        write_atomic(self.path, text.encode("utf-8-sig") if self.excel else text)


# -- feedback to hand back --------------------------------------------------------------------------------------
class FeedbackDir:
    """DIR/<student>.txt and DIR/<student>.json: the student's own report in their language, hidden tests
    redacted whatever the instructor's --reveal-hidden."""

    def __init__(self, folder: Path | None, lang: str):
        self.folder = folder
        self.lang = lang
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise UsageError(f"{folder}: cannot create the feedback folder ({err.strerror or err})") from None
            if not folder.is_dir():
                raise UsageError(f"{folder}: --feedback-dir must be a folder")

    def has(self, name: str) -> bool:
        return self.folder is None or all((self.folder / f"{name}{ext}").is_file() for ext in (".txt", ".json"))

    def write(self, name: str, report: GradeReport) -> None:
        if self.folder is None:
            return
        from quizkit.render.i18n import STRINGS

        mine = report.for_student()
        reason = failure_reason(mine)

        def say(key: str, **args: object) -> str:
            zh, en = STRINGS[key]
            return (zh if self.lang == "zh" else en).format(**args)

        head = [say("batch.feedback.student", name=name)]
        if reason.code:
            head.append(say("batch.feedback.reason", reason=reason.text(self.lang)))
        write_atomic(self.folder / f"{name}.txt", "\n".join(head) + "\n\n" + mine.to_text(self.lang))
        data = {"student": name, "reason": reason.code, "error": reason.text(self.lang), **mine.to_dict()}
        write_atomic(self.folder / f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
