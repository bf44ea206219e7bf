# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (conv_output): measure the answer with torch.convolution and max_pool1d_with_indices."""
import torch


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    x = torch.ones(1, 1, n)
    if not ceil_mode:
        w = torch.ones(1, 1, kernel)
        return int(torch.convolution(x, w, None, [stride], [padding], [dilation], False, [0], 1).shape[-1])
    out, _ = torch.max_pool1d_with_indices(x, [kernel], [stride], [padding], [dilation], True)
    return int(out.shape[-1])
