"""Known-wrong: true division returns a float, and int() truncates toward zero instead of flooring.

expect:
  en: ["not plain /"]
  zh: ["//"]
"""


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    span = dilation * (kernel - 1) + 1
    out = (n + 2 * padding - span) / stride + 1
    return out
