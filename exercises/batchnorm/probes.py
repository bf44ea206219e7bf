"""Probes for the `batchnorm` exercise. They run inside the sandboxed child, beside the student's module, and
return raw data only: every verdict (values, "the input was not modified") is taken by the test in the supervisor.

The test file also runs them in the trusted process on a stand-in module whose `BatchNorm1d` is
torch.nn.BatchNorm1d, so the expected values come from exactly the same sequence of calls.
"""
import torch

TENSORS = ("weight", "bias", "running_mean", "running_var")


def _tensor(bn, name):
    if not hasattr(bn, name):
        raise AttributeError(
            f"BatchNorm1d has no attribute `{name}`; the contract needs the tensors weight, bias, running_mean "
            f"and running_var under exactly these names"
        )
    t = getattr(bn, name)
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"BatchNorm1d.{name} must be a tensor of shape (num_features,), not {type(t).__name__}")
    return t


def _make(module, num_features, kwargs, weight, bias):
    bn = module.BatchNorm1d(num_features, **kwargs)
    # The tests run in float64, but the tensors were probably created as float32 (torch.ones' default dtype).
    # Converting through `.data` keeps each object (nn.Parameter, buffer or plain tensor) and works for all three.
    for name in TENSORS:
        t = _tensor(bn, name)
        t.data = t.data.to(torch.float64)
    with torch.no_grad():
        if weight is not None:
            _tensor(bn, "weight").copy_(weight)
        if bias is not None:
            _tensor(bn, "bias").copy_(bias)
    return bn


def _running(bn):
    return {name: _tensor(bn, name).detach().clone() for name in ("running_mean", "running_var")}


def initial_state(module, num_features, kwargs):
    """The four tensors right after construction (as float64), and `training` at start, after eval(), after train()."""
    bn = module.BatchNorm1d(num_features, **kwargs)
    state = {name: _tensor(bn, name).detach().to(torch.float64).clone() for name in TENSORS}
    flags = [getattr(bn, "training", None)]
    bn.eval()
    flags.append(getattr(bn, "training", None))
    bn.train()
    flags.append(getattr(bn, "training", None))
    state["training"] = [f if isinstance(f, bool) else repr(f) for f in flags]
    return state


def run(module, num_features, kwargs, weight, bias, steps, use_forward=False):
    """Run `steps`, a list of ("train" | "eval", x): switch mode, call bn(x) (or bn.forward(x)), record the output,
    the running statistics after the call, and the input tensor as it is after the call."""
    bn = _make(module, num_features, kwargs, weight, bias)
    records = []
    for mode, x in steps:
        if mode == "train":
            bn.train()
        else:
            bn.eval()
        x_in = x.clone()
        y = bn.forward(x_in) if use_forward else bn(x_in)
        rec = {"out": y.detach().clone() if isinstance(y, torch.Tensor) else y}
        rec.update(_running(bn))
        rec["input"] = x_in
        records.append(rec)
    return records
