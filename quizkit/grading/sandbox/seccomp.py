"""Runs in the sandboxed child, last before serving: a seccomp filter (classic BPF, built here with ctypes).

The filter refuses, with EPERM, the system calls a graded function never needs and an escape always does:
new sockets and connect() (a unix socket path is not covered by Landlock), ptrace and reading other processes'
memory, mounts, new namespaces, io_uring (which can open sockets behind seccomp's back), bpf and keyrings.
Syscalls of another ABI (i386 or x32 on x86-64) are refused wholesale. Unknown architectures get no filter,
and the report says so.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import sys

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
LD_ABS_W = 0x20  # BPF_LD | BPF_W | BPF_ABS
JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
RET_K = 0x06  # BPF_RET | BPF_K
X32_BIT = 0x40000000
# clone() flags that make namespaces; a plain fork or thread passes.
NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80

_DENIED_NAMES = ("socket", "connect", "bind", "listen", "accept", "accept4", "ptrace", "process_vm_readv",
                 "process_vm_writev", "kcmp", "pidfd_getfd", "mount", "umount2", "pivot_root", "chroot", "unshare",
                 "setns", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
                 "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open", "userfaultfd",
                 "keyctl", "add_key", "request_key")

# (audit arch, syscall numbers, clone, clone3) per machine.
_ARCHES = {
    "x86_64": (0xC000003E, {
        "socket": 41, "connect": 42, "accept": 43, "bind": 49, "listen": 50, "accept4": 288, "ptrace": 101,
        "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "pidfd_getfd": 438, "mount": 165,
        "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 321,
        "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249,
    }, 56, 435),
    "aarch64": (0xC00000B7, {
        "socket": 198, "connect": 203, "accept": 202, "bind": 200, "listen": 201, "accept4": 242, "ptrace": 117,
        "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272, "pidfd_getfd": 438, "mount": 40,
        "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268, "open_tree": 428,
        "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 280,
        "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217, "request_key": 218,
    }, 220, 435),
}


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def supported() -> bool:
    return sys.platform == "linux" and platform.machine() in _ARCHES


def program() -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) for this machine. Jumps are relative: 0 is the next instruction."""
    arch, numbers, clone, clone3 = _ARCHES[platform.machine()]
    deny = RET_ERRNO | errno.EPERM
    nrs = sorted({numbers[name] for name in _DENIED_NAMES})
    prog: list[tuple[int, int, int, int]] = [
        (LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (JEQ_K, 1, 0, arch),
        (RET_K, 0, 0, deny),  # another ABI
        (LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
    ]
    if platform.machine() == "x86_64":
        prog.append((JGE_K, len(nrs) + 6, 0, X32_BIT))  # x32 calls -> the final deny
    for i, nr in enumerate(nrs):
        prog.append((JEQ_K, len(nrs) - i + 5, 0, nr))  # -> the final deny
    prog += [
        (JEQ_K, 0, 1, clone3),
        (RET_K, 0, 0, RET_ERRNO | errno.ENOSYS),  # libc falls back to clone(), whose flags we can read
        (JEQ_K, 0, 2, clone),
        (LD_ABS_W, 0, 0, 16),  # low word of args[0]: the clone flags
        (JSET_K, 1, 0, NAMESPACE_FLAGS),
        (RET_K, 0, 0, RET_ALLOW),
        (RET_K, 0, 0, deny),
    ]
    return prog


def install() -> bool:
    """Load the filter into this (single-threaded) process; needs no_new_privs first. False if unsupported."""
    if not supported():
        return False
    from quizkit.grading.sandbox.isolation import libc

    insns = program()
    array = (_Insn * len(insns))(*[_Insn(*i) for i in insns])
    prog = _Prog(len(insns), ctypes.cast(array, ctypes.POINTER(_Insn)))
    return int(libc().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0)) == 0
