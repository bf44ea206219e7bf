"""Known-wrong: converts to float32 "to be safe", so a float64 input comes back as float32.

expect:
  en: ["Expected dtype float64, got float32"]
  zh: ["float32", "dtype"]
"""
import torch


def sigmoid(x):
    x = x.float()
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
