"""Known-wrong: believes receptive fields multiply: r_l = r_{l-1} * k'_l."""


def receptive_field(layers):
    r, j, p = 1, 1, 0
    for layer in layers:
        span = layer.get("dilation", 1) * (layer["kernel"] - 1) + 1
        r *= span
        p += layer.get("padding", 0) * j
        j *= layer.get("stride", 1)
    return {"size": r, "stride": j, "padding": p}
