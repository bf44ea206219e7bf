"""Every computed answer in the banks agrees with torch (or sympy).

Parametrized questions (`params:`, see PARAMS.md) are drawn several times with fixed seeds; for each draw the
question's own `answer:` expression (numeric) or keyed option (single/multiple) is compared with a value computed
from real torch modules and optimizers. Fixed numeric answers are checked the same way. The YAML is read
directly, with a small evaluator here, so this test does not depend on the quiz engine it checks.
"""

from __future__ import annotations

import ast
import math
import operator
import random
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy
import torch
import yaml
from torch import nn

BANKS = Path(__file__).resolve().parent.parent / "questions"
DRAWS = 12

# ------------------------------------------------------------------ a tiny evaluator, the same whitelist as PARAMS.md

_FUNCS: dict[str, Callable[..., Any]] = {
    "floor": math.floor, "ceil": math.ceil, "round": round, "abs": abs, "min": min, "max": max,
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "log2": math.log2, "log10": math.log10,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "tanh": math.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
}
_CONSTS = {"pi": math.pi, "e": math.e}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
        ast.Eq: operator.eq, ast.NotEq: operator.ne}


def evaluate(expr: str, env: dict[str, Any]) -> Any:
    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in _CONSTS:
                return _CONSTS[node.id]
            raise NameError(f"unknown name {node.id!r} in {expr!r}")
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            return _BIN[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else (+v if isinstance(node.op, ast.UAdd) else not v)
        if isinstance(node, ast.BoolOp):
            vals = [ev(v) for v in node.values]
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.Compare) and all(type(o) in _CMP for o in node.ops):
            left = ev(node.left)
            for op, comp in zip(node.ops, node.comparators):
                right = ev(comp)
                if not _CMP[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) else ev(node.orelse)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
                and not node.keywords):
            return _FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ValueError(f"expression {expr!r} uses {type(node).__name__}, which PARAMS.md does not allow")

    return ev(ast.parse(expr.strip(), mode="eval"))


def display(value: Any, spec: str | None = None) -> str:
    if spec:
        return format(value, spec)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return format(value, ".6g")


_PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}")


def render(text: str, env: dict[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        body = m.group(1)
        expr, _, spec = body.partition(":")
        return display(evaluate(expr, env), spec.strip() or None)

    return _PLACEHOLDER.sub(sub, str(text))


def draw(params: dict[str, dict[str, Any]], where: Any, rng: random.Random) -> dict[str, Any]:
    conds = [where] if isinstance(where, str) else list(where or [])
    for _ in range(1000):
        env: dict[str, Any] = {}
        for name, spec in params.items():
            if "int" in spec:
                env[name] = rng.randint(*spec["int"])
            elif "choice" in spec:
                env[name] = rng.choice(spec["choice"])
            else:
                env[name] = round(rng.uniform(*spec["float"]), spec.get("round", 4))
        if all(evaluate(c, env) for c in conds):
            return env
    raise AssertionError(f"no draw satisfies {conds}")


def _questions() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(BANKS.glob("*.yaml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            out.append((path.name, q))
    return out


QUESTIONS = _questions()
PARAM_QS = {q["id"]: q for _, q in QUESTIONS if "params" in q}
BY_ID = {q["id"]: q for _, q in QUESTIONS}

# ------------------------------------------------------------------ torch references


def _side(module: nn.Module, n: int, channels: int = 1) -> int:
    with torch.no_grad():
        return int(module(torch.zeros(1, channels, n, n)).shape[-1])


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _rf(layers: list[nn.Module], n: int = 64) -> int:
    """Receptive field: the extent of input pixels with a non-zero gradient for one central output."""
    net = nn.Sequential(*layers).double()
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 1.0)
            nn.init.zeros_(m.bias)
    x = torch.rand(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = net(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    return int(rows.max() - rows.min() + 1)


def _opt_steps(make: Callable[[list[torch.Tensor]], torch.optim.Optimizer], theta: float,
               grads: list[float]) -> float:
    p = torch.tensor([theta], dtype=torch.float64, requires_grad=True)
    opt = make([p])
    for g in grads:
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
    return float(p.detach())


def _lr_after(make: Callable[[torch.optim.Optimizer], Any], lr0: float, steps: int) -> float:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = make(opt)
    for _ in range(steps):
        opt.step()
        sched.step()
    return float(opt.param_groups[0]["lr"])


def _grad_at(fn: Callable[[torch.Tensor], torch.Tensor], x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).backward()
    return float(t.grad)


def _bn_train(values: list[float], momentum: float = 0.1) -> tuple[nn.BatchNorm1d, torch.Tensor]:
    bn = nn.BatchNorm1d(1, momentum=momentum).double().train()
    out = bn(torch.tensor(values, dtype=torch.float64).reshape(-1, 1))
    return bn, out.detach()


def _ce(logits: list[float], target: int) -> float:
    return float(nn.CrossEntropyLoss()(torch.tensor([logits], dtype=torch.float64), torch.tensor([target])))


def _iters(n: int, b: int, drop_last: bool = False) -> list[int]:
    """Batch sizes of one epoch, from the sampler a DataLoader uses (its len() must agree)."""
    loader = torch.utils.data.DataLoader(range(n), batch_size=b, drop_last=drop_last)
    sizes = [len(batch) for batch in loader.batch_sampler]
    assert len(sizes) == len(loader)
    return sizes


def _dropout_kept(p: float, x: float) -> float:
    torch.manual_seed(0)
    out = nn.Dropout(p).train()(torch.full((4000,), x, dtype=torch.float64))
    kept = out[out != 0]
    assert torch.allclose(kept, kept[0].expand_as(kept))
    return float(kept[0])


def _lstm(i: int, h: int, **kw: Any) -> int:
    return _count(nn.LSTM(i, h, **kw))


def _pair(a: Any, b: Any) -> str:
    return f"{display(a)} 和 {display(b)}"


def _shape(t: Any) -> str:
    return "(" + ", ".join(str(int(s)) for s in t) + ")"


# Each reference takes the drawn params and returns the expected answer (numeric) or the keyed option text.
PARAM_REFS: dict[str, Callable[[dict[str, Any]], Any]] = {
    # conv / pool sizes
    "cnn-conv-out-size-var": lambda P: _side(nn.Conv2d(1, 1, P["k"], stride=P["s"], padding=P["p"]), P["n"]),
    "cnn-conv-out-dilation-var": lambda P: _side(
        nn.Conv2d(1, 1, P["k"], stride=P["s"], padding=P["p"], dilation=P["d"]), P["n"]),
    "cnn-pool-out-size-var": lambda P: _side(nn.MaxPool2d(P["k"], stride=P["s"]), P["n"]),
    "cnn-pool-ceil-mode-var": lambda P: _pair(_side(nn.MaxPool2d(P["k"], P["s"]), P["n"]),
                                              _side(nn.MaxPool2d(P["k"], P["s"], ceil_mode=True), P["n"])),
    "cnn-conv-shape-var": lambda P: _shape(nn.Conv2d(P["c_in"], P["c_out"], P["k"], stride=P["s"], padding=P["p"])(
        torch.zeros(P["N"], P["c_in"], P["h"], P["h"])).shape),
    "cnn-flatten-features-var": lambda P: nn.Sequential(
        nn.Conv2d(3, P["c"], P["k"]), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())(
        torch.zeros(1, 3, P["n"], P["n"])).shape[1],
    # parameter counts
    "cnn-conv-params-var": lambda P: _count(nn.Conv2d(P["c_in"], P["c_out"], P["k"])),
    "norm-conv-bn-params-var": lambda P: _count(nn.Sequential(
        nn.Conv2d(P["c_in"], P["c_out"], P["k"], bias=False), nn.BatchNorm2d(P["c_out"]))),
    "mlp-params-var": lambda P: _count(nn.Sequential(nn.Linear(P["d"], P["h"]), nn.ReLU(), nn.Linear(P["h"], P["c"]))),
    "rnn-lstm-params-var": lambda P: _lstm(P["i"], P["h"]),
    "rnn-gru-params-var": lambda P: _count(nn.GRU(P["i"], P["h"])),
    "rnn-rnn-params-var": lambda P: _count(nn.RNN(P["i"], P["h"])),
    "rnn-lstm-stacked-params-var": lambda P: _lstm(P["i"], P["h"], num_layers=P["L"]),
    "rnn-bilstm-params-var": lambda P: _lstm(P["i"], P["h"], bidirectional=True),
    "rnn-embedding-params-var": lambda P: _count(nn.Embedding(P["V"], P["d"], padding_idx=0)),
    # receptive fields
    "cnn-rf-stack-var": lambda P: _rf([nn.Conv2d(1, 1, P["k"]) for _ in range(P["L"])]),
    "cnn-rf-conv-pool-var": lambda P: _rf([nn.Conv2d(1, 1, P["k1"]), nn.AvgPool2d(P["q"], P["q"]),
                                           nn.Conv2d(1, 1, P["k2"])]),
    # iterations and batches
    "train-iters-per-epoch-var": lambda P: len(_iters(P["N"], P["B"])),
    "train-last-batch-var": lambda P: _iters(P["N"], P["B"])[-1],
    "train-iters-drop-last-var": lambda P: len(_iters(P["N"], P["B"], drop_last=True)),
    "train-total-updates-var": lambda P: P["E"] * len(_iters(P["N"], P["B"])),
    "train-iters-last-single-var": lambda P: _pair(len(_iters(P["N"], P["B"])), _iters(P["N"], P["B"])[-1]),
    # optimizers
    "opt-momentum-two-steps-var": lambda P: _opt_steps(
        lambda ps: torch.optim.SGD(ps, lr=P["lr"], momentum=P["mu"]), P["theta"], [P["g1"], P["g2"]]),
    "opt-adam-first-step-var": lambda P: _opt_steps(
        lambda ps: torch.optim.Adam(ps, lr=P["lr"]), P["theta"], [P["g"]]),
    "opt-adam-two-steps-var": lambda P: _opt_steps(
        lambda ps: torch.optim.Adam(ps, lr=P["lr"]), P["theta"], [P["g1"], P["g2"]]),
    "opt-rmsprop-first-step-var": lambda P: _opt_steps(
        lambda ps: torch.optim.RMSprop(ps, lr=P["lr"], alpha=P["a"]), P["theta"], [P["g"]]),
    "opt-adagrad-two-steps-var": lambda P: _opt_steps(
        lambda ps: torch.optim.Adagrad(ps, lr=P["lr"]), P["theta"], [P["g1"], P["g2"]]),
    "reg-sgd-weight-decay-var": lambda P: _opt_steps(
        lambda ps: torch.optim.SGD(ps, lr=P["lr"], weight_decay=P["wd"]), P["w"], [P["g"]]),
    "linreg-sgd-step-var": lambda P: _linreg_step(P),
    "grad-clip-norm-var": lambda P: _clip(P),
    # learning-rate schedules
    "opt-steplr-var": lambda P: _lr_after(
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=P["step"], gamma=P["gamma"]), P["lr0"], P["t"]),
    "opt-multisteplr-var": lambda P: _lr_after(
        lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[P["m1"], P["m2"]], gamma=P["gamma"]),
        P["lr0"], P["t"]),
    "opt-cosine-lr-var": lambda P: _lr_after(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=P["T"]), P["lr0"], P["t"]),
    "opt-exponential-lr-var": lambda P: _lr_after(
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=P["gamma"]), P["lr0"], P["t"]),
    # softmax, cross-entropy, losses
    "smx-softmax-value-var": lambda P: float(torch.softmax(torch.tensor(
        [P["a"], P["b"], P["c"]], dtype=torch.float64), 0)[0]),
    "smx-temperature-var": lambda P: float(torch.softmax(torch.tensor(
        [P["a"], P["b"]], dtype=torch.float64) / P["T"], 0)[0]),
    "loss-ce-logits-var": lambda P: _ce([P["a"], P["b"], P["c"]], P["t"]),
    "loss-bce-var": lambda P: float(nn.BCELoss()(torch.tensor([P["p"]], dtype=torch.float64),
                                                 torch.tensor([float(P["y"])], dtype=torch.float64))),
    "loss-mse-var": lambda P: float(nn.MSELoss()(torch.tensor([P["p1"], P["p2"], P["p3"]], dtype=torch.float64),
                                                 torch.tensor([P["y1"], P["y2"], P["y3"]], dtype=torch.float64))),
    # derivatives and vanishing products
    "act-sigmoid-deriv-var": lambda P: _grad_at(torch.sigmoid, P["x"]),
    "act-tanh-deriv-var": lambda P: _grad_at(torch.tanh, P["x"]),
    "grad-sigmoid-chain-var": lambda P: (P["w"] * _grad_at(torch.sigmoid, 0.0)) ** P["L"],
    "rnn-linear-gradient-decay-var": lambda P: _linear_rnn_grad(P["w"], P["T"]),
    # dropout and batch norm
    "reg-dropout-scale-var": lambda P: _dropout_kept(P["p"], P["x"]),
    "norm-bn-train-output-var": lambda P: float(_bn_train([P["x1"], P["x2"], P["x3"], P["x4"]])[1][0, 0]),
    "norm-bn-eval-output-var": lambda P: _bn_eval(P),
    "norm-bn-running-var-var": lambda P: float(_bn_train([P["x1"], P["x2"], P["x3"], P["x4"]],
                                                         momentum=P["m"])[0].running_var[0]),
    # perceptron
    "mlp-perceptron-update-var": lambda P: P["w1"] + P["eta"] * P["y"] * P["x1"],
    # more derivatives, losses and GAN values
    "init-he-conv-std-var": lambda P: _init_std(nn.Conv2d(P["c_in"], P["c_out"], P["k"]), "he"),
    "init-xavier-bound-var": lambda P: _init_std(nn.Linear(P["a"], P["b"]), "xavier") * math.sqrt(3),
    "loss-huber-var": lambda P: float(nn.SmoothL1Loss(beta=P["beta"])(
        torch.tensor([P["p"]], dtype=torch.float64), torch.tensor([P["y"]], dtype=torch.float64))),
    "loss-kl-bernoulli-var": lambda P: float(nn.functional.kl_div(
        torch.log(torch.tensor([P["q"], 1 - P["q"]], dtype=torch.float64)),
        torch.tensor([P["p"], 1 - P["p"]], dtype=torch.float64), reduction="sum")),
    "grad-clip-value-var": lambda P: _clip_value(P["a"], P["c"]),
    "bp-graph-var": lambda P: _graph_grads(P),
    "bp-sigmoid-neuron-var": lambda P: _neuron_grad(P["x"], P["w"], P["b"], P["t"]),
    "bp-grad-accumulate-var": lambda P: _accumulate(P["x0"], P["n"], P["k"]),
    "bp-fanout-var": lambda P: _grad_at(lambda x: x * P["y"] + P["c"] * x ** 2, float(P["x"])),
    "gan-d-loss-var": lambda P: 2 * float(nn.BCELoss()(torch.tensor([P["dr"], P["df"]], dtype=torch.float64),
                                                       torch.tensor([1.0, 0.0], dtype=torch.float64))),
    "gan-saturation-ratio-var": lambda P: _saturation_ratio(P["d"]),
    "gan-optimal-d-var": lambda P: _optimal_d(P["pd"], P["pg"]),
    "linreg-closed-form-var": lambda P: float(torch.linalg.lstsq(
        torch.tensor([[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]], dtype=torch.float64),
        torch.tensor([[P["y1"]], [P["y2"]], [P["y3"]]], dtype=torch.float64)).solution[0, 0]),
    "act-leaky-relu-var": lambda P: float(nn.functional.leaky_relu(torch.tensor(P["x"]), P["a"]))
    + _grad_at(lambda t: nn.functional.leaky_relu(t, P["a"]), P["x"]),
    # preliminaries
    "pre-mean-axis-var": lambda P: _mean_axes(P),
    "pre-dot-product-var": lambda P: int(torch.dot(torch.tensor([P["a"], P["b"], P["c"]]),
                                                   torch.tensor([P["d"], P["e"], P["f"]]))),
    "pre-derivative-var": lambda P: float(sympy.diff(P["c"] * _X ** P["n"] + sympy.sin(_X), _X).subs(_X, P["x"])),
    "pre-broadcast-shape-var": lambda P: _shape((torch.zeros(P["a"], 1, P["c"]) + torch.zeros(P["b"], 1)).shape),
    "pre-sum-axis-shape-var": lambda P: _shape(torch.zeros(P["a"], P["b"], P["c"]).sum(dim=1).shape),
    "pre-l1-norm-var": lambda P: float(torch.linalg.vector_norm(torch.tensor(
        [P["a"], P["b"], P["c"]], dtype=torch.float64), ord=1)),
    "pre-l2-norm-var": lambda P: float(torch.linalg.vector_norm(torch.tensor(
        [P["a"], P["b"], P["c"]], dtype=torch.float64))),
    "pre-frobenius-var": lambda P: float(torch.linalg.matrix_norm(torch.tensor(
        [[P["a"], P["b"]], [P["c"], P["d"]]], dtype=torch.float64))),
    "pre-hadamard-matmul-var": lambda P: _hadamard(P),
    "pre-bayes-var": lambda P: _bayes(P),
    "pre-two-point-variance-var": lambda P: _two_point_var(P),
    "pre-affine-variance-var": lambda P: float(sympy.simplify(
        sympy.Rational(str(P["a"])) ** 2 * sympy.Rational(str(P["v"])))),
}


_X = sympy.Symbol("x")


def _init_std(module: nn.Module, kind: str) -> float:
    """Standard deviation of a large sample drawn by the torch initializer with this layer's fans."""
    w = module.weight.detach().clone().double()
    big = torch.empty(4000, *w.shape[1:], dtype=torch.float64)  # same fan_in; fan_out scaled below
    torch.manual_seed(0)
    if kind == "he":
        nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
        nn.init.kaiming_normal_(big, mode="fan_in", nonlinearity="relu")
        assert abs(float(big.std()) / float(w.std()) - 1) < 0.5
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(w)
        assert abs(float(big.std()) - math.sqrt(2 / fan_in)) < 0.02 * math.sqrt(2 / fan_in)
        return math.sqrt(2 / fan_in)
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
    nn.init.xavier_uniform_(w)
    bound = float(w.abs().max())
    assert bound <= math.sqrt(6 / (fan_in + fan_out)) + 1e-12
    return math.sqrt(2 / (fan_in + fan_out))


def _clip_value(a: float, c: float) -> float:
    p = torch.zeros(1, requires_grad=True, dtype=torch.float64)
    p.grad = torch.tensor([a], dtype=torch.float64)
    torch.nn.utils.clip_grad_value_([p], clip_value=c)
    return float(p.grad[0])


def _graph_grads(P: dict[str, Any]) -> float:
    x, y, z = (torch.tensor(float(P[k]), requires_grad=True) for k in "xyz")
    ((x + y) * z).backward()
    return float(x.grad + z.grad)


def _neuron_grad(x: float, w: float, b: float, t: float) -> float:
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    (0.5 * (torch.sigmoid(wt * x + b) - t) ** 2).backward()
    return float(wt.grad)


def _accumulate(x0: int, n: int, k: int) -> float:
    x = torch.tensor(float(x0), requires_grad=True, dtype=torch.float64)
    for _ in range(n):
        (x ** k).backward()
    return float(x.grad)


def _saturation_ratio(d: float) -> float:
    a = torch.logit(torch.tensor(d, dtype=torch.float64)).requires_grad_()
    g_orig = torch.autograd.grad(torch.log(1 - torch.sigmoid(a)), a)[0]
    g_ns = torch.autograd.grad(-torch.log(torch.sigmoid(a)), a)[0]
    return float(g_ns.abs() / g_orig.abs())


def _optimal_d(pd: float, pg: float) -> float:
    D = sympy.Symbol("D", positive=True)
    value = sympy.Rational(str(pd)) * sympy.log(D) + sympy.Rational(str(pg)) * sympy.log(1 - D)
    (root,) = sympy.solve(sympy.diff(value, D), D)
    assert sympy.diff(value, D, 2).subs(D, root) < 0  # a maximum
    return float(root)


def _mean_axes(P: dict[str, Any]) -> float:
    X = torch.tensor([[P[k] for k in "abc"], [P[k] for k in "def"]], dtype=torch.float64)
    return float(X.mean(dim=1)[0] - X.mean(dim=0)[0])


def _linreg_step(P: dict[str, Any]) -> float:
    w = torch.tensor(P["w"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(P["b"], dtype=torch.float64, requires_grad=True)
    loss = 0.5 * (w * P["x"] + b - P["y"]) ** 2
    loss.backward()
    return float(w.detach() - P["lr"] * w.grad)


def _clip(P: dict[str, Any]) -> float:
    p = torch.zeros(2, requires_grad=True, dtype=torch.float64)
    p.grad = torch.tensor([P["a"], P["b"]], dtype=torch.float64)
    torch.nn.utils.clip_grad_norm_([p], max_norm=P["m"])
    return float(p.grad[0])


def _linear_rnn_grad(w: float, steps: int) -> float:
    h0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    h = h0
    for _ in range(steps):
        h = w * h + 0.3 * 1.0
    h.backward()
    return float(h0.grad)


def _bn_eval(P: dict[str, Any]) -> float:
    bn = nn.BatchNorm1d(1).double().eval()
    with torch.no_grad():
        bn.running_mean.fill_(P["rm"])
        bn.running_var.fill_(P["rv"])
        bn.weight.fill_(P["g"])
        bn.bias.fill_(P["bt"])
        return float(bn(torch.tensor([[P["x"]]], dtype=torch.float64))[0, 0])


def _hadamard(P: dict[str, Any]) -> str:
    A = torch.tensor([[P["a"], P["b"]], [P["c"], P["d"]]])
    B = torch.tensor([[P["e"], P["f"]], [P["g"], P["h"]]])
    return _pair(int((A * B)[0, 0]), int((A @ B)[0, 0]))


def _bayes(P: dict[str, Any]) -> float:
    prior, sens, fpr = (sympy.Rational(str(P[k])) for k in ("prior", "sens", "fpr"))
    return float(sens * prior / (sens * prior + fpr * (1 - prior)))


def _two_point_var(P: dict[str, Any]) -> float:
    p = Fraction(str(P["p"]))
    values = {Fraction(P["a"]): p, Fraction(P["b"]): 1 - p}
    mean = sum(v * q for v, q in values.items())
    return float(sum((v - mean) ** 2 * q for v, q in values.items()))


def _close(got: float, want: float, q: dict[str, Any]) -> bool:
    tol = float(q.get("tolerance") or 0)
    rel = float(q.get("rel_tolerance") or 0)
    slack = max(tol, rel * abs(want), 1e-9 * max(1.0, abs(want)))
    return abs(got - want) <= slack


# ------------------------------------------------------------------ tests


def test_every_parametrized_question_has_a_reference() -> None:
    assert len(PARAM_QS) >= 40
    assert sorted(set(PARAM_QS) - set(PARAM_REFS)) == []
    assert sorted(set(PARAM_REFS) - set(PARAM_QS)) == []


@pytest.mark.parametrize("qid", sorted(PARAM_QS))
def test_parametrized_answer_matches_torch(qid: str) -> None:
    q = PARAM_QS[qid]
    rng = random.Random(qid)
    seen = set()
    for _ in range(DRAWS):
        env = draw(q["params"], q.get("where"), rng)
        seen.add(tuple(sorted(env.items())))
        want = PARAM_REFS[qid](env)
        for field in ("prompt", "explanation"):
            render(q.get(field, ""), env)  # every placeholder evaluates
        if q["type"] == "numeric":
            got = evaluate(str(q["answer"]), env)
            assert math.isfinite(got), (qid, env)
            assert _close(got, float(want), q), f"{qid} {env}: answer {got}, torch {want}"
            shown = [evaluate(m.partition(":")[0], env)
                     for m in re.findall(r"\{\{(.+?)\}\}", str(q.get("explanation", "")))]
            loose = {"tolerance": q.get("tolerance", 0), "rel_tolerance": 0.01}
            assert any(_close(float(v), float(want), loose) for v in shown), \
                f"{qid} {env}: the explanation never shows the answer {want}"
        else:
            options = [render(o, env) for o in q["options"]]
            assert len(set(options)) == len(options), f"{qid} {env}: options coincide {options}"
            keys = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
            keyed = [options[ord(k) - 65] for k in keys]
            assert keyed == [want] if isinstance(want, str) else keyed == want, (qid, env, keyed, want)
    assert len(seen) > 1, f"{qid}: every draw was the same"


FIXED_REFS: dict[str, Callable[[], float]] = {
    "act-sigmoid-deriv-max": lambda: _grad_at(torch.sigmoid, 0.0),
    "act-tanh-deriv-value": lambda: _grad_at(torch.tanh, 0.5),
    "bp-neuron-numeric": lambda: _neuron(),
    "bp-graph-numeric": lambda: _grad_at(lambda x: (x + 5) * -4, -2.0),
    "cnn-conv-bias-count": lambda: nn.Conv2d(64, 128, 3).bias.numel(),
    "cnn-num-out-224-k3-p1": lambda: _side(nn.Conv2d(1, 1, 3, padding=1), 224),
    "cnn-num-out-32-k5-p0": lambda: _side(nn.Conv2d(1, 1, 5), 32),
    "cnn-num-out-227-k11-s4": lambda: _side(nn.Conv2d(1, 1, 11, stride=4), 227),
    "cnn-num-out-stride2": lambda: _side(nn.Conv2d(1, 1, 3, stride=2, padding=1), 64),
    "cnn-num-pool-55": lambda: _side(nn.MaxPool2d(3, 2), 55),
    "cnn-num-out-dilated": lambda: _side(nn.Conv2d(1, 1, 3, dilation=2), 32),
    "cnn-num-rf-three-3x3": lambda: _rf([nn.Conv2d(1, 1, 3) for _ in range(3)]),
    "cnn-num-conv-params-64-128": lambda: _count(nn.Conv2d(64, 128, 3, padding=1)),
    "cnn-num-rf-vgg11": lambda: _rf([m for spec in "c p c p c c p c c p c c p".split()
                                     for m in ([nn.Conv2d(1, 1, 3, padding=1)] if spec == "c"
                                               else [nn.AvgPool2d(2, 2)])], n=224),
    "grad-sigmoid-10-layers": lambda: _grad_at(torch.sigmoid, 0.0) ** 10,
    "grad-factor-1.1-50": lambda: 1.1 ** 50,
    "grad-clip-norm-numeric": lambda: _clip({"a": 3.0, "b": 4.0, "m": 1.0}),
    "loss-ce-value": lambda: float(nn.NLLLoss()(torch.log(torch.tensor([[0.7, 0.2, 0.1]])), torch.tensor([0]))),
    "loss-bce-value": lambda: float(nn.BCELoss()(torch.tensor([0.8]), torch.tensor([0.0]))),
    "loss-cel-logits-value": lambda: _ce([2.0, 1.0, 0.1], 2),
    "loss-mse-value": lambda: float(nn.MSELoss()(torch.tensor([1.5, 2.0, 2.0]), torch.tensor([1.0, 2.0, 3.0]))),
    "norm-bn-normalized-value": lambda: float(_bn_train([1.0, 2.0, 3.0, 4.0])[1][3, 0]),
    "norm-bn-running-var-value": lambda: float(_bn_train([1.0, 2.0, 3.0, 4.0])[0].running_var[0]),
    "norm-bn2d-param-count": lambda: _count(nn.BatchNorm2d(64)),
    "opt-adam-first-step-value": lambda: _opt_steps(lambda ps: torch.optim.Adam(ps), 1.0, [0.5]),
    "opt-adam-l2-vs-adamw": lambda: _opt_steps(lambda ps: torch.optim.Adam(ps, lr=0.1, weight_decay=0.1), 2.0, [0.0]),
    "opt-adagrad-two-steps": lambda: _opt_steps(lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=0.0), 0.0, [3.0, 4.0]),
    "opt-steplr-value": lambda: _lr_after(lambda o: torch.optim.lr_scheduler.StepLR(o, 30, 0.1), 0.1, 65),
    "mlp-params-784-512-512-10": lambda: _count(nn.Sequential(nn.Linear(784, 512), nn.Linear(512, 512),
                                                              nn.Linear(512, 10))),
    "mlp-params-784-128-128-64-10": lambda: _count(nn.Sequential(nn.Linear(784, 128), nn.Linear(128, 128),
                                                                 nn.Linear(128, 64), nn.Linear(64, 10))),
    "reg-dropout-scale-value": lambda: _dropout_kept(0.2, 1.0),
    "reg-sgd-weight-decay-step": lambda: _opt_steps(lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.01),
                                                    2.0, [0.3]),
    "rnn-num-lstm-params": lambda: _lstm(100, 128),
    "rnn-num-gru-params": lambda: _count(nn.GRU(300, 256)),
    "rnn-num-vanilla-rnn-params": lambda: _count(nn.RNN(100, 128)),
    "rnn-num-lstm-two-layers": lambda: _lstm(100, 128, num_layers=2),
    "rnn-num-gradient-decay": lambda: _linear_rnn_grad(0.9, 50),
    "smx-stable-value": lambda: float(torch.softmax(torch.tensor([1000.0, 1000.0, 1001.0]), 0)[2]),
    "smx-param-count": lambda: _count(nn.Linear(784, 10)),
    "linreg-sgd-step": lambda: _linreg_step({"w": 0.0, "b": 0.0, "x": 2.0, "y": 4.0, "lr": 0.1}),
    "train-num-iters-per-epoch": lambda: len(_iters(50000, 64)),
    "train-num-iters-drop-last": lambda: len(_iters(60000, 128, drop_last=True)),
    "train-num-total-updates": lambda: 10 * len(_iters(60000, 64)),
    "train-num-last-batch-size": lambda: _iters(50000, 64)[-1],
}


def _neuron() -> float:
    w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    (0.5 * (torch.sigmoid(w * 1.0 - 0.5) - 1.0) ** 2).backward()
    return float(w.grad)


@pytest.mark.parametrize("qid", sorted(FIXED_REFS))
def test_fixed_numeric_answer_matches_torch(qid: str) -> None:
    q = BY_ID[qid]
    assert q["type"] == "numeric" and "params" not in q
    want = float(FIXED_REFS[qid]())
    assert _close(float(q["answer"]), want, q), f"{qid}: bank says {q['answer']}, torch gives {want}"


def test_the_evaluator_refuses_what_params_md_forbids() -> None:
    for bad in ("__import__('os')", "x.real", "[1, 2][0]", "open('f')", "lambda: 1"):
        with pytest.raises((ValueError, NameError, SyntaxError)):
            evaluate(bad, {"x": 1})
    assert evaluate("floor((n + 2*p - k) / s) + 1", {"n": 32, "p": 1, "k": 3, "s": 2}) == 16
    assert render("{{ lr*g :.3f }} / {{ 7/2 }} / {{ 6/2 }}", {"lr": 0.1, "g": 2}) == "0.200 / 3.5 / 3"


def _cueing() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cueing", Path(__file__).parent / "tools" / "cueing.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_banks_do_not_cue_their_keys() -> None:
    m = _cueing().measure(BANKS)
    assert m["key_longest_pct"] <= 35, m
    assert m["over_1_5"] <= 5, m
    assert m["keyed_k_longest_pct"] <= 20, m
    assert m["questions_absolute_only_in_distractors"] == 0, m
    assert m["all_of_above"] == 0 and m["giveaway"] == 0, m


def test_the_cueing_measure_sees_a_cued_bank(tmp_path: Path) -> None:
    cued = {"questions": [
        {"id": "a", "type": "single", "prompt": "通过强化学习改进策略的范式是？",
         "options": ["强化学习（智能体通过奖励信号逐步改进自己的策略）", "监督", "一定是无监督", "以上都对"],
         "answer": "A"},
        {"id": "b", "type": "multiple", "prompt": "选出正确的",
         "options": ["一个相当长的正确说法", "另一个很长的正确说法", "短", "短的"], "answer": ["A", "B"]},
    ]}
    (tmp_path / "cued.yaml").write_text(yaml.safe_dump(cued, allow_unicode=True), encoding="utf-8")
    m = _cueing().measure(tmp_path)
    assert (m["key_longest"], m["over_1_5"], m["keyed_k_longest"]) == (1, 1, 1)
    assert (m["questions_absolute_only_in_distractors"], m["all_of_above"], m["giveaway"]) == (1, 1, 1)
