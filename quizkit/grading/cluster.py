"""Runs in the trusted supervisor, at both ends of a dask cluster: the client hands out submissions, and each
worker grades them with a warm Grader of its own (its sandbox zygote never forked from the worker's threads).

What crosses the wire, and nothing else: to a worker, the exercise id, the language, a fingerprint of the
exercise, and the submission's file name and bytes; back, the JSON text of the report (GradeReport.to_dict).
dask pickles the task's function (a reference to this module) and those str/bytes arguments, and the str the
task returns; nothing a student wrote is ever pickled or unpickled. dask's own traffic between the client, the
scheduler and the workers is trusted: a cluster belongs on a trusted network (or uses tls://, see security()).
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from quizkit.errors import UsageError
from quizkit.grading.batch import (
    ClusterError,
    grade_bytes,
    parse_report,
    read_job,
    sigint_ignored,
    unreadable,
)
from quizkit.grading.report import GradeReport
from quizkit.render.i18n import t

PLUGIN_NAME = "quizkit-grader"
CONNECT_TIMEOUT_S = 20.0  # how long to try reaching the scheduler
WORKERS_TIMEOUT_S = 120.0  # how long to wait for a first worker on a cluster before saying there is none
RETRIES = 2  # a task that raises is tried again (a worker that dies is the scheduler's allowed-failures)


# -- the worker side ------------------------------------------------------------------------------------------
def fingerprint(exercise: Any) -> str:
    """quizkit's version and every file of the exercise and its reference: a worker must grade with the same."""
    import quizkit

    digest = hashlib.sha256(str(getattr(quizkit, "__version__", "")).encode())
    files = [p for p in sorted(exercise.dir.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    for path in [*files, exercise.reference]:
        digest.update(str(path.relative_to(exercise.dir) if path in files else path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


_lock = threading.Lock()  # one grade at a time per process: a Grader (pytest, the language) is not thread-safe
_graders: dict[tuple[str, str], tuple[Any, Any]] = {}


def _warm(exercise_id: str, lang: str, expected: str) -> tuple[Any, Any]:
    """This process's warm grader for the exercise (made once); call it holding _lock."""
    key = (exercise_id, lang)
    if key not in _graders:
        from quizkit.grading.exercises import load_exercise
        from quizkit.grading.runner import Grader
        from quizkit.render.i18n import set_lang

        exercise = load_exercise(exercise_id)
        if fingerprint(exercise) != expected:
            raise ClusterError(t("batch.cluster.mismatch", exercise=exercise_id, host=os.uname().nodename))
        set_lang(lang)
        _graders[key] = (Grader(exercise, lang=lang), exercise)
    return _graders[key]


def grade_task(exercise_id: str, lang: str, expected: str, filename: str, data: bytes) -> str:
    """The task a worker runs: bytes in, the report's JSON text out."""
    with _lock:
        grader, exercise = _warm(exercise_id, lang, expected)
        return grade_bytes(grader, exercise, filename, data)


class GraderPlugin(WorkerPlugin):
    """Registered from the client: each worker (and each one that joins later) gets a warm grader."""

    def __init__(self, exercise_id: str, lang: str, expected: str, embedded: bool) -> None:
        self.exercise_id, self.lang, self.expected = exercise_id, lang, expected
        self.embedded = embedded  # a worker of grade-batch's own cluster: Ctrl-C is the command's to handle

    async def setup(self, worker: Any) -> None:
        from distributed.utils import offload

        if self.embedded and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        # The grader (torch, the tests, the zygote) is made off the event loop, on distributed's offload thread:
        # it lives as long as the worker, as the zygote's death signal needs (it follows the starting thread).
        await offload(self._warm_locked)

    def _warm_locked(self) -> None:
        with _lock:
            _warm(self.exercise_id, self.lang, self.expected)

    def teardown(self, worker: Any) -> None:
        """When the worker closes (not when a second batch registers the same plugin): stop the sandboxes, so
        the grade under way ends now instead of holding the worker's shutdown."""
        from distributed.core import Status

        from quizkit.grading.sandbox import supervisor, zygote

        if worker.status in (Status.closing, Status.closing_gracefully, Status.closed):
            zygote.close_all()
            supervisor.kill_live()


# -- the client side ------------------------------------------------------------------------------------------
def security(tls_ca: Path | None, tls_cert: Path | None, tls_key: Path | None) -> Any:
    """distributed's Security for a tls:// scheduler: our certificate and the CA that signed the cluster's
    (None without them; the command has checked that they come together)."""
    if tls_ca is None or tls_cert is None or tls_key is None:
        return None
    for path in (tls_ca, tls_cert, tls_key):
        if not path.is_file():
            raise UsageError(t("cli.no_such_file", path=path))
    from distributed.security import Security

    return Security(tls_ca_file=str(tls_ca), tls_client_cert=str(tls_cert), tls_client_key=str(tls_key),
                    require_encryption=True)


def check_address(address: str, tls: Any) -> None:
    scheme, sep, rest = address.partition("://")
    host, colon, port = rest.rpartition(":")
    if not sep or scheme not in ("tcp", "tls") or not colon or not host or not port.isdigit():
        raise UsageError(t("batch.usage.scheduler_address", address=address))
    if scheme == "tls" and tls is None:
        raise UsageError(t("batch.usage.tls_needs_files", address=address))


@contextmanager
def open_client(jobs: int, scheduler: str | None, tls: Any = None) -> Iterator[Any]:
    """A client of the cluster at `scheduler`, or of an embedded one: `jobs` single-threaded worker processes
    on this machine, nothing listening beyond 127.0.0.1."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            remote = Client(scheduler, security=tls, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as err:
            raise ClusterError(t("batch.cluster.unreachable", address=scheduler, error=err)) from None
        try:
            yield remote
        finally:
            remote.close()
        return
    cluster: LocalCluster | None = None
    client: Client | None = None
    # Workers (and any the nanny restarts) are forked from the forkserver that grade_all started (batch.py).
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        try:
            with sigint_ignored():
                # Everything on 127.0.0.1; the scheduler's HTTP server (no dashboard without bokeh) on a free port.
                # dask's logs stay quiet: this command reports what fails (a heartbeat lost while the cluster
                # shuts down after Ctrl-C is not news).
                cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0", memory_limit=0,
                                       silence_logs=logging.CRITICAL)
                client = Client(cluster)
            yield client
        finally:
            with sigint_ignored():  # a second Ctrl-C must not leave the workers running
                if client is not None:
                    client.close()
                if cluster is not None:
                    cluster.close(timeout=20)


def dashboard(client: Any) -> str | None:
    """The dashboard's address on a real cluster (the embedded one has none)."""
    if client.cluster is not None:
        return None
    try:
        if "dashboard" not in client.scheduler_info().get("services", {}):
            return None
        return str(client.dashboard_link)
    except Exception:  # noqa: BLE001 - no dashboard is no dashboard
        return None


def grade_on_cluster(client: Any, exercise: Any, students: list[Any], lang: str,
                     deliver: Callable[[Any, GradeReport], None],
                     on_start: Callable[[int, str | None], None] | None = None) -> None:
    """Grade every student on the cluster, delivering each report as it arrives. A worker that dies has its task
    run elsewhere; a submission that keeps killing workers scores 0 with the reason."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    expected = fingerprint(exercise)
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError:
        raise ClusterError(t("batch.cluster.no_workers", address=client.scheduler.address,
                             seconds=int(WORKERS_TIMEOUT_S))) from None
    try:
        client.register_plugin(GraderPlugin(exercise.id, lang, expected, client.cluster is not None),
                               name=f"{PLUGIN_NAME}-{exercise.id}-{lang}")
    except ClusterError:
        raise
    except Exception as err:  # noqa: BLE001 - whatever a worker raised while preparing, in one line
        raise ClusterError(t("batch.cluster.setup_failed", exercise=exercise.id, error=err)) from None
    if on_start is not None:
        on_start(len(client.scheduler_info().get("workers", {})), dashboard(client))
    futures = {}
    for index, student in enumerate(students):
        job = read_job(student.path)
        if job.data is None:
            deliver(student, unreadable(exercise, student, job))
            continue
        future = client.submit(grade_task, exercise.id, lang, expected, job.filename, job.data,
                               key=f"grade-{exercise.id}-{index}", pure=False, retries=RETRIES)
        futures[future] = student
    done = as_completed(list(futures), with_results=False)
    try:
        for future in done:
            student = futures[future]
            try:
                text = future.result()
            except KilledWorker:
                report = GradeReport.not_graded(exercise.id, exercise.points, t("batch.cluster.killed_worker"),
                                                str(student.path))
            except ClusterError:
                raise
            except Exception as err:  # noqa: BLE001
                raise ClusterError(t("batch.cluster.task_failed", student=student.name, error=err)) from None
            else:
                report = parse_report(str(text), student.path)
            deliver(student, report)
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
