"""Known-wrong variant of `sigmoid`: the derivative s * (1 - s) is computed on x itself, not on s = sigmoid(x).

expect:
  en: ["applied to x itself"]
  zh: ["x * (1 - x)"]
"""

import torch
from torch import Tensor


def sigmoid(x: Tensor) -> Tensor:
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: Tensor) -> Tensor:
    return x * (1 - x)
