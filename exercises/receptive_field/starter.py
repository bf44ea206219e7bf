"""receptive_field: receptive-field size, effective stride and effective padding of a conv stack."""


def receptive_field(layers: list[dict]) -> dict:
    """Return {"size": r, "stride": S, "padding": P} for one unit of the last layer, in input pixels.

    `layers` is listed from the input to the output. Each layer is a dict with "kernel" and, optionally,
    "stride" (default 1), "padding" (default 0) and "dilation" (default 1). Pooling layers look the same.
    """
    r, j, p = 1, 1, 0  # before any layer: one input pixel, jump 1, no padding
    for layer in layers:
        # TODO: read kernel, stride, padding, dilation (with their defaults).
        # TODO: effective kernel k' = d*(k-1)+1.
        # TODO: update r, p and j -- mind which jump each update uses.
        pass
    raise NotImplementedError("receptive_field is not written yet")
