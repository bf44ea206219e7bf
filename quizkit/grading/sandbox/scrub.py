"""Runs in the zygote before it serves anyone: forget any grading secret it finds in its memory.

The zygote is a fresh interpreter, or a fork of grade-batch's forkserver, and neither ever loads an exercise's
tests or reference: this is defence in depth, and it costs nothing when it finds nothing.

Also used by the child: torch with one thread (libgomp's pool does not survive fork).
"""

from __future__ import annotations

import os
import sys
import types
from typing import Any


def scrub_memory(secrets: list[str]) -> None:
    """Forget any exercise test or reference module this process had imported before forking the zygote."""
    import gc
    import linecache

    prefixes = tuple(s.rstrip("/") + "/" for s in secrets)
    dropped = False
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if name.startswith("quizkit_reference_") or (f and os.path.realpath(f).startswith(prefixes)):
            del sys.modules[name]
            dropped = True
    plugin = sys.modules.get("quizkit.grading.harness.plugin")
    if plugin is not None and getattr(plugin, "_references", None):
        plugin._references.clear()  # type: ignore[attr-defined]
        dropped = True
    linecache.clearcache()
    if dropped:  # then also what outlives the module (a walk over every object: ~0.1 s beside torch)
        gc.collect()
        _neutralise(prefixes)


def _neutralise(prefixes: tuple[str, ...]) -> None:
    """Objects from a secret file may outlive their module (held by someone else): empty them in this copy."""
    import gc

    def blank(*args: Any, **kwargs: Any) -> None:
        return None

    function, module = types.FunctionType, types.ModuleType
    secret: dict[str, bool] = {}

    def is_secret(filename: str) -> bool:
        known = secret.get(filename)
        if known is None:
            known = secret[filename] = bool(filename) and os.path.realpath(filename).startswith(prefixes)
        return known

    for obj in gc.get_objects():
        kind = type(obj)  # not isinstance: that would run lazy objects' __class__ properties
        try:
            if kind is function:
                if is_secret(obj.__code__.co_filename):
                    try:
                        obj.__code__ = blank.__code__
                    except ValueError:  # a closure: its code cannot be swapped, but its globals can go
                        pass
                    obj.__globals__.clear()
            elif (kind is module or issubclass(kind, module)) and is_secret(obj.__dict__.get("__file__") or ""):
                obj.__dict__.clear()
        except Exception:  # noqa: BLE001, S110 - best effort on odd objects
            pass


def single_thread_torch() -> None:
    # libgomp's thread pool does not survive fork; with one thread torch never enters a parallel region.
    os.environ["OMP_NUM_THREADS"] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.set_num_threads(1)
        except Exception:  # noqa: BLE001, S110 - a torch without threads settings is fine
            pass
