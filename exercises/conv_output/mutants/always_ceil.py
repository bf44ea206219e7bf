"""Known-wrong: rounds up whatever ceil_mode says.

expect:
  en: ["torch rounds the division down (floor), not up"]
  zh: ["向下取整", "floor"]
"""
import math


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    span = dilation * (kernel - 1) + 1
    out = math.ceil((n + 2 * padding - span) / stride) + 1
    if (out - 1) * stride >= n + padding:
        out -= 1
    return out
