# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (backprop): F.relu and F.mse_loss for the forward pass, einsum and a mask for the backward pass."""
import torch
import torch.nn.functional as F


def mlp_forward_backward(x, y, W1, b1, W2, b2):
    z = torch.addmm(b1, x, W1)
    h = F.relu(z)
    out = h @ W2 + b2
    loss = F.mse_loss(out, y)
    g = 2.0 * (out - y) / out.numel()
    dW2 = torch.einsum("nh,no->ho", h, g)
    dz = (g @ W2.t()).masked_fill(z <= 0, 0.0)
    return {"loss": loss, "dW1": x.t() @ dz, "db1": dz.sum(0), "dW2": dW2, "db2": g.sum(0)}
