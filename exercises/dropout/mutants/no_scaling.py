"""Known-wrong variant of `dropout`: plain (non-inverted) dropout: survivors are not scaled, so the expected output is (1-p)*x.

expect:
  en: ["No scaling, or scaling by (1-p), is wrong"]
  zh: ["1/(1-p)"]
"""
import torch


def dropout(x, p, training, generator=None):
    """Zero each element with probability p and scale the survivors by 1/(1-p), so E[out] = x; identity in eval."""
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)  # everything dropped; 1/(1-p) would be a division by zero
    # rand is uniform on [0, 1), so P(rand >= p) = 1 - p: True marks the elements that are KEPT.
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p
    # Multiplying by a bool mask keeps x's dtype; dividing by the Python float (1 - p) does too.
    return x * keep
