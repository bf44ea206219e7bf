"""Runs on both sides: the ids of the isolation layers, and their labels for reports (from render/i18n.py).

A layer id is an identifier that travels in the child's hello and in the JSON report; a person reads its
label, looked up by key `layer.<id>` in the one string catalogue.
"""

from __future__ import annotations

PROCESS = "process"  # a separate forked process in its own session
PID_NAMESPACE = "pid_namespace"  # its own PID namespace: killing its init kills everything it started
SUBREAPER = "subreaper"  # without a PID namespace: orphans come back to the zygote, which kills them
NETWORK = "network_namespace"  # an empty network namespace: no network at all, not even 127.0.0.1
MOUNT = "mount_namespace"  # a private root: system and Python folders read-only, and the work folder
WORKDIR_TMPFS = "workdir_tmpfs"  # the work folder is a private, size-limited tmpfs
WORKDIR = "workdir"  # a fresh temporary work folder (no size limit)
LANDLOCK = "landlock"  # reads only system/Python paths, writes only the work folder, no TCP, no signals out
SECCOMP = "seccomp"  # no new sockets, no connect, no ptrace, no mounts or namespaces
UID = "uid"  # (as root) a private throw-away uid, so the process limit binds and nothing else is reachable
RLIMITS = "rlimits"  # CPU, memory, processes, file size, open files
ENV = "env"  # a scrubbed environment
OPERATORS = "operators"  # every aten operator student code runs is checked against the exercise's allowlist
STATIC_SCAN = "static_scan"  # (supervisor) imports allowlist, forbidden names, no reflection; see forbidden/

ALL = (PROCESS, PID_NAMESPACE, SUBREAPER, NETWORK, MOUNT, WORKDIR_TMPFS, WORKDIR, LANDLOCK, SECCOMP, UID, RLIMITS,
       ENV, OPERATORS, STATIC_SCAN)
# The set `grade --require-isolation` insists on (a private uid only where the grader runs as root).
REQUIRED = (PROCESS, PID_NAMESPACE, NETWORK, MOUNT, WORKDIR_TMPFS, LANDLOCK, SECCOMP, RLIMITS, ENV)

# QUIZKIT_SANDBOX_DISABLE / Grader(disable=...) names -> the layer they turn off (debugging, fallback tests).
SWITCHES = {"pid": PID_NAMESPACE, "net": NETWORK, "mount": MOUNT, "landlock": LANDLOCK, "seccomp": SECCOMP,
            "uid": UID, "reaper": SUBREAPER}


def required(is_root: bool) -> tuple[str, ...]:
    return REQUIRED + ((UID,) if is_root else ())


def missing(layers: list[str], is_root: bool) -> list[str]:
    """The required layers that are not in `layers`, in catalogue order."""
    return [layer for layer in required(is_root) if layer not in layers]


def label(layer: str, lang: str = "en") -> str:
    """The reader's name of a layer; an unknown id (e.g. from an old report) is shown as it is."""
    from quizkit.render.i18n import STRINGS

    pair = STRINGS.get(f"layer.{layer}")
    if pair is None:
        return layer
    return pair[0] if lang == "zh" else pair[1]


def labels(layers: list[str], lang: str = "en") -> list[str]:
    return [label(layer, lang) for layer in layers]
