"""Known-wrong variant of `batchnorm`: the batch is normalised with torch's default x.var(dim=0), the UNBIASED variance (divide by N - 1).

expect:
  en: ["the BIASED batch variance"]
  zh: ["有偏", "correction=0"]
"""
import torch
from torch import nn


class BatchNorm1d(nn.Module):
    """Batch normalisation over the batch dimension of (N, C) inputs, with running statistics for eval mode."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()  # nn.Module gives us `training`, train() and eval(), and __call__ -> forward
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma
        self.bias = nn.Parameter(torch.zeros(num_features))  # beta
        # Buffers: state that is saved with the module but not trained.
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            n = x.shape[0]
            mean = x.mean(dim=0)
            # The batch is normalised with the BIASED variance (divide by N) ...
            var = x.var(dim=0)
            with torch.no_grad():
                # ... but, as in torch, the running estimate of the population variance uses the UNBIASED one
                # (divide by N - 1). momentum is the weight of the NEW batch: running = (1 - m) * running + m * batch.
                self.running_mean.mul_(1 - self.momentum).add_(mean, alpha=self.momentum)
                self.running_var.mul_(1 - self.momentum).add_(var * n / (n - 1), alpha=self.momentum)
        else:
            # Eval: the statistics gathered during training; a single sample gives the same output alone or in a batch.
            mean, var = self.running_mean, self.running_var
        # eps goes inside the square root.
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias
