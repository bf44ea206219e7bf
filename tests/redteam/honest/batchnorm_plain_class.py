# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (batchnorm): a plain class (no nn.Module), var_mean, lerp_ for the running averages, rsqrt."""
from dataclasses import dataclass, field

import torch


@dataclass
class BatchNorm1d:
    num_features: int
    eps: float = 1e-5
    momentum: float = 0.1
    training: bool = True
    weight: torch.Tensor = field(init=False)
    bias: torch.Tensor = field(init=False)
    running_mean: torch.Tensor = field(init=False)
    running_var: torch.Tensor = field(init=False)

    def __post_init__(self):
        self.weight = torch.ones(self.num_features)
        self.bias = torch.zeros(self.num_features)
        self.running_mean = torch.zeros(self.num_features)
        self.running_var = torch.ones(self.num_features)

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)

    def forward(self, x):
        if self.training:
            var, mean = torch.var_mean(x, dim=0, correction=0)
            n = x.shape[0]
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(var * (n / (n - 1)), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias

    __call__ = forward
