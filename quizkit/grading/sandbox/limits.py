"""Resource limits of the sandboxed child: defaults here, overridable per exercise in exercise.yaml `limits:`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from quizkit.errors import QuizkitError
from quizkit.render.i18n import t


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 10.0  # wall time of one proxied call (and of importing the submission)
    total_seconds: float = 60.0  # wall time the whole submission may spend in the sandbox
    cpu_seconds: float = 60.0  # CPU time of one child process (RLIMIT_CPU; a restarted child starts again)
    memory_mb: int = 1024  # address space the child may add on top of the forked interpreter (RLIMIT_AS)
    processes: int = 1  # processes/threads the child may create beyond itself (RLIMIT_NPROC, unique uid)
    file_size_mb: int = 16  # largest file the child may write (RLIMIT_FSIZE); its tmpfs holds 4x this
    output_kb: int = 64  # stdout+stderr the child may print; more fails the running test

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, *, where: str = "limits") -> Limits:
        """Build from exercise.yaml `limits:`; unknown keys and non-positive numbers are errors naming `where`."""
        if not data:
            return cls()
        if not isinstance(data, Mapping):
            raise QuizkitError(t("yaml.limits", where=where))
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise QuizkitError(t("yaml.unknown_limit", where=where, name=key, known=", ".join(known)))
            if key == "processes":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise QuizkitError(t("yaml.processes", where=where, got=repr(value)))
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise QuizkitError(t("yaml.positive", where=where, name=key, got=repr(value)))
            values[key] = value
        return cls(**values)

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
