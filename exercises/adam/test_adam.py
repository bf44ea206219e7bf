"""Grading tests for the `adam` exercise: float64 trajectories compared with the reference (which tests/test_references.py holds to torch.optim.Adam)."""
import functools
import importlib.util
import types
from pathlib import Path

import torch

from quizkit.grading.wire.codec import SubmissionError
from quizkit.grading.testing import assert_trajectory, check, expected, hidden, instructor_only, points, say, tr

# The probes run inside the sandboxed child on the student's module; here the same loop runs on the reference,
# through expected() (once per process, cached; replayed from the recording in a student build).
# (Importing torch.optim would pull in torch._dynamo: a second of start-up on every grade.)
_spec = importlib.util.spec_from_file_location("adam_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)

F64 = torch.float64
RTOL, ATOL = 1e-9, 1e-12  # float64 rounding of different valid formulas stays far below this


def _compare(got, want, inits, *, call, hint, causes=()):
    assert_trajectory(got, want, inits, rtol=RTOL, atol=ATOL, call=call, hint=hint, state="m, v", causes=causes)


@instructor_only  # with no mistake switched on it is Adam itself: the student build leaves it out
class _WrongAdam:
    """Adam as the usual mistakes write it, run here in the trusted process: a submission whose trajectory is
    one of these is told which mistake it made."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, mistake):
        self.params, self.lr, self.eps, self.wd, self.mistake = list(params), lr, eps, weight_decay, mistake
        self.b1, self.b2 = betas[::-1] if mistake == "betas_swapped" else betas
        dtype = torch.float32 if mistake == "float32_state" else None
        self.state = [{"t": 0, "m": torch.zeros_like(p, dtype=dtype), "v": torch.zeros_like(p, dtype=dtype)}
                      for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p, s in zip(self.params, self.state):
            if p.grad is None:
                continue
            g = p.grad + self.wd * p if self.wd != 0 else p.grad
            s["t"] += 1
            t = s["t"]
            s["m"].mul_(self.b1).add_(g, alpha=1 - self.b1)
            s["v"].mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            m_hat, v_hat = s["m"], s["v"]
            if self.mistake != "no_bias_correction":
                k = t - 1 if self.mistake == "t_from_zero" else t
                m_hat, v_hat = m_hat / (1 - self.b1**k), v_hat / (1 - self.b2**k)
            denom = (v_hat + self.eps).sqrt() if self.mistake == "eps_inside_sqrt" else v_hat.sqrt() + self.eps
            p.sub_(self.lr * m_hat / denom)


CAUSES = {
    "eps_inside_sqrt": {
        "en": "Your steps are exactly those of eps inside the square root, sqrt(v_hat + eps); torch.optim.Adam adds "
              "eps after it: sqrt(v_hat) + eps.",
        "zh": "你的更新与把 eps 放在开方里 sqrt(v_hat + eps) 完全一致；torch.optim.Adam 把 eps 加在开方之后："
              "sqrt(v_hat) + eps。"},
    "no_bias_correction": {
        "en": "Your steps are exactly those of Adam without the bias correction: use m_hat = m / (1 - beta1**t) "
              "and v_hat = v / (1 - beta2**t).",
        "zh": "你的更新与没有偏差修正的 Adam 完全一致：应使用 m_hat = m / (1 - beta1**t) 和 v_hat = v / (1 - beta2**t)。"},
    "betas_swapped": {
        "en": "Your steps are exactly those of Adam with beta1 and beta2 swapped: beta1 (0.9) decays m, beta2 "
              "(0.999) decays v.",
        "zh": "你的更新与 beta1 和 beta2 对调后的 Adam 完全一致：beta1（0.9）用于 m 的衰减，beta2（0.999）用于 v。"},
    "t_from_zero": {
        "en": "Your steps are exactly those of a bias correction with t = 0 on the first step (1 - beta**0 = 0 "
              "divides by zero): increment t before m_hat = m / (1 - beta1**t).",
        "zh": "你的更新与第一步用 t = 0 做偏差修正完全一致（1 - beta**0 = 0，除以零）：先 t += 1，再算 "
              "m_hat = m / (1 - beta1**t)。"},
    "float32_state": {
        "en": "Your steps are exactly those of Adam with m and v kept in float32 (e.g. torch.zeros(p.shape)): use "
              "torch.zeros_like(p) so the state keeps float64.",
        "zh": "你的更新与把 m、v 存成 float32 的 Adam 完全一致（例如 torch.zeros(p.shape)）：用 torch.zeros_like(p)，"
              "状态才会保持 float64。"},
}


def _wrong(mistake):
    return types.SimpleNamespace(Adam=functools.partial(_WrongAdam, mistake=mistake))


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _randn(gen, *shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def _shapes(inits):
    return "[" + ", ".join(f"tensor{tuple(t.shape)}" for t in inits) + "]"






def _run(submission, inits, kwargs, n_steps, **kw):
    got = submission.probe("trajectory", inits, kwargs, n_steps, **kw)
    want = expected(probes.trajectory, inits, kwargs, n_steps, **kw)
    causes = [(functools.partial(probes.trajectory, _wrong(m), inits, kwargs, n_steps, **kw), text)
              for m, text in CAUSES.items()]  # computed only when the submission is wrong
    return got, want, causes


def _kw(kwargs):
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


@points(1)
def test_first_step_moves_each_coordinate_by_about_lr(submission):
    gen = _gen(1)
    inits = [_randn(gen, 2, 3), _randn(gen, 4)]
    # Gradients of very different sizes: after bias correction the first step is ~lr * sign(g) for all of them.
    grads = [[_randn(gen, 2, 3) * torch.logspace(-3, 3, 6, dtype=F64).reshape(2, 3), _randn(gen, 4)]]
    kwargs = {"lr": 0.1}
    got, want, causes = _run(submission, inits, kwargs, 1, grads=grads)
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam({_shapes(inits)}, lr=0.1).step()，用 float64 梯度走一步",
                f"Adam({_shapes(inits)}, lr=0.1).step() once with float64 gradients"),
        hint=tr("Adam 的第一步让每个坐标移动约 lr * sign(g)：t = 1 时 m_hat = g、v_hat = g**2。步长约为 3.16 * lr "
                "说明缺少偏差修正（m / (1 - beta1**t)、v / (1 - beta2**t)，第一步 t = 1）；梯度小的坐标移动明显小于 lr，"
                "说明 eps 放进了平方根里（torch 用的是 sqrt(v_hat) + eps）。",
                "The first Adam step moves every coordinate by about lr * sign(g): m_hat = g and v_hat = g**2 "
        "when t = 1. A step about 3.16 * lr means the bias correction is missing (m / (1 - beta1**t), "
        "v / (1 - beta2**t), with t = 1 on the first step); coordinates with small gradients moving noticeably "
        "less than lr mean eps went inside the square root (torch uses sqrt(v_hat) + eps)."),
    )


@points(2)
def test_random_gradients_default_hyperparameters(submission):
    gen = _gen(2)
    inits = [_randn(gen, 3, 4), _randn(gen, 5)]
    grads = [[_randn(gen, 3, 4), _randn(gen, 5, scale=10.0)] for _ in range(20)]
    got, want, causes = _run(submission, inits, {}, 20, grads=grads)
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam({_shapes(inits)})，默认 lr=1e-3、betas=(0.9, 0.999)、eps=1e-8；随机 float64 梯度 20 步",
                f"Adam({_shapes(inits)}) with the default lr=1e-3, betas=(0.9, 0.999), eps=1e-8; 20 steps "
                "of random float64 gradients"),
        hint=tr("检查默认值和顺序：t += 1; m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g**2; "
                "m_hat = m/(1-beta1**t); v_hat = v/(1-beta2**t); p -= lr*m_hat/(sqrt(v_hat)+eps)。",
                "Check the defaults and the order: t += 1; m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g**2; "
                "m_hat = m/(1-beta1**t); v_hat = v/(1-beta2**t); p -= lr*m_hat/(sqrt(v_hat)+eps)."),
    )


@points(2)
def test_quadratic_bowl_with_custom_betas(submission):
    gen = _gen(3)
    inits = [_randn(gen, 4, 2), _randn(gen, 3)]
    scales = [torch.rand(4, 2, generator=gen, dtype=F64) * 5 + 0.1, torch.rand(3, generator=gen, dtype=F64) + 0.1]
    centers = [_randn(gen, 4, 2), _randn(gen, 3)]
    kwargs = {"lr": 0.05, "betas": (0.8, 0.95)}
    got, want, causes = _run(submission, inits, kwargs, 20, quadratic=(scales, centers))
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam({_shapes(inits)}, {_kw(kwargs)}) 在二次函数上走 20 步，g = a * (p - c)",
                f"Adam({_shapes(inits)}, {_kw(kwargs)}) for 20 steps on a quadratic, g = a * (p - c)"),
        hint=tr("betas = (beta1, beta2)：beta1 是一阶矩 m 的衰减率，beta2 是二阶矩 v 的。是不是写反了，"
                "或者偏差修正用错了 beta？",
                "betas = (beta1, beta2): beta1 is the decay of the first moment m, beta2 of the second moment v. "
                "Are they swapped, or are the bias corrections using the wrong beta?"),
    )


@points(2)
def test_tiny_gradients_eps_outside_the_square_root(submission):
    gen = _gen(4)
    inits = [_randn(gen, 6), _randn(gen, 2, 2)]
    grads = [[_randn(gen, 6, scale=1e-9), _randn(gen, 2, 2, scale=3e-9)] for _ in range(20)]
    kwargs = {"lr": 0.01}
    got, want, causes = _run(submission, inits, kwargs, 20, grads=grads)
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam({_shapes(inits)}, lr=0.01)，梯度大小约 1e-9，走 20 步",
                f"Adam({_shapes(inits)}, lr=0.01) for 20 steps with gradients of size ~1e-9"),
        hint=tr("这里 sqrt(v_hat) ~ 1e-9 比 eps = 1e-8 还小，所以 eps 放在哪里决定了步长：torch 用 sqrt(v_hat) + eps"
                "（eps 在平方根外面）。sqrt(v_hat + eps) 会让步长小约 1000 倍。",
                "Here sqrt(v_hat) ~ 1e-9 is smaller than eps = 1e-8, so where eps goes decides the step: torch "
                "uses sqrt(v_hat) + eps (eps OUTSIDE the square root). sqrt(v_hat + eps) makes the step ~1000x smaller."),
    )


@points(2)
def test_weight_decay_is_l2_added_to_the_gradient(submission):
    gen = _gen(5)
    inits = [_randn(gen, 5, scale=3.0), _randn(gen, 2, 3, scale=3.0)]
    grads = [[_randn(gen, 5), _randn(gen, 2, 3)] for _ in range(20)]
    kwargs = {"lr": 0.01, "weight_decay": 0.1}
    got, want, causes = _run(submission, inits, kwargs, 20, grads=grads)
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam({_shapes(inits)}, {_kw(kwargs)})，随机梯度 20 步",
                f"Adam({_shapes(inits)}, {_kw(kwargs)}) for 20 steps of random gradients"),
        hint=tr("torch.optim.Adam 的 weight_decay 是 L2 正则：在更新 m 和 v 之前 g = g + weight_decay * p。"
                "直接从 p 中减去 lr * weight_decay * p 是 AdamW（解耦的权重衰减），是另一个优化器。",
                "torch.optim.Adam's weight_decay is L2 regularisation: g = g + weight_decay * p BEFORE m and v are "
                "updated. Subtracting lr * weight_decay * p from p directly is AdamW (decoupled decay), a different "
                "optimizer."),
    )


def _valid(traj, n_steps, inits):
    return (isinstance(traj, list) and len(traj) == n_steps and all(
        isinstance(step, list) and len(step) == len(inits) and all(
            type(t) is torch.Tensor and t.shape == i.shape and t.dtype == i.dtype for t, i in zip(step, inits))
        for step in traj))


# The next two tests compare the submission with ITSELF (a run without the None-grad parameter, a run without
# zero_grad()), so that a wrong update rule is reported by the tests above and not again here.


@points(1)
def test_params_without_grad_are_skipped(submission):
    gen = _gen(6)
    inits = [_randn(gen, 3), _randn(gen, 2, 2), _randn(gen, 4)]
    grads = [[_randn(gen, 3), None, _randn(gen, 4)] for _ in range(5)]
    kwargs = {"lr": 0.1}
    call = tr("Adam([p0, p1, p2], lr=0.1) 走 5 步，p1.grad 始终是 None",
              "Adam([p0, p1, p2], lr=0.1) for 5 steps where p1.grad is always None")
    try:
        got = submission.probe("trajectory", inits, kwargs, 5, grads=grads)
    except SubmissionError as err:
        check(False, call=call, got=tr(f"一个错误：{err}", f"an error: {err}"),
              expected=tr("跳过 p1，更新 p0 和 p2", "p1 skipped and p0, p2 updated"),
              hint=say({"en": "The usual cause: step() uses p.grad without checking it; skip a parameter whose "
                              ".grad is None (`if p.grad is None: continue`).",
                        "zh": "常见原因：step() 没有检查就使用了 p.grad；grad 为 None 的参数要跳过"
                              "（`if p.grad is None: continue`）。"}))
    alone = submission.probe("trajectory", [inits[0], inits[2]], kwargs, 5, grads=[[g[0], g[2]] for g in grads])
    check(_valid(alone, 5, [inits[0], inits[2]]), call=tr("Adam([p0, p2], lr=0.1) 走 5 步", "Adam([p0, p2], lr=0.1) for 5 steps"),
          got=repr(alone)[:200], expected=tr("5 步、每步 2 个参数张量", "5 steps of 2 parameter tensors"))
    # p1 must stay at its initial value; p0 and p2 must move exactly as they do without p1.
    _compare(
        got, [[a[0], inits[1], a[1]] for a in alone], inits,
        call=call,
        hint=tr(".grad 为 None 的参数必须跳过（`if p.grad is None: continue`）：保持不变、不报错、"
                "也不影响其他参数（与你自己在 [p0, p2] 上的运行比较）。",
                "A parameter whose .grad is None must be skipped (`if p.grad is None: continue`): left unchanged, "
                "no error, and no effect on the other parameters (compared with your own run on [p0, p2])."),
    )


@points(1)
def test_zero_grad(submission):
    gen = _gen(7)
    inits = [_randn(gen, 3), _randn(gen, 2, 2), _randn(gen, 4)]
    grads = [_randn(gen, 3), None, _randn(gen, 4)]
    call = tr("Adam([p0, p1, p2], lr=0.1)：设置梯度（p1.grad = None），step()，zero_grad()",
              "Adam([p0, p1, p2], lr=0.1): set grads (p1.grad = None), step(), zero_grad()")
    after = submission.probe("grads_after_zero_grad", inits, grads, {"lr": 0.1})
    check(isinstance(after, list) and len(after) == 3, call=call, got=repr(after)[:200],
          expected=tr("三个梯度（每个是 None 或张量）", "three gradients (each None or a tensor)"))
    for i, g in enumerate(after):
        ok = g is None or (type(g) is torch.Tensor and g.shape == inits[i].shape and bool((g == 0).all()))
        check(ok, call=call + tr(f"；然后看 params[{i}].grad", f"; then params[{i}].grad"), got=g,
              expected=tr("None（与 torch 一样）或全零张量", "None (like torch) or a tensor of zeros"),
              hint=tr("zero_grad() 必须清空每个梯度；.grad 已经是 None 的参数跳过即可。",
                      "zero_grad() must clear every gradient; skip parameters whose .grad is already None."))
    # A loop of zero_grad(), set grads, step() must move the params exactly as the same loop without zero_grad().
    grads = [[_randn(gen, 3), _randn(gen, 2, 2), _randn(gen, 4)] for _ in range(5)]
    plain = submission.probe("trajectory", inits, {"lr": 0.1}, 5, grads=grads)
    check(_valid(plain, 5, inits), call=tr("Adam([p0, p1, p2], lr=0.1) 走 5 步", "Adam([p0, p1, p2], lr=0.1) for 5 steps"),
          got=repr(plain)[:200], expected=tr("5 步、每步 3 个参数张量", "5 steps of 3 parameter tensors"))
    got = submission.probe("trajectory", inits, {"lr": 0.1}, 5, grads=grads, zero_grad_each_step=True)
    _compare(
        got, plain, inits,
        call=tr("Adam([p0, p1, p2], lr=0.1) 循环 5 步：zero_grad()、设置梯度、step()",
                "Adam([p0, p1, p2], lr=0.1) for 5 steps of zero_grad(), set grads, step()"),
        hint=tr("zero_grad() 只能清空梯度，不能清空优化器状态（m、v、t）或参数（与你自己不调用 zero_grad() 的同一循环比较）。",
                "zero_grad() must only clear the gradients, not the optimizer state (m, v, t) or the params "
                "(compared with your own run of the same loop without zero_grad())."),
    )


@points(1)
@hidden
def test_scalar_and_odd_shapes_with_all_options(submission):
    gen = _gen(8)
    inits = [_randn(gen), _randn(gen, 1), _randn(gen, 2, 3, 4)]
    scales = [torch.tensor(2.0, dtype=F64), torch.tensor([0.5], dtype=F64), torch.rand(2, 3, 4, generator=gen,
                                                                                      dtype=F64) * 3]
    centers = [torch.tensor(-1.0, dtype=F64), torch.tensor([4.0], dtype=F64), _randn(gen, 2, 3, 4)]
    kwargs = {"lr": 0.1, "betas": (0.7, 0.9), "eps": 1e-6, "weight_decay": 0.01}
    got, want, causes = _run(submission, inits, kwargs, 20, quadratic=(scales, centers))
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam([tensor(()), tensor((1,)), tensor((2, 3, 4))], {_kw(kwargs)}) 在二次函数上走 20 步",
                f"Adam([tensor(()), tensor((1,)), tensor((2, 3, 4))], {_kw(kwargs)}) for 20 steps on a quadratic"),
        hint=tr("每个选项都必须生效，0 维参数也一样。", "Every option must be honoured, for 0-dim parameters too."),
    )


@points(1)
@hidden
def test_tiny_gradients_with_weight_decay_and_custom_eps(submission):
    gen = _gen(9)
    inits = [_randn(gen, 5, scale=1e-3), _randn(gen, 3, scale=1e-3)]
    grads = [[_randn(gen, 5, scale=1e-9), _randn(gen, 3, scale=1e-8)] for _ in range(20)]
    kwargs = {"lr": 1e-3, "eps": 1e-7, "weight_decay": 1e-4}
    got, want, causes = _run(submission, inits, kwargs, 20, grads=grads)
    _compare(
        got, want, inits, causes=causes,
        call=tr(f"Adam({_shapes(inits)}, {_kw(kwargs)})，梯度大小约 1e-9，走 20 步",
                f"Adam({_shapes(inits)}, {_kw(kwargs)}) for 20 steps with gradients of size ~1e-9"),
        hint=tr("eps 放在平方根外面，权重衰减加到梯度上（L2），与 torch 一样。",
                "eps goes outside the square root and weight decay is added to the gradient (L2), as in torch."),
    )
