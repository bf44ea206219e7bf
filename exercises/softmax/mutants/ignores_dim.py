"""Known-wrong variant of `softmax`: the dim argument is ignored and every reduction runs over dim 0.

expect:
  en: ["Normalise along the `dim` you are given"]
  zh: ["dim"]
"""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=0, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=0, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=0, keepdim=True)
    return shifted - shifted.exp().sum(dim=0, keepdim=True).log()
