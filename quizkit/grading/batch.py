"""Runs in the trusted supervisor: grade a whole class, each report handed back as it comes (grading/results.py
writes them down).

There is one way a submission is graded: its bytes go to a warm grader, which writes them to a private folder,
grades them and answers with the report as JSON text (grade_bytes); the report is rebuilt from that text
(parse_report). With one job the grader is in this process; with more, or with a scheduler, it is on each worker
of a dask cluster (cluster.py), embedded or real.

Ctrl-C stops the batch between two students' results: the student being graded is dropped, never recorded half
graded (pytest would otherwise swallow the KeyboardInterrupt and report the tests run so far as a grade)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from quizkit.errors import QuizkitError, UsageError
from quizkit.grading.report import GradeReport
from quizkit.render.i18n import t


class ClusterError(QuizkitError):
    """The cluster, not a student, stopped the batch: no workers, a worker with another quizkit, ..."""


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
        raise UsageError(t("batch.usage.not_folder", folder=folder))
    students = [Student(p.stem, p) for p in sorted(folder.iterdir())
                if p.suffix in SUFFIXES and p.is_file()]
    for d in sorted(p for p in folder.iterdir() if p.is_dir()):
        found = [d / f"{exercise_id}{suffix}" for suffix in SUFFIXES if (d / f"{exercise_id}{suffix}").is_file()]
        if found:
            students.append(Student(d.name, found[0]))
    names = [s.name for s in students]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise UsageError(t("batch.usage.file_and_folder", folder=folder, name=dups[0]))
    return students


def grade_one(grader, exercise, path: Path) -> GradeReport:  # type: ignore[no-untyped-def]
    """One student's report; a submission the grader cannot even read scores 0 with the reason, never stops us."""
    from quizkit.errors import QuizkitError

    try:
        return grader.grade(path)  # type: ignore[no-any-return]
    except QuizkitError as err:
        return GradeReport.not_graded(exercise.id, exercise.points, str(err), str(path))


# -- what travels to a grader and back ---------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """One submission as it travels: its file name and at most MAX_SOURCE_BYTES + 1 of its bytes."""

    filename: str
    data: bytes | None  # None: this process could not read the file (`error` says why)
    error: str = ""


def read_job(path: Path) -> Job:
    from quizkit.grading.runner import MAX_SOURCE_BYTES

    try:
        with path.open("rb") as fh:
            return Job(path.name, fh.read(MAX_SOURCE_BYTES + 1))  # the runner reports a file over the limit
    except OSError as err:
        return Job(path.name, None, t("runner.unreadable", file=path.name, error=err.strerror or err))


def safe_filename(name: str) -> str:
    """The name the grader and the child see: a bare file name with a submission's suffix, nothing else."""
    base = os.path.basename(name.replace("\\", "/"))
    suffix = next((s for s in SUFFIXES if base.endswith(s)), "")
    if not suffix or "\0" in base or base in SUFFIXES:
        return "submission" + (suffix or ".py")
    return base


def grade_bytes(grader, exercise, filename: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    """Grade a submission given as bytes, in a private folder of this process; the report as JSON text."""
    folder = tempfile.mkdtemp(prefix="quizkit-submission-")  # 0700: only this user reads it
    try:
        path = Path(folder) / safe_filename(filename)
        path.write_bytes(data)
        report = grade_one(grader, exercise, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return json.dumps({"report": report.to_dict(), "output": report.output}, ensure_ascii=False)


def parse_report(text: str, submission: Path) -> GradeReport:
    """The inverse of grade_bytes: a report of plain data, naming the student's own file."""
    msg = json.loads(text)
    report = GradeReport.from_dict(msg["report"])
    report.output = str(msg.get("output", ""))
    report.submission = str(submission)
    return report


def unreadable(exercise, student: Student, job: Job) -> GradeReport:  # type: ignore[no-untyped-def]
    return GradeReport.not_graded(exercise.id, exercise.points, job.error, str(student.path))


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
              on_result: Callable[[Student, GradeReport], None], scheduler: str | None = None, tls=None,
              lang: str | None = None, on_cluster: Callable[[int, str | None], None] | None = None) -> None:
    """Grade every student, calling `on_result` in this process as each one finishes: here with one job (or one
    student), else on the dask cluster at `scheduler` or on an embedded one of `jobs` workers.
    Ctrl-C raises KeyboardInterrupt here after the last complete result; the rest are not graded."""
    from quizkit.render.i18n import get_lang

    lang = lang or get_lang()
    with _interruptible() as interrupt:
        if scheduler is None and (jobs <= 1 or len(students) <= 1):
            _here(exercise, students, lang, interrupt, on_result)
            return
        with _forkserver() if scheduler is None else nullcontext():
            from quizkit.grading import cluster

            with cluster.open_client(jobs, scheduler, tls) as client:
                cluster.grade_on_cluster(client, exercise, students, lang,
                                         lambda s, r: _deliver(on_result, s, r), on_cluster)


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """Worker processes spawned meanwhile inherit an ignored SIGINT (through exec, unlike a handler): a
    terminal's Ctrl-C, sent to the whole process group, is this process's to handle; it shuts them down in order.
    (A Ctrl-C during these seconds is lost; one that comes later stops the batch.) Workers the nanny restarts
    later are set the same way by GraderPlugin.setup."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _forkserver() -> Iterator[None]:
    """The embedded cluster's workers are forked from a forkserver that imports torch once for all of them and
    gives each a zygote (sandbox/prefork.py). Started first, it imports torch while this process imports dask;
    it ends with the batch, so that the next one forks from this process's environment of then.

    It starts in an empty folder of its own: it is a `python -c` process, whose sys.path begins with its current
    folder, and the current folder may hold students' files (a torch.py there would run in it)."""
    import multiprocessing
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["quizkit.grading.sandbox.prefork"])
    with tempfile.TemporaryDirectory(prefix="quizkit-forkserver-") as empty:
        here = os.getcwd()
        os.chdir(empty)
        try:
            with sigint_ignored():  # inherited by the forkserver, and so by every worker (Ctrl-C is ours)
                forkserver.ensure_running()
        finally:
            os.chdir(here)
        try:
            yield
        finally:
            stop = getattr(forkserver._forkserver, "_stop", None)  # noqa: SLF001 - multiprocessing's only way to end it
            if stop is not None:
                stop()


def _here(exercise, students: list[Student], lang: str, interrupt: _Interrupt,  # type: ignore[no-untyped-def]
          on_result: Callable[[Student, GradeReport], None]) -> None:
    from quizkit.grading.runner import Grader

    grader = Grader(exercise, lang=lang)  # imports torch and the tests once
    for student in students:
        job = read_job(student.path)
        if job.data is None:
            report = unreadable(exercise, student, job)
        else:
            report = parse_report(grade_bytes(grader, exercise, job.filename, job.data), student.path)
        if interrupt.hit:  # pytest caught the KeyboardInterrupt: this report is partial
            raise KeyboardInterrupt
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
