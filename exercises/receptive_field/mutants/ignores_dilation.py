"""Known-wrong: uses the kernel size as it is, ignoring dilation.

expect:
  en: ["Dilation is ignored"]
  zh: ["d*(k-1)+1"]
"""


def receptive_field(layers):
    r, j, p = 1, 1, 0
    for layer in layers:
        k = layer["kernel"]
        r += (k - 1) * j
        p += layer.get("padding", 0) * j
        j *= layer.get("stride", 1)
    return {"size": r, "stride": j, "padding": p}
