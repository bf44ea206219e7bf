"""Known-wrong variant of `dropout`: the generator argument is ignored (the global RNG is used).

expect:
  en: ["Draw the random numbers from the generator you were given"]
  zh: ["generator=generator"]
"""
import torch


def dropout(x, p, training, generator=None):
    """Zero each element with probability p and scale the survivors by 1/(1-p), so E[out] = x; identity in eval."""
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)  # everything dropped; 1/(1-p) would be a division by zero
    # rand is uniform on [0, 1), so P(rand >= p) = 1 - p: True marks the elements that are KEPT.
    keep = torch.rand(x.shape, dtype=x.dtype, device=x.device) >= p
    # Multiplying by a bool mask keeps x's dtype; dividing by the Python float (1 - p) does too.
    return x * keep / (1 - p)
