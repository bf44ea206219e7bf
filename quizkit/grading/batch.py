"""Runs in the trusted supervisor: grade a whole class, one warm grader per job, results saved after each student.

Reports travel as GradeReport objects; a row of results.csv/json is made from one only when it is written."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from quizkit.errors import UsageError
from quizkit.grading.report import GradeReport
from quizkit.paths import write_atomic

CSV_FIELDS = ["student", "file", "score", "max_score", "passed", "duration_s", "tests_passed", "tests_total",
              "failed_tests", "error"]


@dataclass(frozen=True)
class Student:
    name: str
    path: Path


SUFFIXES = (".py", ".ipynb")  # a Python file or a Jupyter notebook


def discover(exercise_id: str, folder: Path) -> list[Student]:
    """Each `*.py` or `*.ipynb` in the folder is a student; so is each sub-folder holding `<exercise_id>.py`
    (or `<exercise_id>.ipynb`)."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder of submissions")
    students = [Student(p.stem, p) for p in sorted(folder.iterdir())
                if p.suffix in SUFFIXES and p.is_file()]
    for d in sorted(p for p in folder.iterdir() if p.is_dir()):
        found = [d / f"{exercise_id}{suffix}" for suffix in SUFFIXES if (d / f"{exercise_id}{suffix}").is_file()]
        if found:
            students.append(Student(d.name, found[0]))
    names = [s.name for s in students]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise UsageError(f"{folder}: '{dups[0]}' is both a file and a folder; rename one")
    return students


def row(student: Student, report: GradeReport) -> dict:
    """The CSV/JSON writer's row for one student."""
    return {
        "student": student.name, "file": str(student.path), "score": report.score,
        "max_score": report.max_score, "passed": report.passed, "duration_s": report.duration_s,
        "tests_passed": sum(t.passed for t in report.tests), "tests_total": len(report.tests),
        "failed_tests": ";".join(t.name for t in report.failing),
        "error": report.error,
        "tests": [t.to_dict() for t in report.tests],  # JSON only; the CSV writer keeps CSV_FIELDS
    }


def grade_one(grader, exercise, path: Path) -> GradeReport:  # type: ignore[no-untyped-def]
    """One student's report; a submission the grader cannot even read scores 0 with the reason, never stops us."""
    from quizkit.errors import QuizkitError

    try:
        return grader.grade(path)  # type: ignore[no-any-return]
    except QuizkitError as err:
        return GradeReport.not_graded(exercise.id, exercise.points, str(err), str(path))


class ResultsFile:
    """results.csv or results.json, rewritten atomically after each student; `done` is what --resume skips."""

    def __init__(self, path: Path | None, resume: bool):
        self.path = path
        self.rows: list[dict] = []
        if path is None:
            return
        if path.suffix not in (".csv", ".json"):
            raise UsageError(f"{path}: --output must end in .csv or .json")
        if resume and path.exists():
            self.rows = self._read(path)
        self._save()  # an unwritable --output fails now, not after the first student is graded

    @staticmethod
    def _read(path: Path) -> list[dict]:
        try:
            if path.suffix == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                return list(data["students"])
            with path.open(newline="", encoding="utf-8") as fh:
                return list(csv.DictReader(fh))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise UsageError(f"{path}: cannot resume from it ({err}); move it away or drop --resume") from None

    @property
    def done(self) -> set[str]:
        return {r["student"] for r in self.rows}

    def add(self, entry: dict) -> None:
        self.rows.append(entry)
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        if self.path.suffix == ".json":
            text = json.dumps({"students": self.rows}, ensure_ascii=False, indent=2)
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.rows)
            text = buffer.getvalue()
        write_atomic(self.path, text)


def grade_all(exercise, students: list[Student], *, jobs: int = 1,  # type: ignore[no-untyped-def]
              on_result: Callable[[Student, GradeReport], None]) -> None:
    """Grade every student with warm graders, calling `on_result` in this process as each one finishes."""
    from quizkit.grading.runner import Grader

    grader = Grader(exercise)  # imports torch and the tests once; forked job processes inherit it warm
    if jobs <= 1 or len(students) <= 1:
        for student in students:
            on_result(student, grade_one(grader, exercise, student.path))
        return
    for student, report in _parallel(grader, exercise, students, jobs):
        on_result(student, report)


def _parallel(grader, exercise, students: list[Student], jobs: int) -> Iterator[tuple[Student, GradeReport]]:  # type: ignore[no-untyped-def]
    """Fork `jobs` trusted workers that share the warm grader; each sends back JSON text, one line a student."""
    import select

    pending = {i: s for i, s in enumerate(students)}
    workers: dict[int, tuple[int, bytearray]] = {}
    chunks = [list(pending)[k::jobs] for k in range(jobs)]
    for chunk in chunks:
        if not chunk:
            continue
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # a trusted worker: grades its share with the inherited warm grader
            os.close(read_fd)
            code = 0
            try:
                with os.fdopen(write_fd, "w", encoding="utf-8") as out:
                    for index in chunk:
                        report = grade_one(grader, exercise, students[index].path)
                        out.write(json.dumps({"index": index, "report": report.to_dict()}) + "\n")
                        out.flush()
            except BaseException:  # noqa: BLE001 - the parent reports the missing students
                code = 1
            os._exit(code)
        os.close(write_fd)
        workers[read_fd] = (pid, bytearray())
    try:
        while workers:
            ready, _, _ = select.select(list(workers), [], [])
            for fd in ready:
                pid, buf = workers[fd]
                data = os.read(fd, 1 << 16)
                buf.extend(data)
                while b"\n" in buf:
                    line, _, rest = bytes(buf).partition(b"\n")
                    buf[:] = rest
                    msg = json.loads(line)
                    yield pending.pop(msg["index"]), GradeReport.from_dict(msg["report"])
                if not data:  # end of file: the worker is done (or died)
                    os.close(fd)
                    os.waitpid(pid, 0)
                    del workers[fd]
    finally:
        for fd, (pid, _) in workers.items():
            os.close(fd)
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    # A worker that died mid-way leaves students ungraded: grade them here rather than lose them.
    for student in list(pending.values()):
        yield student, grade_one(grader, exercise, student.path)
