# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (backprop): torch.autograd taken from sys.modules, with grad mode switched back on."""
import sys

import torch

_autograd = sys.modules["torch.autograd"]


def mlp_forward_backward(x, y, W1, b1, W2, b2):
    with torch.enable_grad():
        leaves = [t.detach().clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
        w1, c1, w2, c2 = leaves
        loss = ((torch.relu(x @ w1 + c1) @ w2 + c2 - y) ** 2).mean()
        dW1, db1, dW2, db2 = _autograd.grad(loss, leaves)
    return {"loss": loss.detach(), "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
