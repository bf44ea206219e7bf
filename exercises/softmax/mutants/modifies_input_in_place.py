"""Known-wrong variant of `softmax`: right values, but x -= max shifts the caller's tensor in place.

expect:
  en: ["changed x[0] in place", "changed argument 1 in place"]
  zh: ["原地"]
"""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    x -= x.amax(dim=dim, keepdim=True)
    e = x.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    x -= x.amax(dim=dim, keepdim=True)
    return x - x.exp().sum(dim=dim, keepdim=True).log()
