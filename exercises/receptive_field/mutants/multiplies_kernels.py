"""Known-wrong: believes receptive fields multiply: r_l = r_{l-1} * k'_l.

expect:
  en: ["not by multiplying the kernel sizes"]
  zh: ["相乘", "r_{l-1} + (k'_l - 1) * j_{l-1}"]
"""


def receptive_field(layers):
    r, j, p = 1, 1, 0
    for layer in layers:
        span = layer.get("dilation", 1) * (layer["kernel"] - 1) + 1
        r *= span
        p += layer.get("padding", 0) * j
        j *= layer.get("stride", 1)
    return {"size": r, "stride": j, "padding": p}
