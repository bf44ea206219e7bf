"""Known-wrong variant of `softmax`: subtracts the max of the whole tensor instead of each row's max, so a row far below it becomes 0 / 0.

expect:
  en: ["not over the whole tensor"]
  zh: ["keepdim=True"]
"""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.max()
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.max()
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
