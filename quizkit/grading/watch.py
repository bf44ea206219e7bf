"""Runs in the trusted supervisor: wait for a file to be saved (inotify where Linux offers it, polling elsewhere)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import struct
import time
from pathlib import Path

IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
_EVENT = struct.Struct("iIII")


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class Watcher:
    """`wait()` returns once the file has changed since the last call. Editors that save by writing a new file
    and renaming it over the old one are covered: the folder is watched, not the file."""

    def __init__(self, path: Path, *, poll_interval: float = 0.1, use_events: bool = True):
        self.path = path
        self.poll_interval = poll_interval
        self.last = _stamp(path)
        self.fd = self._inotify(path.parent) if use_events else None

    @property
    def mode(self) -> str:
        return "inotify" if self.fd is not None else "polling"

    @staticmethod
    def _inotify(folder: Path) -> int | None:
        name = ctypes.util.find_library("c")
        if not name:
            return None
        try:
            libc = ctypes.CDLL(name, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if fd < 0:
                return None
            mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE
            if libc.inotify_add_watch(fd, os.fsencode(str(folder.resolve())), mask) < 0:
                os.close(fd)
                return None
            return int(fd)
        except (OSError, AttributeError):
            return None

    def _events_name_the_file(self) -> bool:
        assert self.fd is not None
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return False
        target, offset, hit = os.fsencode(self.path.name), 0, False
        while offset + _EVENT.size <= len(data):
            _, _, _, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size: offset + _EVENT.size + length].rstrip(b"\0")
            hit = hit or name == target
            offset += _EVENT.size + length
        return hit

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the file changes (True) or the timeout passes (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            step = self.poll_interval if remaining is None else min(self.poll_interval, remaining)
            if self.fd is not None:
                ready, _, _ = select.select([self.fd], [], [], step if remaining is not None else None)
                if ready and not self._events_name_the_file():
                    if deadline is not None and time.monotonic() >= deadline:
                        return False
                    continue
            else:
                time.sleep(step)
            stamp = _stamp(self.path)
            if stamp is not None and stamp != self.last:
                self.last = stamp
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
