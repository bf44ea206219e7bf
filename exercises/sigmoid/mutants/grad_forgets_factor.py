"""Known-wrong: the derivative stops at sigma(x), forgetting the (1 - sigma(x)) factor of the chain rule.

expect:
  en: ["the factor (1 - sigmoid(x)) is missing"]
  zh: ["缺少因子", "(1 - sigmoid(x))"]
"""
import torch


def sigmoid(x):
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    return sigmoid(x)
