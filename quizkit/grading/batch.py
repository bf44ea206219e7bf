"""Runs in the trusted supervisor: grade a whole class, one warm grader per job, each report handed back as it
comes (grading/results.py writes them down).

Ctrl-C stops the batch between two students' results: the student being graded is dropped, never recorded half
graded (pytest would otherwise swallow the KeyboardInterrupt and report the tests run so far as a grade)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from quizkit.errors import UsageError
from quizkit.grading.report import GradeReport


@dataclass(frozen=True)
class Student:
    name: str
    path: Path

    def sha256(self) -> str:
        """The submission's content hash: --resume regrades a resubmitted file ("" when it cannot be read)."""
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 16), b""):
                    digest.update(block)
        except OSError:
            return ""
        return digest.hexdigest()


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


def grade_one(grader, exercise, path: Path) -> GradeReport:  # type: ignore[no-untyped-def]
    """One student's report; a submission the grader cannot even read scores 0 with the reason, never stops us."""
    from quizkit.errors import QuizkitError

    try:
        return grader.grade(path)  # type: ignore[no-any-return]
    except QuizkitError as err:
        return GradeReport.not_graded(exercise.id, exercise.points, str(err), str(path))


class _Interrupt:
    """SIGINT while grading: remember it, and raise KeyboardInterrupt wherever we are."""

    hit = False

    def __call__(self, signum: int, frame: object) -> None:
        self.hit = True
        raise KeyboardInterrupt


@contextmanager
def _interruptible() -> Iterator[_Interrupt]:
    flag = _Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.signal(signal.SIGINT, flag)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def grade_all(exercise, students: list[Student], *, jobs: int = 1,  # type: ignore[no-untyped-def]
              on_result: Callable[[Student, GradeReport], None]) -> None:
    """Grade every student with warm graders, calling `on_result` in this process as each one finishes.
    Ctrl-C raises KeyboardInterrupt here after the last complete result; the rest are not graded."""
    from quizkit.grading.runner import Grader

    with _interruptible() as interrupt:
        grader = Grader(exercise)  # imports torch and the tests once; forked job processes inherit it warm
        if jobs <= 1 or len(students) <= 1:
            for student in students:
                report = grade_one(grader, exercise, student.path)
                if interrupt.hit:  # pytest caught the KeyboardInterrupt: this report is partial
                    raise KeyboardInterrupt
                _deliver(on_result, student, report)
            return
        for student, report in _parallel(grader, exercise, students, jobs, interrupt):
            _deliver(on_result, student, report)


def _deliver(on_result: Callable[[Student, GradeReport], None], student: Student, report: GradeReport) -> None:
    """Record one result with Ctrl-C held back, so it never lands between writing the results file and moving it
    into place; a Ctrl-C pressed meanwhile is raised as soon as the result is down."""
    if threading.current_thread() is not threading.main_thread():
        on_result(student, report)
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        on_result(student, report)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _parallel(grader, exercise, students: list[Student], jobs: int,  # type: ignore[no-untyped-def]
              interrupt: _Interrupt) -> Iterator[tuple[Student, GradeReport]]:
    """Fork `jobs` trusted workers that share the warm grader; each sends back JSON text, one line a student.
    Only this process answers Ctrl-C: the workers ignore SIGINT and are stopped from here."""
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
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.close(read_fd)
            code = 0
            try:
                with os.fdopen(write_fd, "w", encoding="utf-8") as out:
                    for index in chunk:
                        report = grade_one(grader, exercise, students[index].path)
                        out.write(json.dumps({"index": index, "report": report.to_dict(),
                                              "output": report.output}) + "\n")
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
                    report = GradeReport.from_dict(msg["report"])
                    report.output = str(msg.get("output", ""))
                    yield pending.pop(msg["index"]), report
                if not data:  # end of file: the worker is done (or died)
                    os.close(fd)
                    os.waitpid(pid, 0)
                    del workers[fd]
    finally:
        for fd, (pid, _) in workers.items():
            os.close(fd)
            _stop(pid)
    # A worker that died mid-way leaves students ungraded: grade them here rather than lose them.
    for student in list(pending.values()):
        report = grade_one(grader, exercise, student.path)
        if interrupt.hit:
            raise KeyboardInterrupt
        yield student, report


def _stop(pid: int, grace_s: float = 2.0) -> None:
    """SIGTERM first, so the worker's supervisor kills its sandboxed child and removes its folder; then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
