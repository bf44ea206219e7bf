# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (receptive_field): measure the field by pushing position numbers through max_pool1d_with_indices.

Max pooling over arange(n) returns the last input position each unit sees, over -arange(n) the first one.
"""
import torch


def _through(x, layers, padded):
    for layer in layers:
        k, s = layer["kernel"], layer.get("stride", 1)
        p, d = layer.get("padding", 0), layer.get("dilation", 1)
        if padded and p:  # padding continues the position numbers beyond both ends
            step = x[..., 1:2] - x[..., 0:1]
            q = torch.arange(1, p + 1, dtype=x.dtype)
            x = torch.cat([x[..., 0:1] - step * q.flip(0), x, x[..., -1:] + step * q], dim=-1)
        x, _ = torch.max_pool1d_with_indices(x, [k], [s], [0], [d], False)
    return x[0, 0]


def receptive_field(layers):
    pos = torch.arange(4096, dtype=torch.float64).reshape(1, 1, -1)
    last = _through(pos, layers, False)
    first = -_through(-pos, layers, False)
    size = int(last[0]) + 1
    stride = int(first[1] - first[0])
    padding = size - 1 - int(_through(pos, layers, True)[0])
    return {"size": size, "stride": stride, "padding": padding}
