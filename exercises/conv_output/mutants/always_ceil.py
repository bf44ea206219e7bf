"""Known-wrong: rounds up whatever ceil_mode says."""
import math


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    span = dilation * (kernel - 1) + 1
    out = math.ceil((n + 2 * padding - span) / stride) + 1
    if (out - 1) * stride >= n + padding:
        out -= 1
    return out
