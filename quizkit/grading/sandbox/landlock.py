"""Runs in the sandboxed child, before any student code: Landlock (file system, TCP and signal rules).

Landlock is unprivileged and stacks on the mount namespace: even where no namespace can be made (an ordinary
user on Ubuntu 24.04), it limits reads to the system and Python folders and writes to the work folder.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

from quizkit.grading.sandbox.isolation import libc

SYS_landlock_create_ruleset = 444  # the same number on every architecture (added after the syscall table merge)
SYS_landlock_add_rule = 445
SYS_landlock_restrict_self = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

_FILE_RIGHTS_V1 = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    if sys.platform != "linux":
        return 0  # syscall 444 means something else elsewhere
    c = libc()
    c.syscall.restype = ctypes.c_long
    abi = c.syscall(ctypes.c_long(SYS_landlock_create_ruleset), None, ctypes.c_size_t(0),
                    ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return int(abi) if abi > 0 else 0


def landlock(read_paths: list[str], write_paths: list[str], dev_files: list[str]) -> bool:
    """Allow reading (and executing) read_paths, everything in write_paths, and nothing else on the file system.

    Also denies TCP bind/connect (ABI 4) and scopes abstract unix sockets and signals (ABI 6).
    """
    abi = landlock_abi()
    if abi < 1:
        return False
    c = libc()
    fs = (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_CHAR
          | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK | FS_MAKE_FIFO | FS_MAKE_BLOCK | FS_MAKE_SYM)
    if abi >= 2:
        fs |= FS_REFER
    if abi >= 3:
        fs |= FS_TRUNCATE
    if abi >= 5:
        fs |= FS_IOCTL_DEV
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = c.syscall(ctypes.c_long(SYS_landlock_create_ruleset), ctypes.byref(attr), ctypes.c_size_t(size),
                        ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        file_rights = _FILE_RIGHTS_V1 | (FS_TRUNCATE if abi >= 3 else 0)
        read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
        for path in read_paths:
            _add_rule(c, ruleset, path, read, read & file_rights)
        for path in write_paths:
            _add_rule(c, ruleset, path, fs & ~FS_EXECUTE, fs & file_rights & ~FS_EXECUTE)
        dev = FS_READ_FILE | FS_WRITE_FILE | (FS_IOCTL_DEV if abi >= 5 else 0)
        for path in dev_files:
            _add_rule(c, ruleset, path, dev, dev)
        if c.syscall(ctypes.c_long(SYS_landlock_restrict_self), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return False
    finally:
        os.close(ruleset)
    return True


def _add_rule(c: Any, ruleset: int, path: str, dir_rights: int, file_rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        rights = dir_rights if os.path.isdir(path) else file_rights
        rule = _PathBeneathAttr(rights, fd)
        c.syscall(ctypes.c_long(SYS_landlock_add_rule), ctypes.c_int(ruleset),
                  ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)
