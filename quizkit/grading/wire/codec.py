"""Runs on both sides of the trust boundary: what crosses it, JSON plus raw tensor bytes. Never pickle.

A frame is a 16-byte header (magic, JSON length, binary length), the JSON text, then the binary blob that
holds tensor data. Values are plain JSON except for tagged objects ({"t": ...}): tuple, dict, tensor, handle,
sym, generator (a seeded torch.Generator, made afresh on the child's side). The trusted side decodes strictly
(allow-listed dtypes, sizes that add up, bounded depth and size) and rebuilds every tensor as a fresh
torch.Tensor that owns its memory, so no object made by student code ever reaches an assertion.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from typing import Any

from quizkit.render import i18n  # the messages of what cannot be sent, in the grade's language (either side)

MAGIC = b"QKv1"
HEADER = struct.Struct("!4sIQ")
MAX_JSON = 16 << 20  # bytes of JSON text in one frame
MAX_BINARY = 2 << 30  # bytes of tensor data in one frame
MAX_DEPTH = 64
MAX_NODES = 2_000_000
_ALIGN = 64

DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64", "bool",
)
ALLOWED_TYPES = ("None, bool, int, float, str, list, tuple, dict with str keys, torch.Tensor, torch.Generator "
                 "or a SymPy expression")


# -- errors raised in the trusted process --------------------------------------------------------------------
class SubmissionError(Exception):
    """The student's code raised (message: sanitised "ExcType: text (file:line)"). The test fails with it."""


class ReturnTypeError(SubmissionError):
    """The student's code returned something that cannot cross the boundary (e.g. a numpy array)."""


class SandboxFailure(Exception):
    """The child crashed, exited, timed out or used a forbidden API; `status` is the test's status."""

    status = "error"


class SubmissionCrashed(SandboxFailure):
    status = "error"


class SubmissionTimeout(SandboxFailure):
    status = "timeout"


class ForbiddenUse(SandboxFailure):
    status = "forbidden"


class ProtocolError(Exception):
    """A malformed frame or value; from the child this is treated like a crash."""


class SymbolicText(str):
    """A SymPy expression returned by the child, as text (str form); `.srepr` holds sympy.srepr text.

    Parse it in the trusted process with quizkit.symbolic, never with sympify/eval.
    """

    srepr: str = ""

    def __new__(cls, text: str, srepr: str = "") -> SymbolicText:  # noqa: PYI034
        obj = super().__new__(cls, text)
        obj.srepr = srepr
        return obj


class Seeded:
    """A torch.Generator seeded with `seed`, as an argument: a Generator cannot cross, its seed can."""

    def __init__(self, seed: int) -> None:
        if type(seed) is not int or not 0 <= seed < 1 << 63:
            raise ValueError(f"a generator seed must be an int in [0, 2**63), not {seed!r}")
        self.seed = seed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Seeded) and other.seed == self.seed

    def __hash__(self) -> int:
        return hash(("Seeded", self.seed))

    def __repr__(self) -> str:
        return f"Generator(seed={self.seed})"


class HandleRef:
    """A reference to an object living in the child (see proxy.Handle); encoded as {"t": "handle"}."""

    def __init__(self, handle_id: int) -> None:
        self.handle_id = handle_id


# -- encoding ---------------------------------------------------------------------------------------------
class _Encoder:
    def __init__(self, torch: Any, handle_of: Callable[[Any], int | None] | None, sympy_basic: Any) -> None:
        self.torch = torch
        self.handle_of = handle_of
        self.sympy_basic = sympy_basic
        self.blobs: list[bytes] = []
        self.size = 0
        self.nodes = 0

    def add_blob(self, data: bytes) -> int:
        pad = (-self.size) % _ALIGN
        if pad:
            self.blobs.append(b"\0" * pad)
            self.size += pad
        off = self.size
        self.blobs.append(data)
        self.size += len(data)
        if self.size > MAX_BINARY:
            raise TypeError(i18n.t("codec.too_large", mb=MAX_BINARY >> 20))
        return off

    def enc(self, v: Any, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise TypeError(i18n.t("codec.too_deep"))
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            return v
        if t is float:
            return v if math.isfinite(v) else {"t": "float", "v": repr(v)}
        torch = self.torch
        if torch is not None and isinstance(v, torch.Tensor):
            return self.tensor(v)
        if isinstance(v, HandleRef):
            return {"t": "handle", "id": v.handle_id}
        if t is Seeded:
            return {"t": "generator", "seed": v.seed}
        if torch is not None and type(v) is torch.Generator:
            return {"t": "generator", "seed": int(v.initial_seed())}
        if self.handle_of is not None:
            hid = self.handle_of(v)
            if hid is not None:
                return {"t": "handle", "id": hid}
        if t is list:
            return [self.enc(x, depth + 1) for x in v]
        if t is tuple:
            return {"t": "tuple", "v": [self.enc(x, depth + 1) for x in v]}
        if t is dict:
            items = []
            for k, x in v.items():
                if not isinstance(k, str):
                    raise TypeError(i18n.t("codec.dict_key", type=_type_name(k)))
                items.append([str.__str__(k), self.enc(x, depth + 1)])
            return {"t": "dict", "v": items}
        if self.sympy_basic is not None and isinstance(v, self.sympy_basic):
            import sympy

            return {"t": "sym", "str": str(v), "srepr": sympy.srepr(v)}
        # Subclasses and numpy scalars become the plain value they stand for.
        if isinstance(v, bool) or type(v).__name__ == "bool_":
            return bool(v)
        if isinstance(v, int) or _is_numpy_integer(v):
            return int(v)
        if isinstance(v, float) or _is_numpy_floating(v):
            return self.enc(float(v), depth)
        if isinstance(v, str):
            return str.__str__(v)
        raise TypeError(i18n.t("codec.type", type=_type_name(v), allowed=ALLOWED_TYPES))

    def tensor(self, v: Any) -> dict[str, Any]:
        torch = self.torch
        m = _PINNED or _tensor_methods(torch)
        if v.layout != torch.strided or v.is_quantized or getattr(v, "is_nested", False):
            raise TypeError(i18n.t("codec.layout", layout=v.layout))
        if v.device.type not in ("cpu",):
            raise TypeError(i18n.t("codec.device", device=v.device))
        name = str(v.dtype).replace("torch.", "")
        if name not in DTYPES:
            raise TypeError(i18n.t("codec.dtype", dtype=v.dtype))
        t = m["contiguous"](m["resolve_neg"](m["resolve_conj"](m["detach"](v))))
        shape = [int(s) for s in t.shape]
        data = m["numpy"](m["view"](m["reshape"](t, -1), torch.uint8)).tobytes() if m["numel"](t) else b""
        off = self.add_blob(data)
        return {"t": "tensor", "dtype": name, "shape": shape, "off": off, "len": len(data)}


_PINNED: dict[str, Any] = {}
_TENSOR_METHODS = ("detach", "resolve_conj", "resolve_neg", "contiguous", "reshape", "view", "numpy", "numel")


def _tensor_methods(torch: Any) -> dict[str, Any]:
    base = torch._C.TensorBase
    return {name: getattr(base, name) for name in _TENSOR_METHODS}


def pin_torch() -> None:
    """Child side, before any student code runs: keep the C methods the encoder reads tensors with, so that a
    submission patching torch.Tensor (detach, numpy, ...) cannot change what the supervisor is sent."""
    import torch

    _PINNED.update(_tensor_methods(torch))


def _type_name(v: Any) -> str:
    t = type(v)
    mod = getattr(t, "__module__", "") or ""
    name = getattr(t, "__qualname__", None) or getattr(t, "__name__", "?")
    return f"{mod}.{name}" if mod and mod != "builtins" else str(name)


def _is_numpy_integer(v: Any) -> bool:
    np = _numpy()
    return np is not None and isinstance(v, np.integer)


def _is_numpy_floating(v: Any) -> bool:
    np = _numpy()
    return np is not None and isinstance(v, np.floating)


def _numpy() -> Any:
    import sys

    return sys.modules.get("numpy")


def encode(value: Any, *, handle_of: Callable[[Any], int | None] | None = None) -> tuple[Any, list[bytes], int]:
    """(JSON-able object, blobs, total blob size). Raises TypeError naming an unsupported type."""
    import sys

    torch = sys.modules.get("torch")
    sympy = sys.modules.get("sympy")
    enc = _Encoder(torch, handle_of, getattr(sympy, "Basic", None) if sympy else None)
    obj = enc.enc(value, 0)
    return obj, enc.blobs, enc.size


def encode_after(value: Any, blobs: list[bytes], offset: int, *,
                 handle_of: Callable[[Any], int | None] | None = None) -> tuple[Any, list[bytes], int]:
    """Encode `value` into the same frame as already-encoded `blobs` (of total size `offset`): its tensors' data
    goes after theirs, aligned. Returns (JSON-able object, all blobs, total size)."""
    obj, more, size = encode(value, handle_of=handle_of)
    if not more:
        return obj, blobs, offset
    pad = (-offset) % _ALIGN
    shift = offset + pad

    def fix(v: Any) -> Any:
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, dict):
            if v.get("t") == "tensor":
                return {**v, "off": v["off"] + shift}
            return {k: fix(x) for k, x in v.items()}
        return v

    return fix(obj), [*blobs, *([b"\0" * pad] if pad else []), *more], shift + size


def pack(message: dict[str, Any], blobs: list[bytes] | None = None, blob_size: int = 0) -> list[bytes]:
    text = json.dumps(message, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")
    if len(text) > MAX_JSON:
        raise TypeError(i18n.t("codec.message_too_large", mb=len(text) >> 20))
    return [HEADER.pack(MAGIC, len(text), blob_size), text, *(blobs or [])]


# -- decoding (trusted side) ---------------------------------------------------------------------------------
def parse_header(header: bytes, max_binary: int = MAX_BINARY) -> tuple[int, int]:
    magic, jlen, blen = HEADER.unpack(header)
    if magic != MAGIC:
        raise ProtocolError("bad frame header")
    if jlen > MAX_JSON or blen > max_binary:
        raise ProtocolError(f"frame too large ({jlen} bytes of JSON, {blen} bytes of data)")
    return jlen, blen


def parse_json(text: bytes) -> Any:
    try:
        return json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError) as err:
        raise ProtocolError(f"malformed message: {type(err).__name__}") from None


class Decoder:
    """Strict rebuild of a decoded JSON value; `resolve_handle(id)` maps handle ids (child side only)."""

    def __init__(self, blob: bytes | bytearray | memoryview, *, resolve_handle: Callable[[int], Any] | None = None,
                 generators: bool = False, handle_refs: bool = False):
        import torch

        self.torch = torch
        self.blob = memoryview(blob)
        self.resolve_handle = resolve_handle
        self.generators = generators  # child side: make real seeded torch.Generators
        self.handle_refs = handle_refs  # trusted side, arguments read back: a handle stays an inert HandleRef
        self.nodes = 0

    def dec(self, v: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise ProtocolError("value nested too deeply or too large")
        t = type(v)
        if v is None or t is bool or t is str or t is int:
            return v
        if t is float:
            if not math.isfinite(v):
                raise ProtocolError("bare non-finite float")
            return v
        if t is list:
            return [self.dec(x, depth + 1) for x in v]
        if t is not dict:
            raise ProtocolError(f"unexpected JSON value of type {t.__name__}")
        tag = v.get("t")
        if tag == "tuple" and isinstance(v.get("v"), list):
            return tuple(self.dec(x, depth + 1) for x in v["v"])
        if tag == "dict" and isinstance(v.get("v"), list):
            out = {}
            for item in v["v"]:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                    raise ProtocolError("malformed dict item")
                out[item[0]] = self.dec(item[1], depth + 1)
            return out
        if tag == "float" and v.get("v") in ("nan", "inf", "-inf"):
            return float(v["v"])
        if tag == "tensor":
            return self.tensor(v)
        if tag == "sym" and isinstance(v.get("str"), str) and isinstance(v.get("srepr"), str):
            return SymbolicText(v["str"], v["srepr"])
        if tag == "handle" and type(v.get("id")) is int:
            if self.resolve_handle is not None:
                return self.resolve_handle(v["id"])
            if self.handle_refs:
                return HandleRef(v["id"])
        if tag == "generator" and type(v.get("seed")) is int and 0 <= v["seed"] < 1 << 64:
            if self.generators:
                return self.torch.Generator().manual_seed(v["seed"])
            return Seeded(v["seed"] & ((1 << 63) - 1))
        raise ProtocolError(f"unknown tagged value {str(tag)[:40]!r}")

    def tensor(self, v: dict[str, Any]) -> Any:
        torch = self.torch
        name, shape, off, length = v.get("dtype"), v.get("shape"), v.get("off"), v.get("len")
        if name not in DTYPES:
            raise ProtocolError(f"tensor dtype {str(name)[:40]!r} not allowed")
        if not (isinstance(shape, list) and len(shape) <= 32 and all(type(s) is int and s >= 0 for s in shape)):
            raise ProtocolError("malformed tensor shape")
        if type(off) is not int or type(length) is not int or off < 0 or length < 0:
            raise ProtocolError("malformed tensor offset")
        dtype = getattr(torch, name)
        itemsize = torch.empty((), dtype=dtype).element_size()
        numel = math.prod(shape)
        if numel * itemsize != length or off + length > len(self.blob):
            raise ProtocolError("tensor size does not match its data")
        if numel == 0:
            return torch.empty(shape, dtype=dtype)
        raw = bytearray(self.blob[off: off + length])  # a private, aligned copy
        u8 = torch.frombuffer(raw, dtype=torch.uint8)
        out = (u8 != 0) if dtype == torch.bool else u8.view(dtype)
        return out.reshape(shape).clone()


def decode(obj: Any, blob: bytes | bytearray | memoryview = b"", **kw: Any) -> Any:
    return Decoder(blob, **kw).dec(obj)


# -- blocking I/O (child side) ------------------------------------------------------------------------------
def send_frame(sock: Any, message: dict[str, Any], blobs: list[bytes] | None = None, blob_size: int = 0) -> None:
    for part in pack(message, blobs, blob_size):
        sock.sendall(part)


def recv_exact(sock: Any, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError("connection closed")
        got += k
    return buf


def recv_frame(sock: Any) -> tuple[Any, bytearray]:
    jlen, blen = parse_header(bytes(recv_exact(sock, HEADER.size)))
    message = parse_json(bytes(recv_exact(sock, jlen)))
    blob = recv_exact(sock, blen) if blen else bytearray()
    return message, blob
