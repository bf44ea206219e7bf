"""Grading tests for the `batchnorm` exercise: float64 forward passes compared with torch.nn.BatchNorm1d."""
import importlib.util
import types
from pathlib import Path

import torch

from quizkit.grading.testing import assert_close, assert_unchanged, check, hidden, points, tr

# The probes run inside the sandboxed child on the student's module; here the same calls run on torch's layer.
_spec = importlib.util.spec_from_file_location("batchnorm_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)
TORCH = types.SimpleNamespace(BatchNorm1d=torch.nn.BatchNorm1d)

F64 = torch.float64
# Float64 rounding of valid formulas (mean((x - mean)**2), x.var(correction=0), E[x^2] - E[x]^2 on these inputs)
# stays far below this; every mistake tested here is off by more than 1e-3.
RTOL, ATOL = 1e-8, 1e-12

OUT_HINT = tr(
    "训练模式：y = (x - mean) / sqrt(var + eps) * weight + bias，用沿 dim 0 的批均值和有偏的批方差"
    "（除以 N：x.var(dim=0, correction=0)，不是 torch 默认的无偏 x.var(dim=0)）；eps 在平方根里面。",
    "Train mode: y = (x - mean) / sqrt(var + eps) * weight + bias, with the batch mean and the BIASED batch "
    "variance over dim 0 (divide by N: x.var(dim=0, correction=0), not torch's default unbiased x.var(dim=0)); "
    "eps inside the square root."
)
MEAN_HINT = tr(
    "momentum 是新的批统计量的权重：running_mean = (1 - momentum) * running_mean + momentum * batch_mean"
    "（momentum=0.1 时是 0.9 * 旧值 + 0.1 * 新值，不是 0.9 * 新值 + 0.1 * 旧值）。",
    "momentum is the weight of the NEW batch statistic: running_mean = (1 - momentum) * running_mean + momentum * "
    "batch_mean (with momentum=0.1: 0.9 * old + 0.1 * new, not 0.9 * new + 0.1 * old)."
)
VAR_HINT = tr(
    "running_var = (1 - momentum) * running_var + momentum * unbiased_var，滑动估计用的是无偏的批方差"
    "（除以 N - 1：x.var(dim=0)，或 有偏方差 * N / (N - 1)），尽管批本身用有偏方差归一化。torch 就是这样做的。",
    "running_var = (1 - momentum) * running_var + momentum * unbiased_var, where the running estimate uses the "
    "UNBIASED batch variance (divide by N - 1: x.var(dim=0), or biased * N / (N - 1)) even though the batch itself "
    "is normalised with the biased one. That is what torch does."
)
EVAL_HINT = tr(
    "评估模式：y = (x - running_mean) / sqrt(running_var + eps) * weight + bias，用保存的滑动统计量（不是这一批的），"
    "并且不更新滑动统计量。",
    "Eval mode: y = (x - running_mean) / sqrt(running_var + eps) * weight + bias, with the stored running "
    "statistics (not the batch's), and the running statistics are NOT updated."
)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _batch(gen, n, scales, offsets):
    c = len(scales)
    return torch.randn(n, c, generator=gen, dtype=F64) * torch.tensor(scales, dtype=F64) + torch.tensor(offsets, dtype=F64)


def _affine(gen, c):
    return torch.rand(c, generator=gen, dtype=F64) + 0.5, torch.randn(c, generator=gen, dtype=F64)


def _kw(kwargs):
    return "".join(f", {k}={v!r}" for k, v in kwargs.items())


def _describe(num_features, kwargs, steps, use_forward):
    call = "bn(x)" if not use_forward else "bn.forward(x)"
    parts, k = [], 0
    while k < len(steps):
        mode = steps[k][0]
        j = k
        while j < len(steps) and steps[j][0] == mode:
            j += 1
        sizes = sorted({int(s[1].shape[0]) for s in steps[k:j]})
        n = '/'.join(map(str, sizes))
        parts.append(tr(f"{mode} 模式 {j - k} 步（N={n}）", f"{j - k} {mode} step{'s' if j - k > 1 else ''} (N={n})"))
        k = j
    head = tr(f"bn = BatchNorm1d({num_features}{_kw(kwargs)})，float64 的 weight/bias，然后 {call}：",
              f"bn = BatchNorm1d({num_features}{_kw(kwargs)}) with float64 weight/bias, then {call} for ")
    for i, part in enumerate(parts):
        head = head + (tr("，然后 ", ", then ") if i else "") + part
    return head


def _run_and_compare(submission, num_features, kwargs, weight, bias, steps, *, use_forward=False,
                     out_hint=OUT_HINT, eval_hint=EVAL_HINT, check_stats=True):
    got = submission.probe("run", num_features, kwargs, weight, bias, steps, use_forward=use_forward)
    want = probes.run(TORCH, num_features, kwargs, weight, bias, steps, use_forward=use_forward)
    call = _describe(num_features, kwargs, steps, use_forward)
    check(isinstance(got, list) and len(got) == len(want), call=call, got=repr(got)[:200],
          expected=tr(f"{len(want)} 步的记录", f"a record of {len(want)} steps"),
          hint=tr("评分探针没能记录这些步。", "The grading probe could not record the steps."))
    for k, (g, w) in enumerate(zip(got, want)):
        mode = steps[k][0]
        where = call + tr(f"；第 {k + 1} 步（{mode}）", f"; step {k + 1} ({mode})")
        check(isinstance(g, dict) and set(g) == set(w), call=where, got=repr(g)[:200], expected=sorted(w))
        assert_close(g["out"], w["out"], rtol=RTOL, atol=ATOL, call=where + tr("：输出", ": the output"),
                     hint=out_hint if mode == "train" else eval_hint)
        if check_stats:
            stats_hint = tr("评估模式不能改变 running_mean / running_var。", "Eval mode must not change running_mean / running_var.")
            assert_close(g["running_mean"], w["running_mean"], rtol=RTOL, atol=ATOL,
                         call=where + tr("：调用之后的 bn.running_mean", ": bn.running_mean after the call"),
                         hint=MEAN_HINT if mode == "train" else stats_hint)
            assert_close(g["running_var"], w["running_var"], rtol=RTOL, atol=ATOL,
                         call=where + tr("：调用之后的 bn.running_var", ": bn.running_var after the call"),
                         hint=VAR_HINT if mode == "train" else stats_hint)
        # Every call is checked for a modified input, here in the supervisor: the child only sends x back.
        assert_unchanged(steps[k][1], g["input"], call=where, name="x",
                         hint=tr("不要原地修改输入（x -= mean ...）；把结果算进新张量。",
                                 "Don't modify the input in place (x -= mean ...); compute the result in new tensors."))


@points(1)
def test_initial_state_and_train_eval_flags(submission):
    call = "bn = BatchNorm1d(4)"
    got = submission.probe("initial_state", 4, {})
    check(isinstance(got, dict), call=call, got=repr(got)[:200], expected=tr("这一层的状态", "the layer's state"))
    for name, value in (("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0), ("running_var", 1.0)):
        assert_close(got[name], torch.full((4,), value, dtype=F64), rtol=0, atol=0, call=f"{call}; bn.{name}",
                     hint=tr(f"{name} 初始是形状为 (num_features,)、填满 {value:g} 的张量，与 torch 一样。",
                             f"{name} starts as a tensor of shape (num_features,) filled with {value:g}, as in torch."))
    flags = got["training"]
    for label, value, expected in ((tr("刚构造之后", "right after construction"), flags[0], True),
                                   (tr("bn.eval() 之后", "after bn.eval()"), flags[1], False),
                                   (tr("bn.train() 之后", "after bn.train()"), flags[2], True)):
        check(value is expected, call=f"{call}; bn.training " + label, got=value, expected=expected,
              hint=tr("`training` 初始为 True；eval() 把它设为 False，train() 设回 True（继承 nn.Module 就有这三者）。",
                      "`training` is True at start; eval() sets it to False and train() back to True "
                      "(nn.Module provides all three if you subclass it)."))


@points(2)
def test_train_mode_normalises_with_biased_batch_variance(submission):
    gen = _gen(1)
    w, b = _affine(gen, 4)
    steps = [("train", _batch(gen, 8, [1.0, 2.0, 0.5, 3.0], [0.5, -1.0, 2.0, 0.0]))]
    # Only the output here; the running statistics have their own test.
    _run_and_compare(submission, 4, {}, w, b, steps, check_stats=False)


@points(2)
def test_running_stats_follow_torch_over_train_steps(submission):
    gen = _gen(2)
    w, b = _affine(gen, 3)
    steps = [("train", _batch(gen, 6, [1.5, 0.5, 2.0], [3.0, -2.0, 1.0])) for _ in range(5)]
    _run_and_compare(submission, 3, {}, w, b, steps)


@points(2)
def test_eval_mode_uses_running_stats_and_does_not_update_them(submission):
    gen = _gen(3)
    w, b = _affine(gen, 3)
    steps = [("train", _batch(gen, 10, [2.0, 1.0, 0.5], [1.0, -3.0, 0.5])) for _ in range(4)]
    steps += [("eval", _batch(gen, n, [2.0, 1.0, 0.5], [1.0, -3.0, 0.5])) for n in (5, 1, 3)]
    _run_and_compare(submission, 3, {}, w, b, steps)


@points(1)
def test_custom_eps_and_momentum(submission):
    gen = _gen(4)
    w, b = _affine(gen, 3)
    kwargs = {"eps": 1e-2, "momentum": 0.3}
    # The middle feature's variance (~0.0025) is smaller than eps, so where eps goes matters.
    steps = [("train", _batch(gen, 7, [1.0, 0.05, 3.0], [0.0, 1.0, -2.0])) for _ in range(3)]
    steps += [("eval", _batch(gen, 4, [1.0, 0.05, 3.0], [0.0, 1.0, -2.0])) for _ in range(2)]
    _run_and_compare(submission, 3, kwargs, w, b, steps,
                     out_hint=OUT_HINT + tr("使用构造函数给出的 eps 和 momentum。", " Use the eps and momentum given to the constructor."),
                     eval_hint=EVAL_HINT + tr("使用构造函数给出的 eps，放在平方根里面。",
                                                " Use the eps given to the constructor, inside the square root."))


@points(1)
def test_forward_method_and_input_unchanged(submission):
    gen = _gen(5)
    w, b = _affine(gen, 2)
    steps = [("train", _batch(gen, 5, [1.0, 2.0], [1.0, -1.0])) for _ in range(2)]
    steps += [("eval", _batch(gen, 3, [1.0, 2.0], [1.0, -1.0]))]
    _run_and_compare(submission, 2, {}, w, b, steps, use_forward=True)
    _run_and_compare(submission, 2, {}, w, b, steps)


@points(1)
@hidden
def test_training_resumes_after_eval(submission):
    gen = _gen(6)
    w, b = _affine(gen, 4)

    def mk(n):
        return _batch(gen, n, [1.0, 0.3, 2.5, 1.2], [2.0, 0.0, -1.0, 4.0])

    steps = [("train", mk(6)), ("train", mk(6)), ("eval", mk(2)), ("eval", mk(4)),
             ("train", mk(9)), ("train", mk(3)), ("eval", mk(5))]
    _run_and_compare(submission, 4, {"momentum": 0.2}, w, b, steps,
                     out_hint=OUT_HINT + tr("eval() 之后，train() 必须切回批统计量。",
                                             " After eval(), train() must switch back to batch statistics."))


@points(1)
@hidden
def test_tiny_batches_and_very_different_feature_scales(submission):
    gen = _gen(7)
    w, b = _affine(gen, 6)
    scales = [1e-3, 1e-2, 1.0, 10.0, 100.0, 1000.0]
    offsets = [2e-3, -3e-2, 1.0, 20.0, -100.0, 3000.0]
    steps = [("train", _batch(gen, 2, scales, offsets)) for _ in range(3)]
    steps += [("train", _batch(gen, 3, scales, offsets)), ("eval", _batch(gen, 1, scales, offsets))]
    _run_and_compare(submission, 6, {}, w, b, steps)


@points(1)
@hidden
def test_default_affine_and_momentum_one(submission):
    gen = _gen(8)
    # weight/bias left at their defaults; momentum=1.0 keeps only the last batch's statistics.
    steps = [("train", _batch(gen, 4, [2.0, 1.0, 0.7], [-1.0, 0.0, 5.0])) for _ in range(2)]
    steps += [("eval", _batch(gen, 3, [2.0, 1.0, 0.7], [-1.0, 0.0, 5.0]))]
    _run_and_compare(submission, 3, {"momentum": 1.0}, None, None, steps)
