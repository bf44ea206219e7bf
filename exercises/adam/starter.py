"""Adam, written by hand. It must behave exactly like torch.optim.Adam (without amsgrad / maximize).

Do not use torch.optim.
"""
import torch  # noqa: F401  (you will need it)


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        """Keep the parameters (a list of tensors) and the hyper-parameters, and create the state:
        for every parameter a first moment m, a second moment v (both zeros like the parameter) and a step
        count t."""
        # TODO
        raise NotImplementedError

    def zero_grad(self):
        """Clear the .grad of every parameter (set it to None, as torch does, or fill it with zeros)."""
        # TODO
        raise NotImplementedError

    def step(self):
        """One Adam update of every parameter whose .grad is not None, IN PLACE.

        g = p.grad + weight_decay * p                (L2 weight decay, only if weight_decay != 0)
        t += 1
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t);  v_hat = v / (1 - beta2 ** t)
        p -= lr * m_hat / (sqrt(v_hat) + eps)
        """
        # TODO: loop over the parameters, skip those whose grad is None, update p in place under torch.no_grad()
        raise NotImplementedError
