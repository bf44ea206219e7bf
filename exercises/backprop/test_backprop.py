"""Grading tests for the `backprop` exercise: manual gradients compared with autograd and finite differences.

Autograd runs here, in the trusted process; the student's code may not use it.
"""
import torch
from quizkit.grading.testing import assert_close, check, hidden, points, tr

F64 = torch.float64
RTOL, ATOL = 1e-6, 1e-8
KEYS = ("loss", "dW1", "db1", "dW2", "db2")
PARAMS = ("W1", "b1", "W2", "b2")

HINTS = {
    "loss": tr("loss = mean((y_hat - y)**2)，对全部 N*O 个元素取平均（不是求和，也不是它的 1/2）。", "loss = mean((y_hat - y)**2) over ALL N*O elements (not the sum, not 1/2 of it)."),
    "dW2": tr("dL/dy_hat = 2 * (y_hat - y) / (N * O)；然后 dW2 = h.T @ dL/dy_hat，其中 h = relu(x @ W1 + b1)。", "dL/dy_hat = 2 * (y_hat - y) / (N * O); then dW2 = h.T @ dL/dy_hat with h = relu(x @ W1 + b1)."),
    "db2": tr("b2 加到了每一行上，所以 db2 = dL/dy_hat 沿批维度（dim=0）求和。", "b2 is added to every row, so db2 = dL/dy_hat summed over the batch dimension (dim=0)."),
    "dW1": tr("dh = dL/dy_hat @ W2.T；dz = dh * (z > 0)，其中 z = x @ W1 + b1（ReLU 的掩码）；dW1 = x.T @ dz。", "dh = dL/dy_hat @ W2.T; dz = dh * (z > 0) with z = x @ W1 + b1 (the ReLU mask); dW1 = x.T @ dz."),
    "db1": tr("db1 = dz 沿批维度求和，其中 dz = (dL/dy_hat @ W2.T) * (z > 0)。", "db1 = dz summed over the batch, where dz = (dL/dy_hat @ W2.T) * (z > 0)."),
}


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _random_case(seed, n, d, hdim, o):
    gen = _gen(seed)

    def r(*shape):
        return torch.randn(shape, generator=gen, dtype=F64)

    return {"x": r(n, d), "y": r(n, o), "W1": r(d, hdim), "b1": r(hdim), "W2": r(hdim, o), "b2": r(o)}


def _forward(c, W1, b1, W2, b2):
    return ((torch.relu(c["x"] @ W1 + b1) @ W2 + b2 - c["y"]) ** 2).mean()


def _autograd(c, relu=torch.relu):
    """Expected values: torch autograd in float64 (torch.relu has ReLU'(0) = 0)."""
    ps = [c[k].clone().requires_grad_(True) for k in PARAMS]
    W1, b1, W2, b2 = ps
    z = c["x"] @ W1 + b1
    loss = ((relu(z) @ W2 + b2 - c["y"]) ** 2).mean()
    loss.backward()
    return {"loss": loss.detach(), **{"d" + k: p.grad for k, p in zip(PARAMS, ps)}}


def _relu_grad_one_at_zero(z):
    return torch.where(z >= 0, z, torch.zeros_like(z))  # autograd: slope 1 where z >= 0, so ReLU'(0) = 1


def _relu_without_mask(z):
    return z + (torch.relu(z) - z).detach()  # the forward value of relu, the gradient of the identity


def _causes(c, want):
    """What the usual wrong backward passes return on this case, and the sentence that names each mistake."""
    n, o = c["y"].shape
    out = {k: [] for k in KEYS}
    if n * o > 1:
        for k in KEYS:
            out[k].append((want[k] * (n * o), {
                "en": f"Your value is N*O = {n * o} times too large: that is the SUM of the squared errors instead "
                      "of the mean over all N*O elements.",
                "zh": f"你的结果大了 N*O = {n * o} 倍：这是平方误差求和而不是平均（应对全部 N*O 个元素取平均）。"}))
    if o > 1:
        for k in KEYS:
            out[k].append((want[k] * o, {
                "en": f"Your value is O = {o} times too large: you divided by N only, but the mean runs over all "
                      "N*O elements.",
                "zh": f"你的结果大了 O = {o} 倍：你只除以了 N，但平均是对全部 N*O 个元素取的。"}))
    for k in KEYS[1:]:
        out[k].append((want[k] / 2, {
            "en": "Your gradient is half the expected one: the factor 2 from the square is missing, "
                  "d(diff**2)/d diff = 2 * diff.",
            "zh": "你的梯度是预期的一半：缺少平方求导带来的因子 2，d(diff**2)/d diff = 2 * diff。"}))
    if n > 1:
        for k in ("db1", "db2"):
            out[k].append((want[k] / n, {
                "en": f"Your {k} is averaged over the batch (1/N = 1/{n} of the expected one): the bias is added to "
                      "every row, so its gradient is the SUM over dim 0, not the mean.",
                "zh": f"你的 {k} 对 batch 取了平均（是预期的 1/N = 1/{n}）：偏置加在每一行上，所以它的梯度是沿 dim 0 "
                      "求和，而不是平均。"}))
    one_at_zero, no_mask = _autograd(c, _relu_grad_one_at_zero), _autograd(c, _relu_without_mask)
    for k in ("dW1", "db1"):
        out[k].append((no_mask[k], {
            "en": "Your gradient has no ReLU mask: multiply dh by (z > 0), since ReLU passes no gradient where z < 0.",
            "zh": "你的梯度没有 ReLU 掩码：dh 要乘以 (z > 0)，因为 z < 0 处 ReLU 不传梯度。"}))
        out[k].append((one_at_zero[k], {
            "en": "Your mask is (z >= 0): at z == 0 ReLU'(z) is 0, as torch.relu has it, so the mask is (z > 0).",
            "zh": "你的掩码是 (z >= 0)：在 z == 0 处 ReLU'(z) 为 0（与 torch.relu 一致），所以掩码应是 (z > 0)。"}))
    return out


def _describe(c):
    head = (f"mlp_forward_backward(x{tuple(c['x'].shape)}, y{tuple(c['y'].shape)}, W1{tuple(c['W1'].shape)}, "
            f"b1{tuple(c['b1'].shape)}, W2{tuple(c['W2'].shape)}, b2{tuple(c['b2'].shape)})")
    return tr(f"{head}，参数都是 float64 张量", f"{head} with float64 tensors")


def _call(submission, c):
    got = submission.mlp_forward_backward(c["x"], c["y"], c["W1"], c["b1"], c["W2"], c["b2"])
    call = _describe(c)
    missing = [k for k in KEYS if not isinstance(got, dict) or k not in got]
    keys = sorted(got) if isinstance(got, dict) else '-'
    check(not missing, call=call, got=tr(f"键为 {keys} 的 {type(got).__name__}", f"{type(got).__name__} with keys {keys}"),
          expected=tr(f"键为 {list(KEYS)} 的 dict", f"a dict with the keys {list(KEYS)}"),
          hint=tr(f"缺少：{missing}", f"missing: {missing}"))
    return got, call


def _loss_tensor(got_loss, call):
    """The contract allows a 0-dim tensor or a Python float."""
    if isinstance(got_loss, float) and not isinstance(got_loss, bool):
        return torch.tensor(got_loss, dtype=F64)
    check(type(got_loss) is torch.Tensor and got_loss.dim() == 0, call=call + "; result['loss']", got=got_loss,
          expected=tr("0 维张量或 Python float", "a 0-dim tensor or a Python float"))
    return got_loss


def _compare(got, want, call, keys=KEYS, hint_extra="", causes=None):
    for k in keys:
        g = _loss_tensor(got[k], call) if k == "loss" else got[k]
        assert_close(g, want[k], rtol=RTOL, atol=ATOL, call=call + f"; result['{k}']",
                     hint=HINTS[k] + (" " + hint_extra if hint_extra else ""), causes=(causes or {}).get(k, ()))


@points(2)
def test_small_network_matches_autograd(submission):
    c = _random_case(1, n=4, d=3, hdim=5, o=2)
    got, call = _call(submission, c)
    want = _autograd(c)
    _compare(got, want, call, keys=("dW2", "db2", "dW1", "db1"), causes=_causes(c, want))


@points(1)
def test_loss_value(submission):
    c = _random_case(2, n=6, d=4, hdim=3, o=2)
    got, call = _call(submission, c)
    want = _autograd(c)
    _compare(got, want, call, keys=("loss",), causes=_causes(c, want))


@points(2)
def test_relu_derivative_at_zero_is_zero(submission):
    gen = _gen(3)
    # Small integers make many pre-activations z = x @ W1 + b1 exactly 0.0 in float64.
    c = {
        "x": torch.randint(-2, 3, (8, 4), generator=gen).to(F64),
        "W1": torch.randint(-1, 2, (4, 6), generator=gen).to(F64),
        "b1": torch.randint(-1, 2, (6,), generator=gen).to(F64),
        "W2": torch.randn(6, 3, generator=gen, dtype=F64),
        "b2": torch.randn(3, generator=gen, dtype=F64),
        "y": torch.randn(8, 3, generator=gen, dtype=F64),
    }
    n_zero = int((c["x"] @ c["W1"] + c["b1"] == 0).sum())
    assert n_zero > 0  # guards the test itself, not the submission
    got, call = _call(submission, c)
    want = _autograd(c)
    _compare(got, want, call + tr(f"（{n_zero} 个预激活恰好为 0）", f" ({n_zero} pre-activations exactly 0)"),
             causes=_causes(c, want),
             hint_extra=tr("z == 0 处 ReLU'(z) 取 0，与 torch.relu 一样：掩码是 (z > 0)，不是 (z >= 0)。",
                           "At z == 0, ReLU'(z) is taken as 0, as torch.relu does: the mask is (z > 0), not (z >= 0)."))


@points(1)
def test_gradients_match_centred_finite_differences(submission):
    c = _random_case(4, n=5, d=3, hdim=4, o=2)
    got, call = _call(submission, c)
    causes = _causes(c, _autograd(c))
    h = 1e-6
    for k in PARAMS:
        fd = torch.zeros_like(c[k])
        flat = fd.view(-1)
        for i in range(c[k].numel()):
            plus, minus = c[k].clone(), c[k].clone()
            plus.view(-1)[i] += h
            minus.view(-1)[i] -= h
            args_p = {p: (plus if p == k else c[p]) for p in PARAMS}
            args_m = {p: (minus if p == k else c[p]) for p in PARAMS}
            flat[i] = (_forward(c, **args_p) - _forward(c, **args_m)) / (2 * h)
        assert_close(got["d" + k], fd, rtol=1e-5, atol=1e-7, causes=causes["d" + k],
                     call=call + tr(f"；result['d{k}'] 与中心差分 (L(p+h) - L(p-h)) / 2h（h=1e-6）比较",
                                   f"; result['d{k}'] against centred finite differences (L(p+h) - L(p-h)) / 2h, h=1e-6"),
                     hint=HINTS["d" + k])


@points(1)
@hidden
def test_larger_batch_matches_autograd(submission):
    c = _random_case(5, n=64, d=10, hdim=32, o=3)
    got, call = _call(submission, c)
    _compare(got, _autograd(c), call)


@points(1)
@hidden
def test_single_sample_single_output(submission):
    c = _random_case(6, n=1, d=2, hdim=3, o=1)
    got, call = _call(submission, c)
    _compare(got, _autograd(c), call,
             hint_extra=tr("即使 N = 1 或 O = 1，也要保持约定中的每个形状（不要 squeeze()）。",
                           "Keep every shape as in the contract even when N = 1 or O = 1 (no squeeze())."))


@points(1)
@hidden
def test_dead_and_saturated_units(submission):
    c = _random_case(7, n=10, d=3, hdim=4, o=2)
    c["b1"] = torch.tensor([-100.0, 100.0, 0.0, -100.0], dtype=F64)  # units 0 and 3 are dead for every sample
    got, call = _call(submission, c)
    _compare(got, _autograd(c), call + " (two hidden units inactive for every sample)")
