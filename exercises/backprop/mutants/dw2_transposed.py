"""Known-wrong variant of `backprop`: dW2 is computed as d_yhat.T @ h, the transpose of the right shape (O, H).

expect:
  en: ["the transposed shape"]
  zh: ["转置", "A.T @ B"]
"""
import torch


def mlp_forward_backward(x, y, W1, b1, W2, b2):
    """Forward and backward pass of loss = mean((relu(x @ W1 + b1) @ W2 + b2 - y) ** 2), without autograd."""
    # Forward, keeping what the backward pass needs.
    z = x @ W1 + b1  # (N, H) pre-activations
    h = torch.clamp(z, min=0)  # (N, H)
    y_hat = h @ W2 + b2  # (N, O)
    diff = y_hat - y
    loss = (diff**2).mean()

    # Backward. The mean runs over all N*O elements, so dL/dy_hat = 2 * diff / (N * O).
    d_yhat = 2 * diff / diff.numel()  # (N, O)
    dW2 = d_yhat.T @ h
    db2 = d_yhat.sum(dim=0)  # (O,)  b2 is broadcast over the batch, so its gradient sums over it
    dh = d_yhat @ W2.T  # (N, H)
    dz = dh * (z > 0)  # ReLU'(z) = 1 where z > 0 and 0 elsewhere, including z == 0 (as torch does)
    dW1 = x.T @ dz  # (D, H)
    db1 = dz.sum(dim=0)  # (H,)
    return {"loss": loss, "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
