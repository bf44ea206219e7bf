"""Grading tests for the `dropout` exercise: inverted dropout, checked statistically (no particular random stream).

With N = 200_000 elements the fraction of dropped elements has a standard deviation of about 0.001, so the
tolerance of 0.01 used below is about 10 standard deviations: a correct submission does not fail by bad luck.
"""
import torch
from quizkit.grading.testing import Seeded, assert_close, assert_unchanged, check, hidden, points, tr


F64 = torch.float64
N = 200_000
FRACTION_TOL = 0.01

SCALE_HINT = tr(
    "反向 dropout 把保留下来的元素乘以 1/(1-p)，使输出的期望等于 x。不缩放或乘以 (1-p) 都不对；相对误差约 1e-8 "
    "说明掩码或缩放因子是用 float32 构造的（例如 torch.rand(...).float() / (1 - p)）：用 x.dtype 构造，"
    "或者计算 x * mask / (1 - p)。",
    "Inverted dropout scales the survivors by 1/(1-p) so that the expected output equals x. No scaling, or "
    "scaling by (1-p), is wrong; an error of ~1e-8 relative means the mask or the scale was built in float32 "
    "(e.g. torch.rand(...).float() / (1 - p)): build it in x.dtype, or compute x * mask / (1 - p)."
)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _nonzero_randn(gen, *shape, dtype=F64):
    """Random values bounded away from 0, so an output of exactly 0 always means 'dropped'."""
    x = torch.randn(shape, generator=gen, dtype=F64)
    return (x + torch.where(x >= 0, 0.1, -0.1)).to(dtype)


def _dropout(submission, x, p, training, seed=None, pass_generator=True):
    """dropout(x, p, training[, generator]) in the child; (out, x after the call, call text).

    The generator is made in the child from its seed (a Generator cannot cross the boundary, a seed can). Every
    call is checked for a modified x, here in the supervisor, not only in the test that names it."""
    rest = f"p={p}, training={training}"
    args = tr(f"x（形状 {tuple(x.shape)}，{x.dtype}），{rest}", f"x (shape {tuple(x.shape)}, {x.dtype}), {rest}")
    call = "dropout(" + args + (f", generator=torch.Generator().manual_seed({seed}))"
                                if pass_generator and seed is not None else ")")
    extra = (None if seed is None else Seeded(seed),) if pass_generator else ()
    out, after, _ = submission.call_with_inputs("dropout", x, p, training, *extra)
    assert_unchanged(x, after[0], call=call, name="x",
                     hint=tr("构造一个新张量（x * mask / (1 - p)），不要写进 x。",
                             "Build a new tensor (x * mask / (1 - p)) instead of writing into x."))
    check(type(out) is torch.Tensor, call=call, got=tr(f"一个 {type(out).__name__}", f"a {type(out).__name__}"),
          expected=tr("一个 torch.Tensor", "a torch.Tensor"))
    check(out.shape == x.shape and out.dtype == x.dtype, call=call,
          got=tr(f"形状 {tuple(out.shape)}、dtype {out.dtype}", f"shape {tuple(out.shape)}, dtype {out.dtype}"),
          expected=tr(f"形状 {tuple(x.shape)}、dtype {x.dtype}", f"shape {tuple(x.shape)}, dtype {x.dtype}"),
          hint=tr("dropout 保持 x 的形状和 dtype。", "dropout keeps the shape and the dtype of x."))
    return out, call


def _check_fraction(out, p, call):
    frac = (out == 0).double().mean().item()
    hint = tr("p 是丢弃（置零）一个元素的概率，1 - p 是保留它的概率。你是不是以概率 p 保留了元素？",
              "p is the probability of DROPPING an element (zeroing it), 1 - p that of keeping it. "
              "Did you keep with probability p?")
    check(abs(frac - p) <= FRACTION_TOL, call=call, got=tr(f"{frac:.4f} 的元素被置零", f"{frac:.4f} of the elements zeroed"),
          expected=tr(f"约 p = {p} 的元素被置零（误差 {FRACTION_TOL} 以内，共 {out.numel()} 个元素）",
                      f"about p = {p} of them zeroed (within {FRACTION_TOL}, over {out.numel()} elements)"), hint=hint)


def _check_survivors(out, x, p, call):
    kept = out != 0
    want = x / (1 - p)
    tol = {"rtol": 1e-10, "atol": 0.0} if x.dtype == F64 else {"rtol": 1e-6, "atol": 0.0}
    assert_close(out[kept], want[kept], **tol, call=call + tr("，未被置零的元素", ", the elements that were not zeroed"), hint=SCALE_HINT)


@points(1)
def test_eval_mode_returns_x_unchanged(submission):
    x = _nonzero_randn(_gen(1), 4, 5)
    for p in (0.5, 1.0):
        out, call = _dropout(submission, x, p, False, seed=0)
        assert_close(out, x, rtol=0, atol=0, call=call,
                     hint=tr("评估模式（training=False）下 dropout 什么也不做：原样返回 x，不缩放。",
                             "In eval mode (training=False) dropout does nothing: return x as it is, without scaling."))


@points(2)
def test_fraction_of_zeros_is_p(submission):
    x = _nonzero_randn(_gen(2), N)
    for p, seed in ((0.3, 10), (0.8, 11)):
        out, call = _dropout(submission, x, p, True, seed=seed)
        _check_fraction(out, p, call)


@points(2)
def test_survivors_are_scaled_by_one_over_keep_probability(submission):
    x = _nonzero_randn(_gen(3), 1000, 20)
    for p, seed in ((0.3, 20), (0.6, 21)):
        out, call = _dropout(submission, x, p, True, seed=seed)
        _check_survivors(out, x, p, call)


@points(1)
def test_mean_is_preserved(submission):
    x = torch.full((N,), 3.0, dtype=F64)
    p = 0.4
    out, call = _dropout(submission, x, p, True, seed=30)
    mean = out.mean().item()
    check(abs(mean - 3.0) <= 0.04, call=call + tr("，所有 x = 3.0", " with every x = 3.0"), got=f"mean(out) = {mean:.4f}",
          expected=tr("mean(out) = 3.0，误差 0.04 以内（反向 dropout 保持期望不变）",
                      "mean(out) = 3.0 within 0.04 (inverted dropout keeps the expectation)"), hint=SCALE_HINT)


@points(1)
def test_p_zero_is_identity_and_p_one_is_all_zeros(submission):
    x = _nonzero_randn(_gen(4), 50, 4)
    out, call = _dropout(submission, x, 0.0, True, seed=40)
    assert_close(out, x, rtol=0, atol=0, call=call, hint=tr("p = 0 时什么都不丢弃，且 1/(1-p) = 1。", "With p = 0 nothing is dropped and 1/(1-p) = 1."))
    out, call = _dropout(submission, x, 1.0, True, seed=41)
    assert_close(out, torch.zeros_like(x), rtol=0, atol=0, call=call,
                 hint=tr("p = 1 时全部丢弃：返回全零。计算 x * mask / (1 - p) 会出现 0 除以 0，得到 NaN；单独处理 p == 1。",
                         "With p = 1 everything is dropped: return zeros. Computing x * mask / (1 - p) divides 0 by 0 "
                         "and gives NaN; handle p == 1 separately."))


@points(1)
def test_keeps_shape_and_dtype_and_does_not_modify_x(submission):
    gen = _gen(5)
    for x in (_nonzero_randn(gen, 3, 4, 5, dtype=torch.float32), _nonzero_randn(gen, 2, 3)):
        out, call = _dropout(submission, x, 0.5, True, seed=50)
        _check_survivors(out, x, 0.5, call)


@points(1)
def test_the_generator_is_used(submission):
    x = _nonzero_randn(_gen(6), 1000)
    a, call_a = _dropout(submission, x, 0.5, True, seed=60)
    b, _ = _dropout(submission, x, 0.5, True, seed=60)
    c, call_c = _dropout(submission, x, 0.5, True, seed=61)
    check(torch.equal(a, b), call=call_a + tr("，调用两次", " twice"), got=tr("两个不同的掩码", "two different masks"),
          expected=tr("两次得到相同的掩码", "the same mask both times"),
          hint=tr("从给你的 generator 中取随机数：torch.rand(x.shape, generator=generator)。",
                  "Draw the random numbers from the generator you were given: torch.rand(x.shape, generator=generator)."))
    check(not torch.equal(a, c), call=call_a + tr(" 和 ", " and ") + call_c,
          got=tr("不同种子得到相同的掩码", "the same mask for different seeds"), expected=tr("不同的掩码", "different masks"))


@points(1)
@hidden
def test_without_a_generator(submission):
    x = _nonzero_randn(_gen(7), N)
    out, call = _dropout(submission, x, 0.25, True, pass_generator=False)
    _check_fraction(out, 0.25, call)
    _check_survivors(out, x, 0.25, call)


@points(1)
@hidden
def test_high_drop_rate_on_a_matrix(submission):
    x = _nonzero_randn(_gen(8), 400, 500)
    out, call = _dropout(submission, x, 0.9, True, seed=80)
    _check_fraction(out, 0.9, call)
    _check_survivors(out, x, 0.9, call)
