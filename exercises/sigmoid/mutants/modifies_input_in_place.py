"""Known-wrong: saves memory with in-place ops, and so overwrites the caller's tensor.

expect:
  en: ["changed x[0] in place", "changed argument 1 in place"]
  zh: ["原地"]
"""
import torch


def sigmoid(x):
    sign = x >= 0
    e = x.abs_().neg_().exp_()  # x itself now holds exp(-|x|)
    return torch.where(sign, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
