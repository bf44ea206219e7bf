"""Known-wrong: counts the strides but not the first window (no + 1).

expect:
  en: ["It is one short"]
  zh: ["+ 1"]
"""


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    span = dilation * (kernel - 1) + 1
    room = n + 2 * padding - span
    if not ceil_mode:
        return room // stride
    out = -(-room // stride)
    if out * stride >= n + padding:
        out -= 1
    return out
