"""Reference solution for the receptive_field exercise (Araujo, Norris and Sim, Distill 2019)."""


def receptive_field(layers: list[dict]) -> dict:
    """Receptive-field size, effective stride and effective padding of one unit of the last layer.

    `layers` runs from the input to the output; each dict has "kernel" and optionally "stride" (1),
    "padding" (0) and "dilation" (1). All three results are measured in input pixels.
    """
    size, jump, padding = 1, 1, 0  # a single input pixel sees itself
    for layer in layers:
        kernel = layer["kernel"]
        stride = layer.get("stride", 1)
        dilation = layer.get("dilation", 1)
        # A dilated kernel spans d*(k-1)+1 positions of the layer below it.
        span = dilation * (kernel - 1) + 1
        # One step in the layer below is `jump` input pixels, so use the jump BEFORE this layer's stride.
        size += (span - 1) * jump
        padding += layer.get("padding", 0) * jump
        jump *= stride
    return {"size": size, "stride": jump, "padding": padding}
