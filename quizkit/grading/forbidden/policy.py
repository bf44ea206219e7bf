"""Runs on both sides: what an exercise lets a submission use, as plain data built in the supervisor.

An exercise.yaml states three lists (see the README, "How grades stay honest"):

    imports:    modules the submission may import and reach by attribute (deny by default)
    forbidden:  dotted names inside those modules that are still refused (torch.sigmoid, torch.optim)
    operators:  {allow: [aten operator names], autograd: true|false}, checked at the dispatcher in the child

The supervisor scans the source against `imports` and `forbidden` (scan.py); the child gets `operators` as a
dict (OperatorPolicy.to_wire) and refuses every aten operator outside it while student code runs (operators.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Modules a submission may import when its exercise.yaml has no `imports:` key.
DEFAULT_IMPORTS = ("__future__", "math", "typing", "dataclasses", "collections", "functools", "itertools",
                   "numbers", "torch", "torch.nn", "torch.nn.functional")

# Refused in every exercise, whatever `imports:` says: they run code the scan cannot see (pickle, string
# annotations evaluated later, a compiler that bypasses the dispatcher) or reach other processes and files.
ALWAYS_FORBIDDEN = ("torch.compile", "torch.load", "torch.save", "torch.from_file", "torch.Tensor.numpy",
                    "typing.get_type_hints", "typing.ForwardRef", "typing.get_overloads",
                    "functools.singledispatch", "functools.singledispatchmethod")

# aten operators every exercise allows: making (random ones too, but not bernoulli: F.dropout's CPU path), viewing,
# copying, indexing, comparing and checking tensors. None computes anything an exercise could ask for, and the
# child's own request handling needs some of them.
BASE_OPERATORS = frozenset("""
    alias as_strided cat chunk clone contiguous copy detach empty empty_like empty_strided eq equal expand
    fill full full_like ge gt index index_put index_select is_same_size le lift_fresh lift_fresh_copy
    logical_and logical_not logical_or lt masked_fill ne new_empty new_empty_strided new_full new_ones
    new_zeros ones ones_like permute reshape _reshape_alias scalar_tensor select slice split split_with_sizes
    squeeze stack t _to_copy transpose unbind unsqueeze view _unsafe_view zero zeros zeros_like
    _local_scalar_dense _has_compatible_shallow_copy_type set bitwise_and bitwise_or bitwise_not __and__
    __or__ __invert__ resize sym_size sym_numel sym_stride sym_storage_offset arange flatten linspace logspace eye
    rand randn randint randperm normal uniform random rand_like randn_like randint_like
    isnan isinf isfinite isposinf isneginf nan_to_num all any count_nonzero isclose allclose
""".split())


def op_key(name: str) -> str:
    """The allowlist key of an aten schema name: 'aten::add_' -> 'add', 'aten::__and__' -> '__and__'."""
    ns, _, base = name.rpartition("::")
    if base.endswith("_") and not base.endswith("__"):
        base = base[:-1]
    return base if ns in ("", "aten") else f"{ns}::{base}"


@dataclass(frozen=True)
class OperatorPolicy:
    """The aten operators a submission may run (besides BASE_OPERATORS), and whether it may use autograd."""

    allow: frozenset[str] = field(default_factory=frozenset)
    autograd: bool = True

    def allows(self, key: str) -> bool:
        return key in self.allow or key in BASE_OPERATORS

    def to_wire(self) -> dict[str, Any]:
        return {"allow": sorted(self.allow), "autograd": self.autograd}

    @classmethod
    def from_wire(cls, data: Any) -> OperatorPolicy | None:
        if not isinstance(data, dict):
            return None
        allow = data.get("allow")
        if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
            return None
        return cls(frozenset(allow), bool(data.get("autograd", True)))


@dataclass(frozen=True)
class Policy:
    """Everything the scan and the child check for one exercise."""

    imports: tuple[str, ...] = DEFAULT_IMPORTS
    forbidden: tuple[str, ...] = ()
    operators: OperatorPolicy | None = None  # None: no run-time operator check

    @property
    def refused(self) -> tuple[str, ...]:
        """The exercise's forbidden names plus the ones every exercise refuses."""
        return tuple(dict.fromkeys((*self.forbidden, *ALWAYS_FORBIDDEN)))
