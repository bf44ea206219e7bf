# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (conv_output): math.floor and math.ceil on true division, and a named tuple for the layer."""
import math
from collections import namedtuple

Layer = namedtuple("Layer", "kernel stride padding dilation")


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    layer = Layer(kernel, stride, padding, dilation)
    span = layer.dilation * (layer.kernel - 1) + 1
    room = (n + 2 * layer.padding - span) / layer.stride
    out = (math.ceil(room) if ceil_mode else math.floor(room)) + 1
    if ceil_mode and (out - 1) * layer.stride >= n + layer.padding:
        out -= 1
    return int(out)
