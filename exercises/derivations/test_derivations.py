"""Grading tests for the `derivations` exercise. Each answer comes back from the child as text, is parsed safely
(quizkit.symbolic: AST whitelist, never eval), evaluated at points where torch (autograd, nn.init, nn.LSTM) gives
the true value, and checked for symbolic equivalence with the reference."""
import math

import sympy as sp
import torch
import torch.nn.functional as F

from quizkit.grading.testing import check, expected, hidden, points, tr
from quizkit.symbolic import SymbolicError, SymbolicTimeout, bounded, equivalent_now, evaluate_now, parse

F64 = torch.float64
RTOL, ATOL = 1e-9, 1e-12  # exact formulas evaluated in float64
READ_HINT = tr("只能使用参数、数字、+ - * / ** 和 sqrt/exp/log。", "Use only the arguments, numbers, + - * / ** and sqrt/exp/log.")


def _facts(text, names, points, want, mistakes):
    """Everything SymPy does with the student's text, in one worker under a CPU and wall limit (quizkit.symbolic
    .bounded): the values at the points, whether it equals `want`, and the first known mistake it equals."""
    parse(text, names)  # a SymbolicError says why the text cannot be read
    return {
        "values": evaluate_now(text, names, points),
        "equal": want is not None and equivalent_now(text, want, names),
        "mistake": next((i for i, wrong in enumerate(mistakes) if equivalent_now(text, wrong, names)), None),
    }


def _answer(submission, name, names, points, want=None, mistakes=()):
    """Call the student's function in the child; (the text that came back, the facts about it)."""
    args = ", ".join(names)
    call = tr(f"{name}({args})，参数为 SymPy 符号 {args}", f"{name}({args}) with SymPy symbols {args}")
    text = submission.probe("call", name, names)
    check(isinstance(text, str), call=call, got=repr(text)[:200],
          expected=tr("一个 SymPy 表达式，或 SymPy 语法的字符串", "a SymPy expression or a string in SymPy syntax"))
    try:
        return text, bounded(_facts, text, names, [list(p) for p in points], want, list(mistakes))
    except SymbolicTimeout as err:
        check(False, call=call, got=repr(text)[:200], expected=tr("几秒内能检查完的表达式", "an expression that can be checked in a few seconds"),
              hint=tr(f"检查被停止：{err}。请把结果写成更简单的形式。", f"Checking it was stopped: {err}. Write the result in a simpler form."))
    except SymbolicError as err:
        check(False, call=call, got=repr(text)[:200], expected=tr(f"关于 {args} 的表达式", f"an expression in {args}"),
              hint=tr(f"无法读取：{err}。", f"It could not be read: {err}. ") + READ_HINT)


def _numeric(text, names, values, points_and_truth, call, what, hint):
    for got, (point, truth) in zip(values, points_and_truth):
        at = ", ".join(f"{n} = {v:.6g}" for n, v in zip(names, point))
        check(math.isclose(got, truth, rel_tol=RTOL, abs_tol=ATOL), call=call + tr(f"，在 {at} 处求值", f", evaluated at {at}"),
              got=f"{got:.10g}", expected=f"{truth:.10g} (" + what + ")", hint=hint)


def reference_text(reference, name, names):
    """The reference's answer as text, from the symbol names (what expected() can record)."""
    return str(getattr(reference, name)(*[sp.Symbol(n) for n in names]))


def _grade(submission, name, names, mistakes, generic_hint, points_and_truth, what):
    """Numeric check against torch first (its message shows numbers), then equivalence with the reference."""
    want = expected(reference_text, name, names)
    points = [p for p, _ in points_and_truth]
    text, facts = _answer(submission, name, names, points, want, [wrong for wrong, _ in mistakes])
    hint = mistakes[facts["mistake"]][1] if facts["mistake"] is not None else generic_hint
    signature = f"{name}({', '.join(names)})"
    _numeric(text, names, facts["values"], points_and_truth, tr(f"{signature} 返回了 {text!r}", f"{signature} returned {text!r}"), what,
             hint)
    check(facts["equal"], call=tr(f"{signature}，参数为 SymPy 符号", f"{signature} with SymPy symbols"), got=text,
          expected=tr("处处等于正确结果的表达式（在随机点上取值相等）",
                      "an expression equal to the true result everywhere (equal values at random points)"),
          hint=hint)


# --- activations -------------------------------------------------------------------------------------------

XS = [-3.0, -0.7, 0.0, 0.5, 2.2]


def _autograd_points(fn, xs):
    """([fn(x)], d fn/dx at x) from torch.autograd in float64: the answer is written in terms of fn(x)."""
    out = []
    for x0 in xs:
        x = torch.tensor(x0, dtype=F64, requires_grad=True)
        y = fn(x)
        (g,) = torch.autograd.grad(y, x)
        out.append(([y.item()], g.item()))
    return out


SIGMOID_MISTAKES = [
    ("1 - s**2", tr("这是 tanh 的导数（用 t = tanh x 表示）。对 sigmoid，在 σ'(x) = e^{-x}/(1 + e^{-x})^2 中代入 "
                    "e^{-x} = (1 - s)/s。",
                    "That is tanh's derivative (in t = tanh x). For the sigmoid, write e^{-x} = (1 - s)/s in "
                    "σ'(x) = e^{-x}/(1 + e^{-x})^2.")),
    ("s*(1 + s)", tr("检查符号：σ'(x) = e^{-x}/(1 + e^{-x})^2 = σ(x)·(1 − σ(x))，最大为 1/4。",
                     "Check the sign: σ'(x) = e^{-x}/(1 + e^{-x})^2 = σ(x)·(1 − σ(x)), which is at most 1/4.")),
    ("s**2", tr("σ'(x) = e^{-x}/(1 + e^{-x})^2；把 e^{-x}/(1 + e^{-x}) 用 s 表示。",
                "σ'(x) = e^{-x}/(1 + e^{-x})^2; write e^{-x}/(1 + e^{-x}) in terms of s.")),
]


@points(2)
def test_sigmoid_derivative(submission):
    _grade(submission, "sigmoid_derivative", ["s"], SIGMOID_MISTAKES,
           tr("对 σ(x) = 1/(1 + e^{-x}) 求导，结果只用 s = σ(x) 表示。",
              "Differentiate σ(x) = 1/(1 + e^{-x}) and write the result using s = σ(x) only."),
           _autograd_points(torch.sigmoid, XS), tr("torch.autograd 算出的 dσ/dx，其中 σ(x) = s",
                                                   "torch.autograd's dσ/dx where σ(x) = s"))


TANH_MISTAKES = [
    ("t*(1 - t)", tr("这是 sigmoid 的导数（用 s = σ(x) 表示）。对 tanh：d tanh/dx = 1/cosh^2 x。",
                     "That is the sigmoid's derivative (in s = σ(x)). For tanh: d tanh/dx = 1/cosh^2 x.")),
    ("1 + t**2", tr("检查符号：d tanh/dx = 1/cosh^2 x = 1 − tanh^2 x，最大为 1。",
                    "Check the sign: d tanh/dx = 1/cosh^2 x = 1 − tanh^2 x, which is at most 1.")),
    ("1 - t", tr("d tanh/dx = 1/cosh^2 x；利用 cosh^2 − sinh^2 = 1 用 tanh 表示。",
                 "d tanh/dx = 1/cosh^2 x; write it with tanh using cosh^2 − sinh^2 = 1.")),
]


@points(1)
def test_tanh_derivative(submission):
    _grade(submission, "tanh_derivative", ["t"], TANH_MISTAKES,
           tr("d tanh/dx = 1/cosh^2 x；把 cosh^2 − sinh^2 = 1 两边除以 cosh^2。",
              "d tanh/dx = 1/cosh^2 x; divide cosh^2 − sinh^2 = 1 by cosh^2."),
           _autograd_points(torch.tanh, XS), tr("torch.autograd 算出的 d tanh/dx，其中 tanh(x) = t",
                                                "torch.autograd's d tanh/dx where tanh(x) = t"))


# --- losses ------------------------------------------------------------------------------------------------

SOFTMAX_MISTAKES = [
    ("y - p", tr("检查符号：真实类别的 logit 下降时损失增大，所以 ∂L/∂z_i = p_i − y_i。",
                 "Check the sign: the loss grows when the true class's logit falls, so ∂L/∂z_i = p_i − y_i.")),
    ("p*(1 - p)", tr("这只是 softmax 本身的 ∂p_i/∂z_i；加上交叉熵后，雅可比矩阵与 log 相消。",
                     "That is ∂p_i/∂z_i of the softmax alone; with the cross-entropy the Jacobian cancels the log.")),
    ("-y/p", tr("这是 ∂L/∂p_i；还要经过 softmax 的雅可比 ∂p_j/∂z_i = p_j(δ_ij − p_i) 做链式法则。",
                "That is ∂L/∂p_i; chain it through the softmax Jacobian ∂p_j/∂z_i = p_j(δ_ij − p_i).")),
    ("p", tr("目标有影响：对 one-hot 的 y，Σ_j y_j = 1。", "The target matters: with a one-hot y, Σ_j y_j = 1.")),
]


def _softmax_ce_points():
    """([p_i, y_i], ∂L/∂z_i) for F.cross_entropy on random logits and two different targets."""
    g = torch.Generator().manual_seed(0)
    out = []
    for target in (0, 3):
        z = (torch.randn(5, generator=g, dtype=F64) * 2).requires_grad_(True)
        loss = F.cross_entropy(z[None], torch.tensor([target]))
        (grad,) = torch.autograd.grad(loss, z)
        p = torch.softmax(z.detach(), dim=0)
        out += [([p[i].item(), float(i == target)], grad[i].item()) for i in range(5)]
    return out


@points(2)
def test_softmax_ce_grad(submission):
    _grade(submission, "softmax_ce_grad", ["p", "y"], SOFTMAX_MISTAKES,
           tr("写出 L = −Σ_j y_j (z_j − log Σ_k e^{z_k})，对 z_i 求导；Σ_j y_j = 1。",
              "Write L = −Σ_j y_j (z_j − log Σ_k e^{z_k}) and differentiate with respect to z_i; Σ_j y_j = 1."),
           _softmax_ce_points(), tr("torch.autograd 对 5 个随机 logits 算出的 ∂ cross_entropy/∂z_i",
                                    "torch.autograd's ∂ cross_entropy/∂z_i for 5 random logits"))


MSE_MISTAKES = [
    ("2*x*(w*x + b - y)", tr("l = ½(wx + b − y)^2 中的 ½ 与平方求导得到的 2 相消。",
                             "The ½ in l = ½(wx + b − y)^2 cancels the 2 that comes down from the square.")),
    ("w*x + b - y", tr("链式法则：∂(wx + b − y)/∂w = x，所以残差要乘以 x。",
                       "Chain rule: ∂(wx + b − y)/∂w = x, so the residual is multiplied by x.")),
    ("w*(w*x + b - y)", tr("这是 ∂l/∂x；题目要的是 ∂l/∂w。", "That is ∂l/∂x; the question asks for ∂l/∂w.")),
    ("x*(y - w*x - b)", tr("检查符号：残差是 (wx + b − y)，预测减目标。",
                           "Check the sign: the residual is (wx + b − y), prediction minus target.")),
]


def _mse_points():
    g = torch.Generator().manual_seed(1)
    out = []
    for _ in range(5):
        x, w, b, y = (torch.randn(4, generator=g, dtype=F64) * 2).tolist()
        wt = torch.tensor(w, dtype=F64, requires_grad=True)
        (grad,) = torch.autograd.grad(0.5 * (wt * x + b - y) ** 2, wt)
        out.append(([x, w, b, y], grad.item()))
    return out


@points(2)
def test_mse_linear_grad_w(submission):
    _grade(submission, "mse_linear_grad_w", ["x", "w", "b", "y"], MSE_MISTAKES,
           tr("用链式法则对 w 求 l = ½(wx + b − y)^2 的导数。",
              "Differentiate l = ½(wx + b − y)^2 with respect to w, using the chain rule."),
           _mse_points(), tr("torch.autograd 算出的 ∂l/∂w", "torch.autograd's ∂l/∂w"))


# --- initialisation and counting ---------------------------------------------------------------------------

XAVIER_MISTAKES = [
    ("sqrt(2/(fan_in + fan_out))", tr("这是标准差（Xavier 正态）。U(−a, a) 的方差是 a^2/3，所以 a = sqrt(3)·std。",
                                      "That is the standard deviation (Xavier normal). For U(−a, a) the variance is "
                                      "a^2/3, so a = sqrt(3)·std.")),
    ("sqrt(6/fan_in)", tr("Xavier 同时用到两个 fan：Var(w) = 2/(fan_in + fan_out)。",
                          "Xavier uses both fans: Var(w) = 2/(fan_in + fan_out).")),
    ("sqrt(6)/(fan_in + fan_out)", tr("平方根要覆盖整个分式。", "The square root covers the whole fraction.")),
    ("sqrt(3/(fan_in + fan_out))", tr("Var(w) = 2/(fan_in + fan_out)，且 Var(U(−a, a)) = a^2/3。",
                                      "Var(w) = 2/(fan_in + fan_out) and Var(U(−a, a)) = a^2/3.")),
]


XAVIER_WHAT = tr("torch.nn.init.xavier_uniform_ 的边界", "the bound of torch.nn.init.xavier_uniform_")


def _torch_xavier_bound(fan_in, fan_out):
    """The bound torch.nn.init.xavier_uniform_ uses, read from its samples: with the same generator seed its
    samples are exactly a times those of uniform_(-1, 1)."""
    w = torch.empty(fan_out, fan_in, dtype=F64)
    torch.nn.init.xavier_uniform_(w, generator=torch.Generator().manual_seed(0))
    u = torch.empty(fan_out, fan_in, dtype=F64).uniform_(-1, 1, generator=torch.Generator().manual_seed(0))
    i = int(u.abs().argmax())
    return (w.flatten()[i] / u.flatten()[i]).item()


@points(1)
def test_xavier_uniform_bound(submission):
    _grade(submission, "xavier_uniform_bound", ["fan_in", "fan_out"], XAVIER_MISTAKES,
           tr("Glorot 和 Bengio 保持 Var(w) = 2/(fan_in + fan_out)；对 U(−a, a)，Var = a^2/3。",
              "Glorot and Bengio keep Var(w) = 2/(fan_in + fan_out); for U(−a, a), Var = a^2/3."),
           [([256, 512], _torch_xavier_bound(256, 512))], XAVIER_WHAT)


LSTM_MISTAKES = [
    ("4*(hidden_size*(input_size + hidden_size) + hidden_size)",
     tr("torch.nn.LSTM 每个门有两个偏置向量 bias_ih 和 bias_hh：每个门 2·hidden_size 个偏置。",
        "torch.nn.LSTM keeps two bias vectors per gate, bias_ih and bias_hh: 2·hidden_size biases per gate.")),
    ("hidden_size*(input_size + hidden_size) + 2*hidden_size", tr("LSTM 有 4 个门块（输入、遗忘、细胞、输出），各有自己的权重。",
                                                                  "An LSTM has 4 gate blocks (input, forget, "
                                                                  "cell, output), each with its own weights.")),
    ("3*(hidden_size*(input_size + hidden_size) + 2*hidden_size)", tr("这是 GRU（3 个块）；LSTM 有 4 个。",
                                                                      "That is a GRU (3 blocks); an LSTM has 4.")),
    ("4*hidden_size*(input_size + hidden_size)", tr("偏置也要算：4 个门各有 bias_ih 和 bias_hh，每个 hidden_size 个。",
                                                    "Count the biases too: bias_ih and bias_hh, hidden_size each, "
                                                    "for each of the 4 gates.")),
]


def _torch_lstm_count(i, h):
    return sum(p.numel() for p in torch.nn.LSTM(i, h).parameters())


@points(2)
def test_lstm_param_count(submission):
    _grade(submission, "lstm_param_count", ["input_size", "hidden_size"], LSTM_MISTAKES,
           tr("数 weight_ih (4h × i)、weight_hh (4h × h)、bias_ih (4h) 和 bias_hh (4h)。",
              "Count weight_ih (4h × i), weight_hh (4h × h), bias_ih (4h) and bias_hh (4h)."),
           [([10, 20], _torch_lstm_count(10, 20))], "sum(p.numel() for p in torch.nn.LSTM(10, 20).parameters())")


@points(1)
@hidden
def test_lstm_param_count_matches_nn_lstm(submission):
    names = ["input_size", "hidden_size"]
    sizes = [(1, 1), (3, 7), (64, 32), (300, 128)]
    truth = [([i, h], _torch_lstm_count(i, h)) for i, h in sizes]
    text, facts = _answer(submission, "lstm_param_count", names, [p for p, _ in truth])
    _numeric(text, names, facts["values"], truth,
             tr(f"lstm_param_count(input_size, hidden_size) 返回了 {text!r}",
                f"lstm_param_count(input_size, hidden_size) returned {text!r}"),
             tr("torch.nn.LSTM 的参数个数", "the parameter count of torch.nn.LSTM"),
             tr("weight_ih (4h × i)、weight_hh (4h × h)、两个 4h 的偏置。", "weight_ih (4h × i), weight_hh (4h × h), two 4h biases."))


@points(1)
@hidden
def test_xavier_bound_matches_torch_init(submission):
    names = ["fan_in", "fan_out"]
    fans = [(256, 512), (3, 7), (784, 10)]
    truth = [([fi, fo], _torch_xavier_bound(fi, fo)) for fi, fo in fans]
    text, facts = _answer(submission, "xavier_uniform_bound", names, [p for p, _ in truth])
    _numeric(text, names, facts["values"], truth,
             tr(f"xavier_uniform_bound(fan_in, fan_out) 返回了 {text!r}",
                f"xavier_uniform_bound(fan_in, fan_out) returned {text!r}"),
             XAVIER_WHAT, "a = sqrt(6/(fan_in + fan_out)).")
