"""Runs in the trusted supervisor: which isolation layers this machine gives a child, and why any is missing.

The layers in force are not guessed: a real sandboxed child is started and its hello lists them. Only the
reasons for the missing ones are worked out from the kernel's settings (`quizkit doctor`).
"""

from __future__ import annotations

import ctypes
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

from quizkit.errors import QuizkitError
from quizkit.grading.sandbox import layers
from quizkit.render.i18n import STRINGS

_NAMESPACED = (layers.PID_NAMESPACE, layers.NETWORK, layers.MOUNT, layers.WORKDIR_TMPFS)


@dataclass(frozen=True)
class Diagnosis:
    in_force: list[str]  # layer ids a child got
    missing: dict[str, str] = field(default_factory=dict)  # required layer id -> why this machine lacks it
    uid: int = 0

    @property
    def full(self) -> bool:
        return not self.missing


def _t(key: str, lang: str, **args: object) -> str:
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**args) if args else text


def layers_in_force(disable: tuple[str, ...] = ()) -> list[str]:
    """Start one sandboxed child (with default limits) and return the layer ids its hello reports."""
    from quizkit.grading.sandbox import zygote
    from quizkit.grading.sandbox.limits import Limits
    from quizkit.grading.sandbox.supervisor import Sandbox

    zygote.start_zygote(key=zygote.switched_off(disable))
    box = Sandbox(Limits(), disable=tuple(disable))
    try:
        box.start()
        return list(box.isolation)
    finally:
        box.close()


def diagnose(lang: str = "en", disable: tuple[str, ...] = ()) -> Diagnosis:
    from quizkit.grading.sandbox import zygote

    in_force = layers_in_force(disable)
    switched = zygote.switched_off(disable)
    is_root = os.geteuid() == 0
    missing = {layer: _reason(layer, lang, switched, is_root) for layer in layers.missing(in_force, is_root)}
    return Diagnosis(in_force, missing, os.geteuid())


def require_full_isolation(disable: tuple[str, ...] = (), lang: str = "en") -> None:
    """For instructors: refuse (QuizkitError, exit 1) unless the child gets every required layer."""
    missing = layers.missing(layers_in_force(disable), os.geteuid() == 0)
    if missing:
        raise QuizkitError(_t("doctor.refuse", lang, layers="; ".join(layers.label(m, lang) for m in missing)))


def _reason(layer: str, lang: str, switched: frozenset[str], is_root: bool) -> str:
    system = platform.system()
    if system != "Linux":
        return _t("reason.not_linux", lang, system=system)
    if layer in switched or (layer == layers.WORKDIR_TMPFS and layers.MOUNT in switched):
        return _t("reason.switched_off", lang)
    if layer == layers.UID:
        return _t("reason.not_root", lang)
    if layer == layers.LANDLOCK:
        from quizkit.grading.sandbox.landlock import landlock_abi

        return _t("reason.no_landlock", lang) if landlock_abi() < 1 else _t("reason.unknown", lang)
    if layer == layers.SECCOMP:
        from quizkit.grading.sandbox import seccomp

        if not seccomp.supported():
            return _t("reason.no_seccomp_arch", lang, machine=platform.machine())
        return _t("reason.no_seccomp", lang)
    if layer in _NAMESPACED and not is_root:
        detail = userns_block(lang)
        if detail:
            return _t("reason.no_userns", lang, detail=detail)
    return _t("reason.unknown", lang)


def userns_block(lang: str = "en") -> str:
    """Why an unprivileged user namespace cannot be made here ('' when it can)."""
    for path, bad, key in (("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1", "reason.apparmor_userns"),
                           ("/proc/sys/kernel/unprivileged_userns_clone", "0", "reason.userns_clone"),
                           ("/proc/sys/user/max_user_namespaces", "0", "reason.userns_max")):
        try:
            if Path(path).read_text().strip() == bad:
                return _t(key, lang)
        except OSError:
            continue
    err = _try_userns()
    return _t("reason.userns_other", lang, error=os.strerror(err)) if err else ""


def _try_userns() -> int:
    """0 if a child process can unshare a user namespace, else its errno."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the probe process
        code = 0
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x10000000) != 0:
                code = ctypes.get_errno() or 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
