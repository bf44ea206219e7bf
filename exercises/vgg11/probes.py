"""Probes for the `vgg11` exercise. They run inside the sandboxed child, beside the student's module; the test
file also runs the layer listing on the reference in the trusted process, so both sides use the same code.

Layers are listed in the order the forward pass RUNS them (found with forward hooks), so a model that registers
its classifier before its features, or names its attributes differently, is read the same way.
"""
import torch
import torch.nn as nn


def _build(module, num_classes, batch_norm, device=None):
    """The student's model; on the meta device (no memory, no init) when only its structure is needed.

    Falls back to an ordinary build if the constructor does something the meta device cannot do."""
    if device == "meta":
        try:
            with torch.device("meta"):
                return module.VGG11(num_classes=num_classes, batch_norm=batch_norm)
        except Exception:  # noqa: BLE001 - e.g. a constructor that reads tensor values; build for real instead
            pass
    return module.VGG11(num_classes=num_classes, batch_norm=batch_norm)


def _device_of(model):
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def param_layers(model, size=64):
    """Modules that own parameters, in forward order (registration order if the forward pass fails)."""
    owners = [m for m in model.modules() if next(m.parameters(recurse=False), None) is not None]
    ran = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: ran.append(mod)) for m in owners]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, 3, size, size, device=_device_of(model)))
    except Exception:  # noqa: BLE001 - the other tests report a failing forward pass
        ran = []
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    order = []
    for m in ran + owners:  # first run order; owners that never ran go last, so counts still add up
        if not any(m is seen for seen in order):
            order.append(m)
    return order


def describe(layers):
    """[(layer type, [parameter shapes])] for each parameter-owning layer."""
    return [[type(m).__name__, [list(p.shape) for p in m.parameters(recurse=False)]] for m in layers]


def parameter_count(module, num_classes, batch_norm):
    model = _build(module, num_classes, batch_norm, device="meta")
    return sum(p.numel() for p in model.parameters())


def layer_listing(module, num_classes, batch_norm):
    model = _build(module, num_classes, batch_norm, device="meta")
    return describe(param_layers(model))


def output(module, num_classes, batch_norm, x):
    """Output of a freshly built model in eval mode."""
    model = _build(module, num_classes, batch_norm)
    model.eval()
    with torch.no_grad():
        return model(x)


def batch_norm_stats(layers):
    return [t for m in layers if isinstance(m, nn.modules.batchnorm._BatchNorm)
            for t in (m.running_mean, m.running_var)]


def load_and_run(model, params, stats, x):
    """Copy `params` (in forward order) and BatchNorm running statistics into `model`; eval-mode output.

    Returns {"error": text} when the model's parameters do not line up with the ones given."""
    layers = param_layers(model)
    own = [p for m in layers for p in m.parameters(recurse=False)]
    if len(own) != len(params):
        return {"error": f"the model has {len(own)} parameter tensors, the reference has {len(params)}"}
    mine = batch_norm_stats(layers)
    if len(mine) != len(stats) or any(t is None for t in mine):
        return {"error": f"the model has {len(mine) // 2} BatchNorm layers with running statistics, "
                         f"the reference has {len(stats) // 2}"}
    with torch.no_grad():
        for i, (p, v) in enumerate(zip(own, params)):
            if tuple(p.shape) != tuple(v.shape):
                return {"error": f"parameter tensor {i} (in forward order) has shape {list(p.shape)}, "
                                 f"the reference's has {list(v.shape)}"}
            p.copy_(v)
        for t, v in zip(mine, stats):
            t.copy_(v)
    model.eval()
    with torch.no_grad():
        return {"output": model(x)}


def output_with_parameters(module, num_classes, batch_norm, params, stats, x):
    model = _build(module, num_classes, batch_norm)
    return load_and_run(model, params, stats, x)


def train_mode_outputs(module, num_classes, x, seed):
    """Two train-mode forward passes on the same input (they differ when dropout is active), then one in eval."""
    torch.manual_seed(seed)
    model = _build(module, num_classes, False)
    model.train()
    with torch.no_grad():
        first, second = model(x), model(x)
        model.eval()
        third, fourth = model(x), model(x)
    return [first, second, third, fourth]


def default_parameter_count(module):
    try:
        with torch.device("meta"):
            model = module.VGG11()
    except Exception:  # noqa: BLE001 - see _build
        model = module.VGG11()
    return sum(p.numel() for p in model.parameters())
