# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (backprop): call .backward() through a name the scan does not know (an unbound method in a list)."""
import torch

_methods = [torch.Tensor.backward]


def mlp_forward_backward(x, y, W1, b1, W2, b2):
    with torch.enable_grad():
        leaves = [t.detach().clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
        w1, c1, w2, c2 = leaves
        loss = ((torch.relu(x @ w1 + c1) @ w2 + c2 - y) ** 2).mean()
        _methods[0](loss)
    return {"loss": loss.detach(), "dW1": w1.grad, "db1": c1.grad, "dW2": w2.grad, "db2": c2.grad}
