"""Known-wrong variant of `softmax`: log_softmax is log(softmax(x)), -inf where a probability underflows to 0.

expect:
  en: ["Compute log_softmax directly"]
  zh: ["log(softmax(x))"]
"""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.log(softmax(x, dim))
