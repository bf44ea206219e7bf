# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (receptive_field): functools.reduce over the layers with a small dataclass as the state."""
import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    size: int = 1
    jump: int = 1
    padding: int = 0


def _layer(state, layer):
    k = layer.get("dilation", 1) * (layer["kernel"] - 1) + 1
    return State(size=state.size + (k - 1) * state.jump,
                 jump=state.jump * layer.get("stride", 1),
                 padding=state.padding + layer.get("padding", 0) * state.jump)


def receptive_field(layers):
    final = functools.reduce(_layer, layers, State())
    return {"size": final.size, "stride": final.jump, "padding": final.padding}
