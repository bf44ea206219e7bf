"""Run a command as an ordinary (unused) uid, from a root test process, with this Python still reachable.

The interpreter may live under a folder others cannot enter (a pyenv under /root, mode 0700). The command runs
in a mount namespace of its own where each such folder is replaced by an empty tmpfs into which only the
interpreter's folders are bind-mounted back: nothing is copied, and no permission on the host changes.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import subprocess
import sys
import sysconfig
from pathlib import Path

CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV = 4096, 0x4000, 1 << 18, 2, 4


def unused_uid(start: int = 23456) -> int:
    uid = start
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if not any(_owner(p) == uid for p in Path("/proc").iterdir() if p.name.isdigit()):
                return uid
        uid += 1


def _owner(p: Path) -> int:
    try:
        return p.stat().st_uid
    except OSError:
        return -1


def python_folders() -> list[str]:
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths |= {v for k, v in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib", "purelib", "platlib")}
    paths |= {p for p in sys.path if p and os.path.isdir(p)}
    return sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})


def _blocked(paths: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for real in paths:
        parts = real.split("/")
        for i in range(2, len(parts)):
            anc = "/".join(parts[:i])
            if not os.stat(anc).st_mode & 0o001:
                out.setdefault(anc, []).append("/".join(parts[: i + 1]))
                break
    return out


def _become(uid: int, blocked: dict[str, list[str]]) -> None:
    """preexec_fn: runs in the forked child, before exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    if blocked:
        if libc.unshare(CLONE_NEWNS) != 0 or libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "private mount namespace")
        for anc, keep in blocked.items():
            fds = [(k, os.open(k, os.O_PATH)) for k in sorted(set(keep))]
            if libc.mount(b"tmpfs", anc.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755,size=64k") != 0:
                raise OSError(ctypes.get_errno(), f"cover {anc}")
            for k, fd in fds:
                os.makedirs(k, exist_ok=True)
                if libc.mount(f"/proc/self/fd/{fd}".encode(), k.encode(), None, MS_BIND | MS_REC, None) != 0:
                    raise OSError(ctypes.get_errno(), f"bind {k}")
                os.close(fd)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def run_as(uid: int, args: list[str], *, env: dict[str, str], cwd: str, timeout: float) -> subprocess.CompletedProcess:
    blocked = _blocked(python_folders())
    return subprocess.run(args, env=env, cwd=cwd, timeout=timeout, capture_output=True, text=True, check=False,
                          preexec_fn=lambda: _become(uid, blocked))  # noqa: PLW1509 - single-threaded test process


