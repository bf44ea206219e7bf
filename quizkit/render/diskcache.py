"""A small JSON cache in user_home()/cache/: read on first use, written back once at exit, atomically.

Rendering work that needs a slow import (markdown-it-py for Markdown) is kept here, keyed by its source, so a
question seen before is shown without that import. A cache that cannot be read or written only costs speed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class DiskCache:
    def __init__(self, name: str, fingerprint: str):
        self.name = name
        self.fingerprint = fingerprint  # a stale cache (other code, other version) is ignored
        self._data: dict[str, Any] | None = None
        self._path: Path | None = None  # fixed when read, so the exit-time save goes to the same place
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            self._data = {}
            try:
                from quizkit.paths import user_home

                self._path = user_home() / "cache" / self.name
                data = json.loads(self._path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("fingerprint") == self.fingerprint:
                    entries = data.get("entries")
                    self._data = entries if isinstance(entries, dict) else {}
            except (OSError, ValueError, AttributeError):
                pass
        return self._data

    def get(self, key: str) -> Any:
        return self._load().get(key)

    def put(self, key: str, value: Any) -> None:
        self._load()[key] = value
        if not self._dirty:
            self._dirty = True
            import atexit

            atexit.register(self.save)

    def save(self) -> None:
        if not self._data or self._path is None:
            return
        try:
            path = self._path
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"fingerprint": self.fingerprint, "entries": self._data}, ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass


def file_fingerprint(*files: str) -> str:
    parts = []
    for f in files:
        try:
            st = Path(f).stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:  # pragma: no cover
            parts.append("?")
    return ";".join(parts)
