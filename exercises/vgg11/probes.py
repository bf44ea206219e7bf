"""Probes for the `vgg11` exercise. They run inside the sandboxed child beside the student's module and return raw
data only (the tests decide). The tests get the reference's answers from the same functions through expected(),
which runs them on the reference in the supervisor once and keeps the answers, so both sides use the same code.

Full-size work is done once per configuration:
- counts and the default arguments are read from a model built on the meta device (no memory, no init);
- `model_run` builds one configuration with memory but without its default init (meta build, then parameters
  placed in one reused arena), fills it from a seed, and runs every forward pass the tests of that configuration
  need; its answer is kept for the rest of the submission, so the tests that read different parts of it (layers,
  shape, values, dropout) pay for it once.

The forward passes run on real tensors, not on meta ones: the meta kernels' first use imports torch._dynamo and
costs more than a small forward pass, and only a real pass gives values.
"""
import torch
import torch.nn as nn

POOL = (1 << 20) + 7  # a big tensor repeats a seeded pool of this many values (see `fill`)
_RUNS = {}  # (module name, arguments) -> answer of model_run, for the rest of this process
_ARENA = []  # one float32 tensor, reused as the storage of every configuration's parameters


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


def parameter_count(module, num_classes, batch_norm):
    model = _build(module, num_classes, batch_norm, device="meta")
    return sum(p.numel() for p in model.parameters())


def default_parameter_count(module):
    try:
        with torch.device("meta"):
            model = module.VGG11()
    except Exception:  # noqa: BLE001 - see _build
        model = module.VGG11()
    return sum(p.numel() for p in model.parameters())


# -- a model with memory but no default init ----------------------------------------------------------------------
def _is_bn(m):
    return isinstance(m, nn.modules.batchnorm._BatchNorm)


def _arena(n):
    if not _ARENA or _ARENA[0].numel() < n:
        _ARENA[:] = [torch.empty(n)]
    return _ARENA[0]


def _materialize(model):
    """Give a meta-built model CPU memory without running any init: float32 tensors become views of one arena
    (its pages are touched once per process, not once per configuration). Returns None when the model has a
    buffer that is not a BatchNorm statistic: its value was set by the constructor and must be built for real."""
    tensors = []
    for m in model.modules():
        for name, b in m._buffers.items():
            if b is not None and not _is_bn(m):
                return None
        tensors += [(m._parameters, n, p) for n, p in m._parameters.items() if p is not None]
        tensors += [(m._buffers, n, b) for n, b in m._buffers.items() if b is not None]
    total = sum(t.numel() for _, _, t in tensors if t.dtype == torch.float32)
    arena, offset, done = _arena(total), 0, {}
    for store, name, t in tensors:
        new = done.get(id(t))
        if new is None:
            if t.dtype == torch.float32:
                data = arena[offset:offset + t.numel()].view(t.shape)
                offset += t.numel()
            else:
                data = torch.empty(t.shape, dtype=t.dtype)
            new = nn.Parameter(data, requires_grad=t.requires_grad) if isinstance(t, nn.Parameter) else data
            done[id(t)] = new  # a tied parameter stays tied
        store[name] = new
    return model


def _blank(module, num_classes, batch_norm, real=False):
    """The student's model with memory for its parameters; real=True builds it the ordinary way (default init)."""
    if not real:
        model = _build(module, num_classes, batch_norm, device="meta")
        if _device_of(model).type != "meta":
            return model
        model = _materialize(model)
        if model is not None:
            return model
    return module.VGG11(num_classes=num_classes, batch_norm=batch_norm)


def _device_of(model):
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


# -- the seeded fill ----------------------------------------------------------------------------------------------
def _owners(model):
    return [m for m in model.modules()
            if next(m.parameters(recurse=False), None) is not None or (_is_bn(m) and m.running_mean is not None)]


def _signature(m):
    return type(m).__name__ + repr([(n, list(t.shape)) for n, t in m.state_dict(keep_vars=True).items()
                                    if "." not in n])


def _seed_of(seed, text):
    h = seed & 0x7FFFFFFF
    for ch in text:
        h = (h * 1000003 + ord(ch)) % 2305843009213693951  # a Mersenne prime: a stable hash across processes
    return h


def _put(t, g, lo, hi, normal=False):
    """Seeded values in [lo, hi) (or normal(lo, hi)); a tensor bigger than POOL repeats one seeded pool of POOL
    values. POOL is prime, so no two rows of a weight matrix start at the same place in it (rows never repeat),
    and filling 100M values costs a copy instead of 100M draws from the generator."""
    flat = t.view(-1)
    pool = torch.empty(min(flat.numel(), POOL))
    pool.normal_(lo, hi, generator=g) if normal else pool.uniform_(lo, hi, generator=g)
    for start in range(0, flat.numel(), POOL):
        n = min(POOL, flat.numel() - start)
        flat[start:start + n].copy_(pool[:n])


def fill(model, seed):
    """Every parameter and BatchNorm statistic from a seed, layer by layer (state_dict order within a layer).

    A layer's generator is seeded by `seed`, its type and parameter shapes, and its rank among the layers with
    the same ones, so two models with the same layers hold the same numbers however they name or register them
    (a classifier registered before the features still lines up). Weights are He-uniform (the scale survives
    eleven layers); BatchNorm statistics are far from the identity, so BatchNorm before or after the ReLU gives
    different outputs."""
    seen = {}
    with torch.no_grad():
        for m in _owners(model):
            sig = _signature(m)
            seen[sig] = seen.get(sig, -1) + 1
            g = torch.Generator().manual_seed(_seed_of(seed, f"{sig}#{seen[sig]}"))
            if _is_bn(m):
                for t, lo, hi, normal in ((m.weight, 0.5, 1.5, False), (m.bias, 0.0, 0.5, True),
                                          (m.running_mean, 0.0, 0.5, True), (m.running_var, 0.5, 2.0, False)):
                    if t is not None:
                        _put(t, g, lo, hi, normal)
                if m.num_batches_tracked is not None:
                    m.num_batches_tracked.zero_()
                continue
            for p in m.parameters(recurse=False):
                bound = (6.0 / p[0].numel()) ** 0.5 if p.dim() > 1 else 0.1  # He for weights, 0.1 for biases
                _put(p, g, -bound, bound)
    return model


# -- the forward passes --------------------------------------------------------------------------------------------
def describe(layers):
    """[(layer type, [parameter shapes])] for each parameter-owning layer."""
    return [[type(m).__name__, [list(p.shape) for p in m.parameters(recurse=False)]] for m in layers]


def _error(module, err):
    """'ValueError: text (vgg.py:31, in forward)': the innermost line of the student's file that raised."""
    import traceback

    try:
        text = f"{type(err).__name__}: {err}"[:600]
    except Exception:  # noqa: BLE001 - str() of a student's exception may itself raise
        text = type(err).__name__
    path = getattr(module, "__file__", None)
    for fr in reversed(traceback.extract_tb(err.__traceback__)):
        if fr.filename == path:
            return f"{text} ({fr.filename.rsplit('/', 1)[-1]}:{fr.lineno}, in {fr.name})"
    return text


def _inputs(seed, batch, size, same=False):
    x = torch.randn(1 if same else batch, 3, size, size, generator=torch.Generator().manual_seed(seed))
    return x.expand(batch, 3, size, size).contiguous() if same else x


def _forward_in_order(model, x):
    """(output, parameter-owning layers in the order the forward pass ran them); the layers that never ran
    follow in registration order, so counts still add up. Raises what the forward pass raises."""
    owners = [m for m in model.modules() if next(m.parameters(recurse=False), None) is not None]
    ran = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: ran.append(mod)) for m in owners]
    try:
        model.eval()
        with torch.no_grad():
            out = model(x)
    finally:
        for h in hooks:
            h.remove()
    order = []
    for m in ran + owners:
        if not any(m is seen for seen in order):
            order.append(m)
    return out, order


def _passes(module, num_classes, batch_norm, seed, sizes, dropout_size, real):
    """The forward passes of model_run; an error the meta device may have caused is raised (to build again)."""
    model = fill(_blank(module, num_classes, batch_norm, real=real), seed)
    out = {"layers": None, "outputs": [], "errors": []}

    def attempt(run):
        try:
            return run(), None
        except Exception as err:  # noqa: BLE001 - the tests report it
            if _propagates(err) or (not real and _meta_trouble(err)):
                raise
            return None, _error(module, err)

    for i, (size, batch) in enumerate(sizes):
        got, error = attempt(lambda: _forward_in_order(model, _inputs(seed + 1 + i, batch, size)))
        out["outputs"].append(None if got is None else got[0])
        out["errors"].append(error)
        if got is not None and out["layers"] is None:
            out["layers"] = describe(got[1])
    if out["layers"] is None:  # no pass ran: registration order
        out["layers"] = describe(_owners_with_params(model))
    if dropout_size:
        x = _inputs(seed + 99, 2, dropout_size, same=True)  # two copies of one image
        torch.manual_seed(seed)

        def train_then_eval():
            with torch.no_grad():
                model.train()
                first = model(x)
                model.eval()
                return [first, model(x)]

        got, out["dropout_error"] = attempt(train_then_eval)
        out["train"], out["eval"] = got if got is not None else (None, None)
    return out


def _owners_with_params(model):
    return [m for m in model.modules() if next(m.parameters(recurse=False), None) is not None]


def _propagates(err):
    """A refused operator and running out of memory are worded by the sandbox itself, in every test that meets
    them, so they are raised rather than kept in the answer."""
    return isinstance(err, MemoryError) or any(c.__name__ == "ForbiddenError" for c in type(err).__mro__)


def _meta_trouble(err):
    """An error that may come from building on the meta device rather than from the student's model (a tensor
    the constructor kept outside its parameters stays on meta, a meta kernel is missing)."""
    try:
        return isinstance(err, NotImplementedError) or "meta" in str(err)
    except Exception:  # noqa: BLE001 - str() of a student's exception may itself raise
        return False


def model_run(module, num_classes, batch_norm, seed, sizes, dropout_size=0):
    """Everything the tests read about one configuration, from one seeded model:

    layers:  [type, [parameter shapes]] of each parameter-owning layer, in the order the first forward pass ran
             them (registration order when no pass ran);
    outputs: for each [size, batch] in `sizes`, the eval-mode output on `batch` seeded images of size x size, or
             None; errors: None, or what that pass raised ('ValueError: ... (file:line, in forward)');
    train, eval: with dropout_size, the outputs on two copies of one seeded image in train() and then eval()
             mode (the rows differ in train mode only when dropout is active); dropout_error as above.

    The model is built on the meta device and given memory without its default init; when that fails in a way
    the meta device may have caused, it is built the ordinary way and run again, so a model that works on the
    CPU is never failed because of the meta device."""
    sizes = [tuple(s) for s in sizes]
    key = (module.__name__, num_classes, batch_norm, seed, tuple(sizes), dropout_size)
    if key in _RUNS:
        return _RUNS[key]
    args = (module, num_classes, batch_norm, seed, sizes, dropout_size)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the sandboxed child: the same summation order, and no oversubscribed cores
    try:
        try:
            answer = _passes(*args, real=False)
        except Exception as err:  # noqa: BLE001 - retried with an ordinary build, which reports its own errors
            if _propagates(err) or not _meta_trouble(err):
                raise
            answer = _passes(*args, real=True)
    except Exception as err:  # noqa: BLE001 - the constructor or the fill raised: every pass reports it
        if _propagates(err):
            raise
        error = _error(module, err)
        answer = {"layers": [], "outputs": [None] * len(sizes), "errors": [error] * len(sizes)}
        if dropout_size:
            answer.update(train=None, eval=None, dropout_error=error)
    finally:
        torch.set_num_threads(threads)
    _RUNS[key] = answer  # a wrong model's answer too: only what _propagates raises is met again by every test
    return answer
