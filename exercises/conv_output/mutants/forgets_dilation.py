"""Known-wrong: uses the plain kernel size, so dilation is ignored.

expect:
  en: ["Dilation is ignored"]
  zh: ["dilation*(kernel-1)+1"]
"""


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    room = n + 2 * padding - kernel
    if not ceil_mode:
        return room // stride + 1
    out = -(-room // stride) + 1
    if (out - 1) * stride >= n + padding:
        out -= 1
    return out
