"""Runs in the sandboxed child: set up the isolation layers, then serve the supervisor's requests.

The keeper (spawner.py) has already entered the namespaces. The child sets up the rest (isolation.py,
landlock.py, seccomp.py), installs the forbidden-API guard, and then serves requests over its socket: load the
student's file, call a function, make an object, call a method, run a probe (server.py). Replies carry plain
data only (codec.py).
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit.grading.sandbox import isolation, landlock, layers, seccomp
from quizkit.grading.sandbox.limits import Limits
from quizkit.grading.sandbox.scrub import single_thread_torch
from quizkit.grading.sandbox.server import Server
from quizkit.render.i18n import set_lang

if TYPE_CHECKING:
    import socket

    from quizkit.grading.sandbox.spawner import Fixed


@dataclass
class _Setup:
    layers: list[str] = field(default_factory=lambda: [layers.PROCESS])
    uid: int | None = None
    tmpfs: bool = False


def child_main(sock: socket.socket, out_w: int, config: dict[str, Any], fixed: Fixed, made: set[str],
               uid: int | None, userns: bool) -> None:
    """The child proper. `made`: the namespaces the keeper entered; `uid`: a private uid to drop to (root)."""
    # The request's language, not the one the zygote forked in: a warm zygote serves grades in zh and en.
    set_lang(config.get("lang") if config.get("lang") in ("zh", "en") else "en")
    os.setsid()
    isolation.set_pdeathsig()
    setup = _Setup(uid=uid)
    if "pid" in made:
        setup.layers.append(layers.PID_NAMESPACE)
    elif layers.SUBREAPER not in fixed.switched_off:
        setup.layers.append(layers.SUBREAPER)  # the zygote kills whatever comes back to it
    if "net" in made:
        setup.layers.append(layers.NETWORK)
    _redirect_output(sock, out_w)
    limits = Limits(**config["limits"])
    secrets = sorted(set(fixed.secrets) | {str(s) for s in config.get("secrets", [])})
    workdir = Path(config["workdir"])
    _file_system(setup, workdir, limits, secrets, mount="mount" in made, fresh_proc="pid" in made)
    _environment(setup, workdir, secrets)
    isolation.set_rlimits(limits, extra_processes=1 if userns else 0)
    setup.layers.append(layers.RLIMITS)
    _lock_down(setup, fixed, workdir, secrets)
    server = Server(sock, config, setup.layers)
    server.hello(uid=setup.uid)
    server.serve()


def _redirect_output(sock: socket.socket, out_w: int) -> None:
    """stdout and stderr go to a pipe the supervisor drains and caps; stdin is empty; no other file is open."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.close(out_w)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin  # type: ignore[misc]
    isolation.close_fds({sock.fileno()})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _file_system(setup: _Setup, workdir: Path, limits: Limits, secrets: list[str], *, mount: bool,
                 fresh_proc: bool) -> None:
    """A private root with only system and Python folders and the work folder, or (without a mount
    namespace) the shared file system, where Landlock alone keeps the child to its folder."""
    size = max(32, 4 * int(limits.file_size_mb))
    if mount:
        try:
            reads = isolation.readable_roots([Path(s) for s in secrets])
            setup.tmpfs = isolation.private_root(reads, workdir, size, setup.uid, fresh_proc)
            setup.layers.append(layers.MOUNT)
        except OSError:
            mount = False  # half-built: what was mounted stays; Landlock still applies
    if not mount and setup.uid is not None and isolation.blocked_ancestors(isolation.python_paths()):
        setup.uid = None  # the private uid could not reach the interpreter (e.g. a pyenv under /root, 0700)
    if not setup.tmpfs and setup.uid is not None:
        os.chown(workdir, setup.uid, setup.uid)
    os.chmod(workdir, 0o700)
    setup.layers.append(layers.WORKDIR_TMPFS if setup.tmpfs else layers.WORKDIR)
    os.chdir(workdir)


def _environment(setup: _Setup, workdir: Path, secrets: list[str]) -> None:
    home = str(workdir)
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
                       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    setup.layers.append(layers.ENV)
    sys.dont_write_bytecode = True
    import tempfile

    tempfile.tempdir = home
    sys.path[:] = [p for p in sys.path if p and not any(p.startswith(s) for s in secrets)]
    single_thread_torch()


def _lock_down(setup: _Setup, fixed: Fixed, workdir: Path, secrets: list[str]) -> None:
    """The last steps, in an order that matters: uid, capabilities, no_new_privs, Landlock, seccomp."""
    if setup.uid is not None:
        try:
            isolation.drop_privileges(setup.uid)
            setup.layers.append(layers.UID)
        except OSError:
            setup.uid = None
    isolation.drop_capabilities()
    isolation.no_new_privs()
    isolation.set_pdeathsig()  # cleared by the uid change
    if layers.LANDLOCK not in fixed.switched_off:
        reads = isolation.readable_roots([Path(s) for s in secrets])
        devs = [d for d in isolation.DEV_FILES if os.path.exists(d)]
        if landlock.landlock(reads, [str(workdir)], devs):
            setup.layers.append(layers.LANDLOCK)
    if layers.SECCOMP not in fixed.switched_off and seccomp.install():
        setup.layers.append(layers.SECCOMP)
