"""Probes for the `vgg11` exercise. They run inside the sandboxed child, beside the student's module, and return
raw data only (the tests decide); the test file also runs the layer listing on the reference in the trusted
process, so both sides use the same code.

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


_BLANKS = {}  # (module, num_classes, batch_norm) -> model: ~500 MB each, allocated once per submission


def _blank(module, num_classes, batch_norm, zero=True):
    """The student's model with memory but no initialisation (meta build, then to_empty), zero-filled unless the
    caller fills it itself. Initialising 130M parameters costs more than the forward pass, so each configuration
    is allocated once per submission and reused by the probes that overwrite its values."""
    key = (module.__name__, num_classes, batch_norm)
    model = _BLANKS.get(key)
    if model is None:
        model = _build(module, num_classes, batch_norm, device="meta")
        if _device_of(model).type == "meta":
            model = model.to_empty(device="cpu")
        _BLANKS[key] = model  # three configurations at most: about 1.6 GB
    if zero:
        with torch.no_grad():
            for t in list(model.parameters()) + list(model.buffers()):
                t.zero_()
            for m in model.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_var is not None:
                    m.running_var.fill_(1.0)
    return model


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
    # Allocated but not initialised: the first forward pass on the meta device costs a second of warm-up.
    model = _blank(module, num_classes, batch_norm, zero=False)
    return describe(param_layers(model))


def output(module, num_classes, batch_norm, x):
    """Output of a model in eval mode (the shape is what matters; the parameters are zeros)."""
    model = _blank(module, num_classes, batch_norm)
    model.eval()
    with torch.no_grad():
        return model(x)


def randomize(model, seed):
    """Seeded parameters and BatchNorm statistics, filled layer by layer in forward order.

    The test file runs the same fill on the reference, so two models with the same layers end up with the same
    numbers: the same check as copying the reference's parameters in, without shipping 500 MB to the sandbox.
    BatchNorm statistics are far from the identity, so BatchNorm before or after the ReLU gives different outputs.
    Returns the layers, in forward order."""
    layers = param_layers(model)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in layers:
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                bound = (6.0 / m.weight[0].numel()) ** 0.5  # He uniform keeps the scale through the layers
                m.weight.uniform_(-bound, bound, generator=g)
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1, generator=g)
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0.0, 0.5, generator=g)
                if m.running_mean is not None:
                    m.running_mean.normal_(0.0, 0.5, generator=g)
                    m.running_var.uniform_(0.5, 2.0, generator=g)
            else:
                for p in m.parameters(recurse=False):
                    p.uniform_(-0.1, 0.1, generator=g)
    return layers


def output_randomized(module, num_classes, batch_norm, layout, seed, x):
    """The layers in forward order (as `describe` lists them) after `randomize(model, seed)`, and the eval-mode
    output. The test compares the layers with the reference's `layout` itself; the forward pass is skipped when
    they differ (the fill cannot line up then), which only saves time: the output is still checked."""
    model = _blank(module, num_classes, batch_norm, zero=False)
    mine = describe(randomize(model, seed))
    if mine != layout:
        return {"layers": mine, "output": None}
    model.eval()
    with torch.no_grad():
        return {"layers": mine, "output": model(x)}


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
