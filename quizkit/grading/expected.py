"""Runs in the trusted supervisor: the reference's answers, computed once and reused, or replayed from a recording.

`expected(target, *args, **kwargs)` is how a grading test gets the reference's answer. The grading session that
is running (the plugin makes its `Answers` current) says where the answer comes from:

- compute (the instructor's build): reference/<id>.py is imported here and called. The answer is kept for the
  life of the process (a warm Grader, a batch worker: once for every student) and in a disk cache under the
  user's data folder, valid while the reference, the tests, the probes, exercise.yaml and torch stay the same.
- replay (a student build, which has no reference): the answers its visible tests need were recorded by the
  instructor in exercises/<id>/expected.json and are read back; an answer that was not recorded fails the check
  with a message, not a traceback.

An answer is keyed by the exercise, the target's name and the wire encoding of the inputs (every tensor by dtype,
shape and bytes), so different inputs never share an answer. Each call decodes a fresh copy, so a test that
changes what it got cannot change what the next student is compared with. Files are JSON (tensor bytes in
base64, floats written exactly as repr round-trips them); nothing is pickled.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from quizkit.render.i18n import t

FORMAT = 1
RECORDING = "expected.json"  # beside exercise.yaml in a student build
Entry = tuple[Any, bytearray]  # (the codec's JSON value, the tensor bytes it points into)

_current: contextvars.ContextVar[Answers | None] = contextvars.ContextVar("quizkit_expected", default=None)
_memo: dict[str, dict[str, Entry]] = {}  # fingerprint -> key -> answer (this process)
_on_disk: set[str] = set()  # fingerprints whose disk cache this process has read
_recordings: dict[tuple[str, int, int], dict[str, Entry]] = {}  # (path, mtime, size) -> a parsed recording
_references: dict[str, ModuleType] = {}


class NotRecorded(AssertionError):
    """A student build has no answer for this check (or its recording is missing or damaged): the test fails
    with this message."""


class withheld:  # noqa: N801 - it stands in for the helper's own name
    """What the student build puts where an @instructor_only helper of a test file was: calling it is a check
    that was not recorded."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotRecorded(t("expected.not_recorded"))


class BadFile(ValueError):
    """A cache or recording that cannot be read back: what is wrong with it."""


def expected(target: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The reference's answer for these inputs.

    target: the name of a callable on the reference module ("sigmoid", "softmax"), or a function called as
    target(reference_module, *args, **kwargs) (e.g. probes.trajectory). The result must be data the wire codec
    encodes (tensors, numbers, str, bool, None, lists/tuples/dicts of those)."""
    answers = _current.get()
    if answers is None:
        raise RuntimeError("expected() works only inside a grading session (quizkit grade, dev check, ...)")
    return answers.get(target, args, kwargs)


def load_reference(path: Path) -> ModuleType:
    """Import reference/<id>.py in the trusted process (once per path)."""
    key = str(Path(path).resolve())
    mod = _references.get(key)
    if mod is None:
        name = "quizkit_reference_" + Path(path).stem
        spec = importlib.util.spec_from_file_location(name, key)
        if spec is None or spec.loader is None:
            raise FileNotFoundError(key)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _references[key] = mod
    return mod


# -- one grading session ----------------------------------------------------------------------------------------
@dataclass
class Answers:
    """Where one grading session's expected() answers come from; `used` is every answer it handed out (what a
    recording of this session holds)."""

    exercise_id: str
    reference: Path | None  # None: replay from `recording`
    recording: Path | None = None
    fingerprint: str = ""
    cache_file: Path | None = None
    used: dict[str, Entry] = field(default_factory=dict)
    fresh: bool = False  # computed an answer the disk cache does not have yet

    @classmethod
    def for_exercise(cls, exercise: Any) -> Answers:
        """Compute with the exercise's reference when it has one, else replay its recording."""
        if Path(exercise.reference).is_file():
            fp = fingerprint(exercise)
            return cls(exercise.id, Path(exercise.reference), fingerprint=fp, cache_file=cache_file(exercise))
        return cls(exercise.id, None, recording=Path(exercise.dir) / RECORDING)

    @property
    def replay(self) -> bool:
        return self.reference is None

    def activate(self) -> contextvars.Token[Answers | None]:
        """Make this the session expected() answers from (the plugin does, at the start of pytest's session)."""
        return _current.set(self)

    @staticmethod
    def deactivate(token: contextvars.Token[Answers | None]) -> None:
        _current.reset(token)

    def get(self, target: str | Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from quizkit.grading.wire.codec import decode

        name = target_name(target)
        key, inputs = answer_key(self.exercise_id, name, args, kwargs)
        entry = self._replayed(key) if self.replay else self._computed(key, target, name, inputs)
        self.used[key] = entry
        return decode(entry[0], entry[1])

    def _replayed(self, key: str) -> Entry:
        assert self.recording is not None
        entries = read_recording(self.recording)
        if key not in entries:
            raise NotRecorded(t("expected.not_recorded"))
        return entries[key]

    def _computed(self, key: str, target: Any, name: str, inputs: Entry) -> Entry:
        memo = _memo.setdefault(self.fingerprint, {})
        if self.fingerprint not in _on_disk:
            _on_disk.add(self.fingerprint)
            if self.cache_file is not None:
                memo.update({k: v for k, v in read_cache(self.cache_file, self.fingerprint).items() if k not in memo})
        entry = memo.get(key)
        if entry is None:
            entry = memo[key] = self._call(target, name, inputs)
            self.fresh = True
        return entry

    def _call(self, target: Any, name: str, inputs: Entry) -> Entry:
        from quizkit.grading.wire.codec import decode, encode

        assert self.reference is not None
        module = load_reference(self.reference)
        args, kwargs = decode(inputs[0], inputs[1], generators=True)  # fresh copies; Seeded -> a torch.Generator
        fn = getattr(module, target) if isinstance(target, str) else target
        result = fn(*args, **kwargs) if isinstance(target, str) else fn(module, *args, **kwargs)
        try:
            obj, blobs, _ = encode(result)
        except TypeError as err:
            raise TypeError(f"expected({name}): the reference's answer cannot be recorded: {err}") from None
        return obj, bytearray(b"".join(blobs))

    def flush(self) -> None:
        """Write the answers computed in this session to the disk cache (merged with what another process may
        have written meanwhile); a cache that cannot be written only costs time."""
        if not self.fresh or self.cache_file is None:
            return
        from quizkit.errors import QuizkitError

        entries = dict(read_cache(self.cache_file, self.fingerprint))
        entries.update(_memo.get(self.fingerprint, {}))
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            write_entries(self.cache_file, entries, exercise=self.exercise_id, fingerprint=self.fingerprint)
        except (OSError, QuizkitError):
            return
        self.fresh = False


# -- keys --------------------------------------------------------------------------------------------------------
def target_name(target: Any) -> str:
    """A name that is the same in every process: a reference attribute, or the defining file's name and the
    function's qualified name (a probes module loaded from a path has an arbitrary module name)."""
    if isinstance(target, str):
        if not target.isidentifier():
            raise TypeError(f"expected(): {target!r} is not the name of a function of the reference")
        return f"reference.{target}"
    code = getattr(target, "__code__", None)
    qual = getattr(target, "__qualname__", None)
    if not callable(target) or code is None or not isinstance(qual, str) or "<" in qual:
        raise TypeError(f"expected(): the target must be a reference function's name or a module-level function "
                        f"(not {target!r}), so that its answer can be recognised in another process")
    return f"{Path(code.co_filename).name}:{qual}"


def answer_key(exercise_id: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, Entry]:
    """(the sha256 key, the encoded inputs). A torch.Generator or a child's handle cannot be keyed: a generator's
    state is more than its seed (pass Seeded(seed)), and a handle's object lives in the child."""
    from quizkit.grading.wire.codec import encode

    _refuse_live(args)
    _refuse_live(kwargs)
    try:
        obj, blobs, _ = encode([list(args), dict(sorted(kwargs.items()))])
    except TypeError as err:
        raise TypeError(f"expected({name}): an input cannot be keyed: {err}") from None
    blob = b"".join(blobs)
    head = json.dumps([FORMAT, exercise_id, name, obj], sort_keys=True, separators=(",", ":"), allow_nan=False)
    digest = hashlib.sha256(head.encode("utf-8") + b"\0" + blob).hexdigest()
    return digest, (obj, bytearray(blob))


def _refuse_live(value: Any, depth: int = 0) -> None:
    import sys

    from quizkit.grading.wire.codec import HandleRef

    torch = sys.modules.get("torch")
    if torch is not None and type(value) is torch.Generator:
        raise TypeError("expected(): pass Seeded(seed) instead of a torch.Generator (a generator's state is more "
                        "than its seed, so it cannot be recognised again)")
    if isinstance(value, HandleRef) or type(value).__name__ == "Handle":
        raise TypeError("expected(): an object living in the sandboxed child cannot be an input of the reference")
    if depth < 64 and isinstance(value, (list, tuple)):
        for v in value:
            _refuse_live(v, depth + 1)
    elif depth < 64 and isinstance(value, dict):
        for v in value.values():
            _refuse_live(v, depth + 1)


def fingerprint(exercise: Any) -> str:
    """What the answers depend on besides their inputs: the reference, the tests, the probes, exercise.yaml and
    the torch version."""
    import torch

    h = hashlib.sha256(f"quizkit-expected {FORMAT} torch {torch.__version__}\0".encode())
    folder = Path(exercise.dir)
    for path in (Path(exercise.reference), Path(exercise.test_file), folder / "probes.py", folder / "exercise.yaml"):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<none>")
        h.update(b"\0")
    return h.hexdigest()


def cache_dir() -> Path:
    from quizkit.paths import user_home

    return user_home() / "cache" / "expected"


def cache_file(exercise: Any) -> Path:
    """One file per exercise (and per copy of it: a second checkout does not overwrite the first one's)."""
    where = hashlib.sha256(str(Path(exercise.dir).resolve()).encode()).hexdigest()[:12]
    return cache_dir() / f"{exercise.id}-{where}.json"


# -- files --------------------------------------------------------------------------------------------------------
def _digest(entries: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(entries, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_entries(path: Path, entries: dict[str, Entry], **head: str) -> None:
    """JSON: the codec's value and the base64 of its tensor bytes per key, with a checksum over them."""
    from quizkit.paths import write_atomic

    out = {k: {"value": obj, "data": base64.b64encode(bytes(blob)).decode("ascii")}
           for k, (obj, blob) in sorted(entries.items())}
    doc = {"quizkit": "expected", "format": FORMAT, **head, "digest": _digest(out), "entries": out}
    write_atomic(path, json.dumps(doc, ensure_ascii=True, allow_nan=False, separators=(",", ":")) + "\n")


def parse_entries(path: Path, **head: str) -> dict[str, Entry]:
    """The entries of a file written by write_entries; BadFile says what is wrong (unreadable, not JSON, another
    format or exercise, a checksum that does not match, a value the codec refuses)."""
    from quizkit.grading.wire.codec import ProtocolError, decode

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadFile(t("expected.why.missing")) from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise BadFile(t("expected.why.json", error=type(err).__name__)) from None
    if not isinstance(doc, dict) or doc.get("quizkit") != "expected" or doc.get("format") != FORMAT:
        raise BadFile(t("expected.why.format"))
    for k, v in head.items():
        if doc.get(k) != v:
            raise BadFile(t("expected.why.other", field=k, value=v))
    raw = doc.get("entries")
    if not isinstance(raw, dict) or doc.get("digest") != _digest(raw):
        raise BadFile(t("expected.why.checksum"))
    out: dict[str, Entry] = {}
    for key, item in raw.items():
        try:
            blob = bytearray(base64.b64decode(item["data"], validate=True))
            decode(item["value"], blob)  # the strict decoder accepts it (dtypes, sizes that add up)
        except (TypeError, KeyError, ValueError, ProtocolError, RecursionError):
            raise BadFile(t("expected.why.value", answer=key[:12])) from None
        out[key] = (item["value"], blob)
    return out


def read_cache(path: Path, fp: str) -> dict[str, Entry]:
    """The disk cache's answers when it belongs to this fingerprint; anything else is ignored (and rewritten)."""
    try:
        return parse_entries(path, fingerprint=fp)
    except BadFile:
        return {}


def read_recording(path: Path) -> dict[str, Entry]:
    """A student build's recorded answers (parsed once per file version); NotRecorded when it is missing or
    damaged."""
    try:
        st = path.stat()
    except OSError:
        raise NotRecorded(t("expected.no_recording", file=path)) from None
    stamp = (str(path), st.st_mtime_ns, st.st_size)
    entries = _recordings.get(stamp)
    if entries is None:
        try:
            entries = parse_entries(path)
        except BadFile as err:
            raise NotRecorded(t("expected.bad_recording", file=path, why=err)) from None
        _recordings[stamp] = entries
    return entries


def _forget() -> None:
    """In a forked child (the zygote, before it serves anyone): no answer of the supervisor survives, not even
    in freed memory."""
    for store in (*_memo.values(), *_recordings.values()):
        for _, blob in store.values():
            blob[:] = bytes(len(blob))
        store.clear()
    _memo.clear()
    _recordings.clear()
    _on_disk.clear()
    _references.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)
