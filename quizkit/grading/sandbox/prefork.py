"""Runs in grade-batch's forkserver, then in each trusted worker forked from it: the embedded cluster's warm start
(--jobs N), one torch import for all its workers and their zygotes.

grade-batch starts its dask workers from a multiprocessing forkserver, itself a fresh interpreter, that imports
this module first: torch, and the code a worker and a zygote run. Nothing of an exercise (tests, reference,
answers) is loaded there, and the forkserver is single-threaded. Each worker is forked from it; before the
worker runs any of dask's code, so still single-threaded and holding nothing secret, the hook below forks its
zygote from it, which then waits for the "fixed" message as a spawned one does (boot.main). The worker's Grader
takes that zygote instead of spawning one (zygote.start_zygote), so neither imports torch again.

Any other process (a worker that dask started some other way, one with a second thread) gets no zygote here and
spawns a fresh interpreter as before.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import tempfile
from multiprocessing import util
from typing import IO

import torch  # noqa: F401 - the point of this module: imported once, before the forks

import quizkit.grading.cluster  # noqa: F401 - what a worker runs
import quizkit.grading.runner  # noqa: F401
import quizkit.grading.sandbox.child  # noqa: F401 - what a zygote's children run
from quizkit.grading.sandbox import boot, isolation

_waiting: tuple[int, socket.socket, IO[bytes], int] | None = None  # pid, our end, its boot log, the owner's pid


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _fork_zygote(_: object) -> None:
    """multiprocessing's after-fork hook, in a new worker before it runs anything else: fork its zygote."""
    global _waiting
    _waiting = None
    if not _single_threaded():
        return
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the zygote's boot errors, read if it goes away
    pid = os.fork()
    if pid == 0:
        try:
            isolation.set_pdeathsig()  # the worker's main thread is the one that forked us
            multiprocessing.current_process().authkey = os.urandom(32)  # the client's: no business of a child
            os.dup2(log.fileno(), 2)
            ours.close()
            boot.main(theirs.fileno())
        finally:
            os._exit(70)
    theirs.close()
    _waiting = (pid, ours, log, os.getpid())


def take() -> tuple[int, socket.socket, IO[bytes]] | None:
    """The zygote forked for this process, waiting for its "fixed" message (once; None if there is none)."""
    global _waiting
    got, _waiting = _waiting, None
    if got is None or got[3] != os.getpid():
        return None
    return got[0], got[1], got[2]


class _Hook:
    """register_after_fork keeps a weak reference to an object: this module's lives as long as the process."""


_HOOK = _Hook()
util.register_after_fork(_HOOK, _fork_zygote)
quizkit.grading.runner.freeze_at_exit()  # the batch waits for the forkserver's end (its children use os._exit)
