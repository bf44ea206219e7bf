"""The questions a study command works on, with a parsed-bank cache.

Parsing every shipped bank with line numbers takes longer than the rest of answering a question, so the
questions of each bank file that loaded without errors are kept as JSON in `user_home()/cache/`, keyed by the
file's path, size and modification time and by a fingerprint of the loader itself. A hit needs neither YAML nor
quizkit.bank.load. Anything unusual (a changed, broken or duplicate-id bank) goes through
`quizkit.bank.load.load_questions`, so its errors read exactly as the loader words them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from quizkit.bank.files import bank_files
from quizkit.bank.model import Example, KeyPoint, Param, Question

CACHE_NAME = "banks-v2.json"  # v2: group, params, where
_FIELDS = tuple(f.name for f in fields(Question))


def fingerprint() -> str:
    """Changes whenever the loader or the model could parse differently."""
    from quizkit import __version__

    here = Path(__file__).resolve().parent
    parts = [__version__]
    # Every module of the package, so a new reader (rubric.py, ...) is covered without being listed here.
    for path in sorted(here.glob("*.py")):
        try:
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path.name}:?")
    return "|".join(parts)


def _cache_path() -> Path:
    from quizkit.paths import user_home

    return user_home() / "cache" / CACHE_NAME


def _key(path: Path) -> tuple[str, list[int]] | None:
    """(resolved path + the path as given, [size, mtime_ns]); the given form is what Question.bank shows."""
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{path.resolve()}\0{path}", [st.st_size, st.st_mtime_ns]


def _encode(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(q, name)
        if name == "key_points":
            value = [[kp.points, list(kp.any), kp.label, [list(g) for g in kp.all], list(kp.unless), kp.enumeration]
                     for kp in value]
        elif name == "params":
            value = [[p.name, p.kind, list(p.values), p.round] for p in value]
        elif name == "examples":
            value = [[e.answer, e.low, e.high, e.line] for e in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


# A frozen dataclass's __init__ sets each field through object.__setattr__, which is most of a warm load;
# filling __dict__ directly builds the same object (there is no __post_init__ or __slots__ to honour).
_FAST = not hasattr(Question, "__post_init__") and "__slots__" not in Question.__dict__


def _decode(d: dict[str, Any]) -> Question:
    kw: dict[str, Any] = {}
    for name, value in d.items():
        if name == "key_points":
            value = tuple(KeyPoint(p, tuple(a), label, tuple(map(tuple, g)), tuple(u), e)
                          for p, a, label, g, u, e in value)
        elif name == "params":
            value = tuple(Param(n, kind, tuple(vals), rnd) for n, kind, vals, rnd in value)
        elif name == "examples":
            value = tuple(Example(*e) for e in value)
        elif isinstance(value, list):
            value = tuple(value)
        kw[name] = value
    if not _FAST or set(kw) != set(_FIELDS):
        return Question(**kw)
    q = object.__new__(Question)
    q.__dict__.update(kw)
    return q


def _read_cache(path: Path, fp: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("fingerprint") != fp or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


def _write_cache(path: Path, fp: str, entries: dict[str, Any]) -> None:
    """Best effort and atomic: a cache that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fingerprint": fp, "files": entries}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def load_questions(paths: Sequence[str] | None = None) -> list[Question]:
    """The questions of the given banks (default: the shipped ones); raises BankError when a bank has errors."""
    files = bank_files(paths)
    cache = _cache_path()
    fp = fingerprint()
    entries = _read_cache(cache, fp)
    out: list[Question] = []
    seen: set[str] = set()
    dirty = False
    for path in files:
        key = _key(path)
        if key is None:
            return _slow(paths)
        name, stamp = key
        entry = entries.get(name)
        if entry is not None and entry.get("stamp") == stamp:
            questions = [_decode(d) for d in entry["questions"]]
        else:
            from quizkit.bank.load import load_file

            bank, diags = load_file(path)
            if bank is None or any(d.severity == "error" for d in diags):
                return _slow(paths)
            questions = list(bank.questions)
            entries[name] = {"stamp": stamp, "questions": [_encode(q) for q in questions]}
            dirty = True
        for q in questions:
            if q.id in seen:
                return _slow(paths)  # a duplicate id across banks: the loader reports it
            seen.add(q.id)
        out.extend(questions)
    if dirty:
        live = {k: v for k, v in entries.items() if Path(k.partition("\0")[0]).exists()}
        _write_cache(cache, fp, live)
    return out


def _slow(paths: Sequence[str] | None) -> list[Question]:
    from quizkit.bank.load import load_questions as load

    return load(list(paths) if paths else None)
