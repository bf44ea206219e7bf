"""Known-wrong variant of `dropout`: the training flag is ignored: dropout is applied in eval mode too.

expect:
  en: ["In eval mode (training=False) dropout does nothing"]
  zh: ["training=False"]
"""
import torch


def dropout(x, p, training, generator=None):
    """Zero each element with probability p and scale the survivors by 1/(1-p), so E[out] = x; identity in eval."""
    if p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)  # everything dropped; 1/(1-p) would be a division by zero
    # rand is uniform on [0, 1), so P(rand >= p) = 1 - p: True marks the elements that are KEPT.
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p
    # Multiplying by a bool mask keeps x's dtype; dividing by the Python float (1 - p) does too.
    return x * keep / (1 - p)
