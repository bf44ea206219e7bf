"""Grading tests for the `optimizers` exercise: float64 trajectories compared with the reference (which tests/test_references.py holds to torch.optim)."""
import importlib.util
from pathlib import Path

import torch

from quizkit.grading.wire.codec import SubmissionError
from quizkit.grading.testing import assert_trajectory, check, expected, hidden, points, say, tr

# The probes run inside the sandboxed child on the student's module; here the same loop runs on the reference,
# through expected() (once per process, cached; replayed from the recording in a student build).
# (Importing torch.optim would pull in torch._dynamo: a second of start-up on every grade.)
_spec = importlib.util.spec_from_file_location("optimizers_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)


F64 = torch.float64
RTOL, ATOL = 1e-9, 1e-12  # float64 rounding of different valid formulas stays far below this


def _compare(got, want, inits, *, call, hint):
    assert_trajectory(got, want, inits, rtol=RTOL, atol=ATOL, call=call, hint=hint, state=tr("缓冲区", "buffers"))

SGD_HINT = tr(
    "带动量的 SGD（torch，dampening=0）：第一步 buf = g，之后 buf = momentum * buf + g；p -= lr * buf。"
    "写成 buf = momentum * buf + (1 - momentum) * g（指数滑动平均，即 'dampening'）是另一种规则。",
    "SGD with momentum (torch, dampening=0): buf = g on the first step, then buf = momentum * buf + g; "
    "p -= lr * buf. Writing buf = momentum * buf + (1 - momentum) * g (an EMA, 'dampening') is a different rule."
)
RMS_HINT = tr(
    "RMSprop：v = alpha * v + (1 - alpha) * g**2（v 从 0 开始）；p -= lr * g / (sqrt(v) + eps)。alpha 是旧的 v 的权重。",
    "RMSprop: v = alpha * v + (1 - alpha) * g**2 (v starts at 0); p -= lr * g / (sqrt(v) + eps). "
    "alpha is the weight of the OLD v."
)
ADAGRAD_HINT = tr(
    "Adagrad：s = s + g**2 在所有步上累加（s 从 0 开始）；p -= lr * g / (sqrt(s) + eps)。",
    "Adagrad: s = s + g**2 accumulates over ALL steps (s starts at 0); p -= lr * g / (sqrt(s) + eps)."
)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _randn(gen, *shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def _shapes(inits):
    return "[" + ", ".join(f"tensor{tuple(t.shape)}" for t in inits) + "]"


def _kw(kwargs):
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())






def _run(submission, cls, inits, kwargs, n_steps, **kw):
    got = submission.probe("trajectory", cls, inits, kwargs, n_steps, **kw)
    want = expected(probes.trajectory, cls, inits, kwargs, n_steps, **kw)
    return got, want


def _random_case(seed, n_steps, scale=1.0):
    gen = _gen(seed)
    inits = [_randn(gen, 3, 4), _randn(gen, 5)]
    grads = [[_randn(gen, 3, 4, scale=scale), _randn(gen, 5, scale=3 * scale)] for _ in range(n_steps)]
    return inits, grads


def _quadratic_case(seed):
    gen = _gen(seed)
    inits = [_randn(gen, 4, 2), _randn(gen), _randn(gen, 3)]
    scales = [torch.rand(s, generator=gen, dtype=F64) * 2 + 0.1 for s in [(4, 2), (), (3,)]]
    centers = [_randn(gen, 4, 2), _randn(gen), _randn(gen, 3)]
    return inits, (scales, centers)


# ---- SGD with momentum --------------------------------------------------------------------------------------


@points(2)
def test_sgd_momentum_random_gradients(submission):
    inits, grads = _random_case(11, 20)
    kwargs = {"lr": 0.1}
    got, want = _run(submission, "SGDMomentum", inits, kwargs, 20, grads=grads)
    _compare(got, want, inits, call=tr(f"SGDMomentum({_shapes(inits)}, lr=0.1)（默认 momentum=0.9）；随机 float64 梯度 20 步",
                                         f"SGDMomentum({_shapes(inits)}, lr=0.1) (momentum=0.9 by default); "
                                         "20 steps of random float64 gradients"), hint=SGD_HINT)


@points(1)
def test_sgd_momentum_quadratic_custom_momentum(submission):
    inits, quadratic = _quadratic_case(12)
    kwargs = {"lr": 0.2, "momentum": 0.5}
    got, want = _run(submission, "SGDMomentum", inits, kwargs, 20, quadratic=quadratic)
    _compare(got, want, inits, call=tr(f"SGDMomentum({_shapes(inits)}, {_kw(kwargs)}) 在二次函数上走 20 步，g = a * (p - c)",
                                         f"SGDMomentum({_shapes(inits)}, {_kw(kwargs)}) for 20 steps on a quadratic, "
                                         "g = a * (p - c)"), hint=SGD_HINT)


@points(1)
@hidden
def test_sgd_momentum_zero_is_plain_sgd(submission):
    inits, grads = _random_case(13, 10)
    kwargs = {"lr": 0.05, "momentum": 0.0}
    got, want = _run(submission, "SGDMomentum", inits, kwargs, 10, grads=grads)
    _compare(got, want, inits, call=tr(f"SGDMomentum({_shapes(inits)}, {_kw(kwargs)}) 走 10 步",
                                         f"SGDMomentum({_shapes(inits)}, {_kw(kwargs)}) for 10 steps"),
             hint=tr("momentum=0 时就是普通 SGD：p -= lr * g。", "With momentum=0 the update is plain SGD: p -= lr * g."))


# ---- RMSprop ------------------------------------------------------------------------------------------------


@points(2)
def test_rmsprop_random_gradients_defaults(submission):
    inits, grads = _random_case(21, 20)
    got, want = _run(submission, "RMSprop", inits, {}, 20, grads=grads)
    _compare(got, want, inits, call=tr(f"RMSprop({_shapes(inits)})，默认 lr=1e-2、alpha=0.99、eps=1e-8；随机 float64 梯度 20 步",
                                         f"RMSprop({_shapes(inits)}) with the defaults lr=1e-2, alpha=0.99, eps=1e-8; "
                                         "20 steps of random float64 gradients"), hint=RMS_HINT)


@points(2)
def test_rmsprop_tiny_gradients_eps_outside_the_square_root(submission):
    inits, grads = _random_case(22, 20, scale=1e-9)
    kwargs = {"lr": 0.01}
    got, want = _run(submission, "RMSprop", inits, kwargs, 20, grads=grads)
    _compare(got, want, inits, call=tr(f"RMSprop({_shapes(inits)}, lr=0.01)，梯度大小约 1e-9，走 20 步",
                                         f"RMSprop({_shapes(inits)}, lr=0.01) for 20 steps with gradients of size ~1e-9"),
             hint=tr("这里 sqrt(v) ~ 1e-10 远小于 eps = 1e-8，所以 eps 放在哪里决定了步长：torch 用 sqrt(v) + eps"
                     "（eps 在平方根外面）。d2l 的写法 sqrt(v + eps) 会让步长小约 10000 倍。",
                     "Here sqrt(v) ~ 1e-10 is far below eps = 1e-8, so where eps goes decides the step: torch uses "
                     "sqrt(v) + eps (eps OUTSIDE the square root). The d2l form sqrt(v + eps) makes the step ~10000x "
                     "smaller."))


@points(1)
@hidden
def test_rmsprop_quadratic_custom_alpha_and_eps(submission):
    inits, quadratic = _quadratic_case(23)
    kwargs = {"lr": 0.03, "alpha": 0.9, "eps": 1e-6}
    got, want = _run(submission, "RMSprop", inits, kwargs, 20, quadratic=quadratic)
    _compare(got, want, inits, call=tr(f"RMSprop({_shapes(inits)}, {_kw(kwargs)}) 在二次函数上走 20 步",
                                         f"RMSprop({_shapes(inits)}, {_kw(kwargs)}) for 20 steps on a quadratic"),
             hint=RMS_HINT)


# ---- Adagrad ------------------------------------------------------------------------------------------------


@points(2)
def test_adagrad_random_gradients_defaults(submission):
    inits, grads = _random_case(31, 20)
    got, want = _run(submission, "Adagrad", inits, {}, 20, grads=grads)
    _compare(got, want, inits, call=tr(f"Adagrad({_shapes(inits)})，默认 lr=1e-2、eps=1e-10；随机 float64 梯度 20 步",
                                         f"Adagrad({_shapes(inits)}) with the defaults lr=1e-2, eps=1e-10; "
                                         "20 steps of random float64 gradients"), hint=ADAGRAD_HINT)


@points(1)
def test_adagrad_quadratic(submission):
    inits, quadratic = _quadratic_case(32)
    kwargs = {"lr": 0.5}
    got, want = _run(submission, "Adagrad", inits, kwargs, 20, quadratic=quadratic)
    _compare(got, want, inits, call=tr(f"Adagrad({_shapes(inits)}, lr=0.5) 在二次函数上走 20 步",
                                         f"Adagrad({_shapes(inits)}, lr=0.5) for 20 steps on a quadratic"),
             hint=ADAGRAD_HINT)


@points(1)
@hidden
def test_adagrad_tiny_gradients_and_custom_eps(submission):
    inits, grads = _random_case(33, 20, scale=1e-9)
    for kwargs in ({"lr": 0.01}, {"lr": 0.01, "eps": 1e-9}):
        got, want = _run(submission, "Adagrad", inits, kwargs, 20, grads=grads)
        _compare(got, want, inits, call=tr(f"Adagrad({_shapes(inits)}, {_kw(kwargs)})，梯度大小约 1e-9，走 20 步",
                                             f"Adagrad({_shapes(inits)}, {_kw(kwargs)}) for 20 steps with gradients "
                                             "of size ~1e-9"),
                   hint=ADAGRAD_HINT + tr("eps 放在平方根外面。", " eps goes outside the square root."))


# ---- common behaviour ---------------------------------------------------------------------------------------
# These compare the submission with ITSELF (a run without the None-grad parameter, a run without zero_grad()),
# so that a wrong update rule is reported by the tests above and not again here.

CASES = [("SGDMomentum", {"lr": 0.1}), ("RMSprop", {"lr": 0.01}), ("Adagrad", {"lr": 0.1})]


def _valid(traj, n_steps, inits):
    return (isinstance(traj, list) and len(traj) == n_steps and all(
        isinstance(step, list) and len(step) == len(inits) and all(
            type(t) is torch.Tensor and t.shape == i.shape and t.dtype == i.dtype for t, i in zip(step, inits))
        for step in traj))


@points(1)
def test_params_without_grad_are_skipped(submission):
    gen = _gen(41)
    inits = [_randn(gen, 3), _randn(gen, 2, 2), _randn(gen, 4)]
    grads = [[_randn(gen, 3), None, _randn(gen, 4)] for _ in range(5)]
    for cls, kwargs in CASES:
        call = tr(f"{cls}([p0, p1, p2], {_kw(kwargs)}) 走 5 步，p1.grad 始终是 None",
                  f"{cls}([p0, p1, p2], {_kw(kwargs)}) for 5 steps where p1.grad is always None")
        try:
            got = submission.probe("trajectory", cls, inits, kwargs, 5, grads=grads)
        except SubmissionError as err:
            check(False, call=call, got=tr(f"一个错误：{err}", f"an error: {err}"),
                  expected=tr("跳过 p1，更新 p0 和 p2", "p1 skipped and p0, p2 updated"),
                  hint=say({"en": "The usual cause: step() uses p.grad without checking it; skip a parameter "
                                  "whose .grad is None (`if p.grad is None: continue`).",
                            "zh": "常见原因：step() 没有检查就使用了 p.grad；grad 为 None 的参数要跳过"
                                  "（`if p.grad is None: continue`）。"}))
        alone = submission.probe("trajectory", cls, [inits[0], inits[2]], kwargs, 5,
                                 grads=[[g[0], g[2]] for g in grads])
        check(_valid(alone, 5, [inits[0], inits[2]]), call=tr(f"{cls}([p0, p2], {_kw(kwargs)}) 走 5 步",
                                                                f"{cls}([p0, p2], {_kw(kwargs)}) for 5 steps"),
              got=repr(alone)[:200], expected=tr("5 步、每步 2 个参数张量", "5 steps of 2 parameter tensors"))
        # p1 must stay at its initial value; p0 and p2 must move exactly as they do without p1.
        want = [[a[0], inits[1], a[1]] for a in alone]
        _compare(got, want, inits, call=call,
                 hint=tr(".grad 为 None 的参数必须跳过：保持不变、不报错、也不影响其他参数（与你自己在 [p0, p2] 上的运行比较）。",
                         "A parameter whose .grad is None must be skipped: left unchanged, no error, and no effect on "
                         "the other parameters (compared with your own run on [p0, p2])."))


@points(1)
def test_zero_grad(submission):
    gen = _gen(42)
    inits = [_randn(gen, 3), _randn(gen, 2, 2), _randn(gen, 4)]
    first = [_randn(gen, 3), None, _randn(gen, 4)]
    loop = [[_randn(gen, 3), _randn(gen, 2, 2), _randn(gen, 4)] for _ in range(5)]
    for cls, kwargs in CASES:
        call = tr(f"{cls}([p0, p1, p2], {_kw(kwargs)})：设置梯度（p1.grad = None），step()，zero_grad()",
                  f"{cls}([p0, p1, p2], {_kw(kwargs)}): set grads (p1.grad = None), step(), zero_grad()")
        after = submission.probe("grads_after_zero_grad", cls, inits, first, kwargs)
        check(isinstance(after, list) and len(after) == 3, call=call, got=repr(after)[:200],
              expected=tr("三个梯度（每个是 None 或张量）", "three gradients (each None or a tensor)"))
        for i, g in enumerate(after):
            ok = g is None or (type(g) is torch.Tensor and g.shape == inits[i].shape and bool((g == 0).all()))
            check(ok, call=call + tr(f"；然后看 params[{i}].grad", f"; then params[{i}].grad"), got=g,
                  expected=tr("None（与 torch 一样）或全零张量", "None (like torch) or a tensor of zeros"),
                  hint=tr("zero_grad() 必须清空每个梯度；.grad 已经是 None 的参数跳过即可。",
                          "zero_grad() must clear every gradient; skip parameters whose .grad is already None."))
        # A loop of zero_grad(), set grads, step() must move the params exactly as the same loop without zero_grad().
        plain = submission.probe("trajectory", cls, inits, kwargs, 5, grads=loop)
        check(_valid(plain, 5, inits), call=tr(f"{cls}([p0, p1, p2], {_kw(kwargs)}) 走 5 步",
                                                f"{cls}([p0, p1, p2], {_kw(kwargs)}) for 5 steps"),
              got=repr(plain)[:200], expected=tr("5 步、每步 3 个参数张量", "5 steps of 3 parameter tensors"))
        got = submission.probe("trajectory", cls, inits, kwargs, 5, grads=loop, zero_grad_each_step=True)
        _compare(got, plain, inits, call=tr(f"{cls}([p0, p1, p2], {_kw(kwargs)}) 循环 5 步：zero_grad()、设置梯度、step()",
                                              f"{cls}([p0, p1, p2], {_kw(kwargs)}) for 5 steps of zero_grad(), "
                                              "set grads, step()"),
                 hint=tr("zero_grad() 只能清空梯度，不能清空优化器状态或参数（与你自己不调用 zero_grad() 的同一循环比较）。",
                         "zero_grad() must only clear the gradients, not the optimizer state or the params "
                         "(compared with your own run of the same loop without zero_grad())."))
