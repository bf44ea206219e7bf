"""Known-wrong variant of `dropout`: p == 1 is not handled, so 0/0 gives NaN.

expect:
  en: ["handle p == 1 separately"]
  zh: ["p == 1"]
"""
import torch


def dropout(x, p, training, generator=None):
    """Zero each element with probability p and scale the survivors by 1/(1-p), so E[out] = x; identity in eval."""
    if not training or p == 0:
        return x
    # rand is uniform on [0, 1), so P(rand >= p) = 1 - p: True marks the elements that are KEPT.
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p
    # Multiplying by a bool mask keeps x's dtype; dividing by the Python float (1 - p) does too.
    return x * keep / (1 - p)
