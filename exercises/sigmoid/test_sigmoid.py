"""Grading tests for `sigmoid`: float64 and float32 against the stable reference, with stated tolerances."""

import torch

from quizkit.grading.testing import assert_close, assert_unchanged, check, expected, hidden, points, tr

# Every call, in every test, is checked (in the supervisor) for a modified input, so a submission cannot keep its
# hands off x only when a particular test is looking.
READ_ONLY_INPUTS = True
F64, F32 = torch.float64, torch.float32
# Valid formulas differ by a few ulps; these tolerances leave a wide margin above that and far below real bugs.
TOL = {F64: {"rtol": 1e-9, "atol": 1e-15}, F32: {"rtol": 1e-5, "atol": 1e-7}}
GRAD_TOL = {F64: {"rtol": 1e-8, "atol": 1e-14}, F32: {"rtol": 1e-4, "atol": 2e-7}}
LARGE = [-1e4, -1e3, -100.0, -50.0, -20.0, 0.0, 20.0, 50.0, 100.0, 1e3, 1e4]

STABLE_HINT = tr("exp(x) 在 float64 中 x > 709 时（float32 中 x > 88 时）溢出为 inf，而 inf / inf 是 nan。"
                 "改用 e = exp(-|x|)，它总在 (0, 1] 内：x >= 0 时 1 / (1 + e)，x < 0 时 e / (1 + e)。",
                 "exp(x) overflows to inf for x > 709 in float64 (x > 88 in float32), and inf / inf is nan. "
                 "Use e = exp(-|x|), which is always in (0, 1]: 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0.")
DTYPE_HINT = tr("不要转换 x：所有常量都从 x 构造（x.new_ones、torch.ones_like(x)），或者用 Python 数字。",
                "Don't convert x: build every constant from x (x.new_ones, torch.ones_like(x)) or use Python numbers.")
GRAD_HINT = tr("d sigma/dx = sigma(x) * (1 - sigma(x))：一条钟形曲线，x = 0 处为 0.25，远离 0 时接近 0。",
               "d sigma/dx = sigma(x) * (1 - sigma(x)): a bell curve, 0.25 at x = 0 and close to 0 far from it.")


def _grad_causes(x):
    """What the usual wrong derivatives return on x, and the sentence that names each mistake."""
    s = expected("sigmoid", x)
    return [
        (lambda: x * (1 - x), {
            "en": "Your values are x * (1 - x): the formula s * (1 - s) was applied to x itself. Compute "
                  "s = sigmoid(x) first, then return s * (1 - s).",
            "zh": "你的结果是 x * (1 - x)：公式 s * (1 - s) 被直接用在了 x 上。先算 s = sigmoid(x)，再返回 s * (1 - s)。"}),
        (lambda: s, {"en": "Your values are sigmoid(x) itself: the factor (1 - sigmoid(x)) is missing.",
                     "zh": "你的结果就是 sigmoid(x) 本身：缺少因子 (1 - sigmoid(x))。"}),
        (lambda: s * (1 + s), {"en": "Your values are s * (1 + s): the sign is wrong, d sigma/dx = s * (1 - s).",
                               "zh": "你的结果是 s * (1 + s)：符号错了，d sigma/dx = s * (1 - s)。"}),
        (lambda: 1 - s * s, {"en": "Your values are 1 - s**2, the form of tanh's derivative; for the sigmoid it is "
                                   "s * (1 - s).",
                             "zh": "你的结果是 1 - s**2，这是 tanh 导数的形式；sigmoid 的导数是 s * (1 - s)。"}),
    ]


def _grid(dtype, lo=-20.0, hi=20.0, n=401):
    return torch.linspace(lo, hi, n, dtype=dtype)


@points(2)
def test_sigmoid_matches_reference_float64(submission):
    x = _grid(F64)
    assert_close(submission.sigmoid(x), expected("sigmoid", x), **TOL[F64],
                 call="sigmoid(torch.linspace(-20, 20, 401, dtype=torch.float64))",
                 hint=tr("检查公式 sigma(x) = 1 / (1 + exp(-x))。", "Check the formula sigma(x) = 1 / (1 + exp(-x))."))


@points(1)
def test_sigmoid_float32(submission):
    x = _grid(F32, -30.0, 30.0, 301)
    assert_close(submission.sigmoid(x), expected("sigmoid", x), **TOL[F32],
                 call="sigmoid(torch.linspace(-30, 30, 301, dtype=torch.float32))", hint=DTYPE_HINT)


@points(1)
def test_shape_and_dtype_are_preserved(submission):
    gen = torch.Generator().manual_seed(5)
    for shape in [(), (3, 4), (2, 3, 4), (0,)]:
        for dtype in (F64, F32):
            x = (torch.randn(shape, generator=gen, dtype=F64) * 5).to(dtype)
            for name in ("sigmoid", "sigmoid_grad"):
                tol = (TOL if name == "sigmoid" else GRAD_TOL)[dtype]
                causes = _grad_causes(x) if name == "sigmoid_grad" else ()
                assert_close(getattr(submission, name)(x), expected(name, x), **tol, causes=causes,
                             call=tr(f"{name}(x)，x 的形状为 {shape}、dtype 为 {str(dtype)[6:]}",
                                     f"{name}(x) with x of shape {shape} and dtype {str(dtype)[6:]}"),
                             hint=tr("逐元素计算，返回与 x 形状相同的张量。",
                                     "Work element-wise and return a tensor shaped like x. ") + DTYPE_HINT)


@points(1)
def test_input_is_not_modified(submission):
    x = torch.linspace(-5, 5, 11, dtype=F64)
    for name in ("sigmoid", "sigmoid_grad"):
        _, after, _ = submission.call_with_inputs(name, x)
        assert_unchanged([x], after, call=tr(f"{name}(x)，x = torch.linspace(-5, 5, 11, dtype=float64)",
                                             f"{name}(x) with x = torch.linspace(-5, 5, 11, dtype=float64)"),
                         name="x", hint=tr("不要原地修改 x（x.neg_()、x.abs_()、x *= ...、x[...] = ...）；计算新的张量。",
                                           "Don't change x in place (x.neg_(), x.abs_(), x *= ..., x[...] = ...); "
                                           "compute new tensors."))


@points(2)
def test_large_inputs_stay_finite_and_accurate(submission):
    for dtype in (F64, F32):
        x = torch.tensor(LARGE, dtype=dtype)
        got = submission.sigmoid(x)
        call = f"sigmoid(torch.tensor({LARGE}, dtype={str(dtype)[6:]}))"
        if type(got) is torch.Tensor and got.shape == x.shape:
            bad = ~torch.isfinite(got)
            check(not bad.any(), call=call, got=tr(f"x = {x[bad].tolist()} 处的 {got[bad].tolist()}",
                                                   f"{got[bad].tolist()} at x = {x[bad].tolist()}"),
                  expected=tr("[0, 1] 内的有限值", "finite values in [0, 1]"), hint=STABLE_HINT)
        assert_close(got, expected("sigmoid", x), **TOL[dtype], call=call, hint=STABLE_HINT)


@points(1)
def test_grad_matches_reference(submission):
    x = _grid(F64)
    assert_close(submission.sigmoid_grad(x), expected("sigmoid_grad", x), **GRAD_TOL[F64],
                 causes=_grad_causes(x),
                 call="sigmoid_grad(torch.linspace(-20, 20, 401, dtype=torch.float64))", hint=GRAD_HINT)


@points(1)
@hidden
def test_grad_large_inputs(submission):
    for dtype in (F64, F32):
        x = torch.tensor(LARGE, dtype=dtype)
        got = submission.sigmoid_grad(x)
        call = f"sigmoid_grad(torch.tensor({LARGE}, dtype={str(dtype)[6:]}))"
        if type(got) is torch.Tensor and got.shape == x.shape:
            bad = ~torch.isfinite(got)
            check(not bad.any(), call=call, got=tr(f"x = {x[bad].tolist()} 处的 {got[bad].tolist()}",
                                                   f"{got[bad].tolist()} at x = {x[bad].tolist()}"),
                  expected=tr("接近 0 的有限值", "finite values near 0"), hint=STABLE_HINT)
        assert_close(got, expected("sigmoid_grad", x), **GRAD_TOL[dtype], call=call, hint=STABLE_HINT,
                     causes=_grad_causes(x))


@points(1)
def test_grad_float32(submission):
    x = _grid(F32, -20.0, 20.0, 201).reshape(3, 67)
    assert_close(submission.sigmoid_grad(x), expected("sigmoid_grad", x), **GRAD_TOL[F32],
                 causes=_grad_causes(x),
                 call=tr("sigmoid_grad(x)，x 为 float32、形状 (3, 67)、取值在 [-20, 20]",
                         "sigmoid_grad(x) with x float32 of shape (3, 67), values in [-20, 20]"),
                 hint=GRAD_HINT + " " + DTYPE_HINT)
