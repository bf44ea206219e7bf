"""Grading tests for the `softmax` exercise: float64 (and float32) results compared with torch in this process."""
import torch
from quizkit.grading.testing import assert_close, assert_unchanged, check, hidden, points, tr

# Every call is checked, in the supervisor, for modified arguments (not only in the test that names it).
READ_ONLY_INPUTS = True

F64, F32 = torch.float64, torch.float32
# Float64 rounding of any valid formula stays far below these. ATOL covers log-probabilities near 0 computed from
# logits of size ~1000, where x - max - log(sum) and x - (max + log(sum)) differ by a few ulps of 1000.
RTOL, ATOL = 1e-9, 1e-10
RTOL32, ATOL32 = 1e-5, 1e-5

TORCH = {"softmax": torch.softmax, "log_softmax": torch.log_softmax}

OVERFLOW_HINT = tr(
    "x > ~709（float64）或 ~88（float32）时 exp(x) 溢出为 inf，而 inf / inf = nan。先沿 dim 减去最大值："
    "softmax(x) = softmax(x - max)，这样每个指数都 <= 0。",
    "exp(x) overflows to inf for x > ~709 in float64 (~88 in float32), and inf / inf = nan. Subtract the max "
    "along dim first: softmax(x) = softmax(x - max), and every exponent is then <= 0."
)
LOG_HINT = tr(
    "概率下溢为 0 时 log(softmax(x)) 是 -inf（float64 中 exp(-1000) = 0）。直接计算 log_softmax："
    "(x - max) - log(sum(exp(x - max)))，它保持有限。",
    "log(softmax(x)) is -inf when a probability underflows to 0 (exp(-1000) = 0 in float64). Compute "
    "log_softmax directly: (x - max) - log(sum(exp(x - max))), which stays finite."
)
PER_ROW_HINT = tr(
    "沿 dim 对每个切片分别取最大值（x.amax(dim=dim, keepdim=True)），不要对整个张量取：远低于全局最大值的切片"
    "会处处得到 exp(-1000) = 0，而 0 / 0 = nan。",
    "Take the max per slice along dim (x.amax(dim=dim, keepdim=True)), not over the whole tensor: a slice far "
    "below the global max gets exp(-1000) = 0 everywhere and 0 / 0 = nan."
)
DIM_HINT = tr(
    "沿给定的 `dim` 归一化（负的 dim 从末尾数起），并在归约时用 keepdim=True 保留该维，使结果能广播回去："
    "x.amax(dim=dim, keepdim=True)、e.sum(dim=dim, keepdim=True)。",
    "Normalise along the `dim` you are given (negative dims count from the end), and keep it in the reductions "
    "with keepdim=True so the result broadcasts back: x.amax(dim=dim, keepdim=True), e.sum(dim=dim, keepdim=True)."
)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _randn(gen, *shape, scale=1.0, dtype=F64):
    return (torch.randn(shape, generator=gen, dtype=F64) * scale).to(dtype)


def _show(x):
    if x.numel() <= 9:
        return f"torch.tensor({x.tolist()}, dtype={str(x.dtype).replace('torch.', '')})"
    dtype = str(x.dtype).replace('torch.', '')
    return tr(f"形状为 {tuple(x.shape)} 的 {dtype} 张量", f"a {dtype} tensor of shape {tuple(x.shape)}")


def _call(name, x, dim):
    return f"{name}(" + _show(x) + f"{'' if dim is None else f', dim={dim}'})"


def _compare(submission, name, x, dim=None, *, hint, rtol=RTOL, atol=ATOL):
    """Call the student's function (dim left at its default when None) and compare with torch."""
    got = getattr(submission, name)(x) if dim is None else getattr(submission, name)(x, dim=dim)
    want = TORCH[name](x, dim=-1 if dim is None else dim)
    assert_close(got, want, rtol=rtol, atol=atol, call=_call(name, x, dim), hint=hint)


@points(2)
def test_softmax_matches_torch_on_random_logits(submission):
    x = _randn(_gen(1), 4, 6, scale=3.0)
    _compare(submission, "softmax", x, hint=tr("softmax(x)_i = exp(x_i) / sum_j exp(x_j)，沿最后一维（默认 dim=-1）；"
             "结果的每一行之和应为 1。", "softmax(x)_i = exp(x_i) / sum_j exp(x_j) along the last dim (dim=-1 by "
             "default); each row of the result should sum to 1."))
    _compare(submission, "softmax", x, -1, hint=tr("dim=-1 表示最后一维。", "dim=-1 means the last dimension."))


@points(2)
def test_log_softmax_matches_torch_on_random_logits(submission):
    x = _randn(_gen(2), 5, 4, scale=3.0)
    hint = tr("log_softmax(x)_i = x_i - log(sum_j exp(x_j))，沿最后一维；每一行取 exp 后之和应为 1。",
              "log_softmax(x)_i = x_i - log(sum_j exp(x_j)) along the last dim; exp of each row should sum to 1.")
    _compare(submission, "log_softmax", x, hint=hint)
    _compare(submission, "log_softmax", x, -1, hint=hint)


@points(2)
def test_large_logits_do_not_overflow(submission):
    for row in ([1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [710.0, 709.0, 705.0]):
        x = torch.tensor([row], dtype=F64)
        _compare(submission, "softmax", x, hint=OVERFLOW_HINT)
        _compare(submission, "log_softmax", x, hint=OVERFLOW_HINT)


@points(2)
def test_log_softmax_of_tiny_probabilities_stays_finite(submission):
    # Small enough not to overflow exp even without the max shift, but far enough apart to underflow.
    for row in ([0.0, -1000.0, -2000.0], [700.0, -100.0, 350.0, 699.0]):
        x = torch.tensor([row], dtype=F64)
        got = submission.log_softmax(x)
        check(
            type(got) is not torch.Tensor or got.shape != x.shape or bool(torch.isfinite(got).all()),
            call=_call("log_softmax", x, None),
            got=got,
            expected=tr(f"有限的对数概率 {torch.log_softmax(x, -1).tolist()}",
                        f"finite log-probabilities {torch.log_softmax(x, -1).tolist()}"),
            hint=LOG_HINT,
        )
        _compare(submission, "log_softmax", x, hint=LOG_HINT)


@points(2)
def test_each_row_uses_its_own_max(submission):
    x = torch.tensor([[0.0, 1.0, 2.0], [1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]], dtype=F64)
    _compare(submission, "softmax", x, hint=PER_ROW_HINT)
    _compare(submission, "log_softmax", x, hint=PER_ROW_HINT)
    # The same along dim=0: the columns are far apart.
    _compare(submission, "softmax", x.T.contiguous(), 0, hint=PER_ROW_HINT)
    _compare(submission, "log_softmax", x.T.contiguous(), 0, hint=PER_ROW_HINT)


@points(2)
def test_dim_argument(submission):
    gen = _gen(3)
    x2 = _randn(gen, 3, 5, scale=2.0)
    x3 = _randn(gen, 2, 3, 4, scale=2.0)
    for name in ("softmax", "log_softmax"):
        _compare(submission, name, x2, 0, hint=DIM_HINT)
        _compare(submission, name, x2, 1, hint=DIM_HINT)
        for dim in (0, 1, 2, -1, -2, -3):
            _compare(submission, name, x3, dim, hint=DIM_HINT)


@points(1)
def test_input_is_not_modified(submission):
    x = _randn(_gen(4), 3, 4, scale=5.0)
    for name in ("softmax", "log_softmax"):
        for kwargs in ({}, {"dim": 0}):
            call = _call(name, x, kwargs.get("dim"))
            got, after, _ = submission.call_with_inputs(name, x, **kwargs)
            assert_close(got, TORCH[name](x, dim=kwargs.get("dim", -1)), rtol=RTOL, atol=ATOL, call=call,
                         hint=tr("返回一个与 x 形状、dtype 相同的新张量。",
                                 "Return a new tensor with the same shape and dtype as x."))
            assert_unchanged([x], after, call=call, name="x",
                             hint=tr("输入被原地修改了（x -= max、x.exp_() 等）。请在新张量上计算："
                                     "shifted = x - max。", "The input was modified in place (x -= max, x.exp_(), "
                                     "...). Work on new tensors: shifted = x - max."))


@points(1)
def test_float32_keeps_its_dtype(submission):
    gen = _gen(5)
    x = _randn(gen, 4, 7, scale=4.0, dtype=F32)
    hint = tr("float32 输入应得到 float32 结果（dtype 和形状都不变）。",
              "A float32 input gives a float32 result (same dtype, same shape).")
    for name in ("softmax", "log_softmax"):
        _compare(submission, name, x, hint=hint, rtol=RTOL32, atol=ATOL32)
        _compare(submission, name, x, 0, hint=hint, rtol=RTOL32, atol=ATOL32)
    # exp overflows float32 already above ~88.
    x = torch.tensor([[100.0, 101.0, 102.0], [-100.0, -99.0, -95.0]], dtype=F32)
    for name in ("softmax", "log_softmax"):
        _compare(submission, name, x, hint=OVERFLOW_HINT, rtol=RTOL32, atol=ATOL32)


@points(1)
@hidden
def test_one_dimensional_single_class_and_equal_logits(submission):
    hint = tr("边界情况：一维输入使用它唯一的维度；大小为 1 的维度得到概率 1（log 为 0）；相等的 logits 得到 1/n"
              "（log 为 -log n）。", "Edge cases: a 1-D input uses its only dim; a dim of size 1 gives probability 1 (log 0); equal "
            "logits give 1/n (log -log n).")
    for name in ("softmax", "log_softmax"):
        _compare(submission, name, torch.tensor([1.0, 2.0, 3.0, -4.0], dtype=F64), hint=hint)
        _compare(submission, name, torch.tensor([1.0, 2.0, 3.0, -4.0], dtype=F64), 0, hint=hint)
        _compare(submission, name, torch.tensor([[3.0], [-2000.0], [5.0]], dtype=F64), hint=hint)
        _compare(submission, name, torch.full((2, 5), 7.5, dtype=F64), hint=hint)
        _compare(submission, name, torch.full((2, 5), -1e4, dtype=F64), 0, hint=hint)


@points(1)
@hidden
def test_extreme_logits_along_every_dim_of_a_3d_tensor(submission):
    gen = _gen(6)
    # Slices whose scales differ by orders of magnitude, with offsets of +-1e4 along the first dim.
    x = _randn(gen, 3, 4, 5, scale=300.0) + torch.tensor([-1e4, 0.0, 1e4], dtype=F64).reshape(3, 1, 1)
    for name in ("softmax", "log_softmax"):
        for dim in (0, 1, 2, -1):
            _compare(submission, name, x, dim, hint=f"{PER_ROW_HINT} {OVERFLOW_HINT}", atol=1e-9)
