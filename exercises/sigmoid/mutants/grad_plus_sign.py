"""Known-wrong: the derivative written as s * (1 + s) instead of s * (1 - s).

expect:
  en: ["the sign is wrong"]
  zh: ["符号", "s * (1 + s)"]
"""
import torch


def sigmoid(x):
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 + s)
