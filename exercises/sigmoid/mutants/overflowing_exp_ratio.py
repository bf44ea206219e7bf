"""Known-wrong: exp(x) / (1 + exp(x)) is the textbook formula, but exp(x) overflows: inf / inf = nan for large x.

expect:
  en: ["exp(x) overflows to inf"]
  zh: ["溢出"]
"""
import torch


def sigmoid(x):
    e = torch.exp(x)
    return e / (1 + e)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
