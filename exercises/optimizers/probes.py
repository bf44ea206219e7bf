"""Probes for the `optimizers` exercise. They run inside the sandboxed child, beside the student's module.

The test file also runs them in the trusted process on a stand-in module whose classes are torch.optim's,
so the expected trajectory is produced by exactly the same loop.
"""
import torch


def _make_params(inits):
    # Leaf tensors that require grad, like nn.Parameter; step() is called under no_grad as a training loop does.
    return [t.detach().clone().requires_grad_(True) for t in inits]


def trajectory(module, cls, inits, kwargs, n_steps, grads=None, quadratic=None, zero_grad_each_step=False):
    """Run n_steps of getattr(module, cls)(params, **kwargs) and return the params after every step.

    grads[k][i] is the gradient given to params[i] at step k (None: leave .grad as None).
    quadratic = (scales, centers): g_i = scales[i] * (p_i - centers[i]), computed from the current param.
    """
    params = _make_params(inits)
    opt = getattr(module, cls)(params, **kwargs)
    out = []
    for k in range(n_steps):
        if zero_grad_each_step:
            opt.zero_grad()
        for i, p in enumerate(params):
            if quadratic is not None:
                scales, centers = quadratic
                p.grad = scales[i] * (p.detach() - centers[i])
            else:
                g = grads[k][i]
                p.grad = None if g is None else g.clone()
        with torch.no_grad():
            opt.step()
        out.append([p.detach().clone() for p in params])
    return out


def grads_after_zero_grad(module, cls, inits, grads, kwargs):
    """Set grads (None allowed), take one step, call zero_grad(); return each param's .grad afterwards."""
    params = _make_params(inits)
    opt = getattr(module, cls)(params, **kwargs)
    for p, g in zip(params, grads):
        p.grad = None if g is None else g.clone()
    with torch.no_grad():
        opt.step()
    opt.zero_grad()
    return [None if p.grad is None else p.grad.detach().clone() for p in params]
