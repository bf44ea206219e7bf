"""Known-wrong: ceil_mode without torch's rule that the last window must start inside the input or left padding.

expect:
  en: ["torch drops a last window that would start in the right padding"]
  zh: ["(out - 1) * stride >= n + padding"]
"""
import math


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    span = dilation * (kernel - 1) + 1
    x = (n + 2 * padding - span) / stride
    return (math.ceil(x) if ceil_mode else math.floor(x)) + 1
