"""Known-wrong variant of `backprop`: the 2 of d(e**2)/de is dropped (the notes use 1/2 * e**2, this loss does not).

expect:
  en: ["the factor 2 from the square is missing"]
  zh: ["因子 2", "d(diff**2)/d diff"]
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
    d_yhat = diff / diff.numel()  # (N, O)
    dW2 = h.T @ d_yhat  # (H, O)
    db2 = d_yhat.sum(dim=0)  # (O,)  b2 is broadcast over the batch, so its gradient sums over it
    dh = d_yhat @ W2.T  # (N, H)
    dz = dh * (z > 0)  # ReLU'(z) = 1 where z > 0 and 0 elsewhere, including z == 0 (as torch does)
    dW1 = x.T @ dz  # (D, H)
    db1 = dz.sum(dim=0)  # (H,)
    return {"loss": loss, "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
