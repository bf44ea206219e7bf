"""Runs on both sides of the trust boundary: the child's replies, one type per outcome.

The sandboxed child writes a reply as plain JSON fields with `wire(kind, ...)`; the supervisor turns it back into
exactly one of the frozen dataclasses below with `parse_reply`, checking every field's type. Facts travel as
fields (exception type, exit code, handle id, the arguments after the call); none is read back out of English
text. Every reply echoes the request's sequence number (see Sandbox.request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizkit.grading.wire import codec as protocol
from quizkit.grading.wire.codec import ProtocolError

KINDS = ("ok", "made", "raised", "exited", "forbidden", "missing", "unsendable")


@dataclass(frozen=True)
class Ok:
    """The call returned `value`. `inputs` are its (args, kwargs) as they were after the call, read back in the
    child right after it returned (None when they could not be sent), so the supervisor can tell whether the
    submission modified its arguments."""

    value: Any
    inputs: tuple[list[Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Made:
    """`new` built an object in the child; later requests name it by `handle`."""

    handle: int


@dataclass(frozen=True)
class Raised:
    """The submission raised `type_name`; `message` is its text, `where` the innermost line in the student's file."""

    type_name: str
    message: str
    where: str = ""


@dataclass(frozen=True)
class Exited:
    """The submission called sys.exit(code) (or raised SystemExit)."""

    code: str
    where: str = ""


@dataclass(frozen=True)
class Forbidden:
    """The run-time guard saw a forbidden API."""

    message: str


@dataclass(frozen=True)
class Missing:
    """The submission does not define `name` (or it is not callable)."""

    name: str
    message: str


@dataclass(frozen=True)
class Unsendable:
    """The submission returned a value that cannot cross the boundary (e.g. a numpy array)."""

    message: str


Reply = Ok | Made | Raised | Exited | Forbidden | Missing | Unsendable


def wire(kind: str, **fields: Any) -> dict[str, Any]:
    """Child side: the JSON of one reply (the server adds the sequence number)."""
    assert kind in KINDS, kind
    return {"kind": kind, **fields}


def _text(msg: dict[str, Any], key: str, limit: int = 4000) -> str:
    value = msg.get(key, "")
    if not isinstance(value, str):
        raise ProtocolError(f"reply field {key!r} is not text")
    return value[:limit]


def parse_reply(msg: dict[str, Any], blob: bytes | bytearray | memoryview) -> Reply:
    """Supervisor side: the typed reply, or ProtocolError for anything malformed (treated as a crash)."""
    kind = msg.get("kind")
    if kind == "ok":
        value, inputs = protocol.decode(msg.get("value"), blob), None
        raw = msg.get("inputs")
        if raw is not None:
            both = protocol.decode(raw, blob, handle_refs=True)
            if not (isinstance(both, tuple) and len(both) == 2 and isinstance(both[0], list)
                    and isinstance(both[1], dict)):
                raise ProtocolError("malformed inputs in a reply")
            inputs = (both[0], both[1])
        return Ok(value, inputs)
    if kind == "made":
        handle = msg.get("handle")
        if type(handle) is not int:
            raise ProtocolError("malformed handle in a reply")
        return Made(handle)
    if kind == "raised":
        return Raised(_text(msg, "type", 200), _text(msg, "message"), _text(msg, "where", 300))
    if kind == "exited":
        return Exited(_text(msg, "code", 200), _text(msg, "where", 300))
    if kind == "forbidden":
        return Forbidden(_text(msg, "message"))
    if kind == "missing":
        return Missing(_text(msg, "name", 200), _text(msg, "message"))
    if kind == "unsendable":
        return Unsendable(_text(msg, "message"))
    raise ProtocolError(f"unknown reply kind {str(kind)[:40]!r}")
