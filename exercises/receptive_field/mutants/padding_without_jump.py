"""Known-wrong: adds up the paddings in the units of each layer instead of converting them to input pixels.

expect:
  en: ["not just the sum of the paddings"]
  zh: ["p_l * j_{l-1}"]
"""


def receptive_field(layers):
    r, j, p = 1, 1, 0
    for layer in layers:
        span = layer.get("dilation", 1) * (layer["kernel"] - 1) + 1
        r += (span - 1) * j
        p += layer.get("padding", 0)
        j *= layer.get("stride", 1)
    return {"size": r, "stride": j, "padding": p}
