"""Known-wrong: multiplies the jump by this layer's stride before using it for this layer's growth.

expect:
  en: ["The jump (effective stride) is updated before it is used"]
  zh: ["j_{l-1}"]
"""


def receptive_field(layers):
    r, j, p = 1, 1, 0
    for layer in layers:
        k = layer["kernel"]
        s = layer.get("stride", 1)
        d = layer.get("dilation", 1)
        j = j * s
        r = r + (d * (k - 1)) * j
        p = p + layer.get("padding", 0) * j
    return {"size": r, "stride": j, "padding": p}
