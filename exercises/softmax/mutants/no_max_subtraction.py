"""Known-wrong variant of `softmax`: the textbook formula without the max shift: exp(1000) = inf, and inf / inf = nan.

expect:
  en: ["Subtract the max along dim first"]
  zh: ["softmax(x - max)"]
"""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    e = x.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return x - x.exp().sum(dim=dim, keepdim=True).log()
