# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (derivations): answers that are complex-valued almost everywhere, written so that SymPy's simplify
needs minutes on each. The old grader fell through to an unbounded simplify when too few points evaluated."""
import sympy as sp

_BOMB = ("sqrt(-1 - {v}**2)*(exp({v}) + exp(-{v}))**7*(sin({v} + 1)*cos({v} - 1) + tan({v})**2)**4"
         "/((1 + exp({v}))**3*({v}**2 + 1)**4)")


def _bomb(*symbols):
    v = "*".join(str(s) for s in symbols)
    return _BOMB.format(v=f"({v})")


def sigmoid_derivative(s):
    return _bomb(s)


def tanh_derivative(t):
    return _bomb(t)


def softmax_ce_grad(p, y):
    return _bomb(p, y)


def mse_linear_grad_w(x, w, b, y):
    return _bomb(x, w)


def xavier_uniform_bound(fan_in, fan_out):
    return _bomb(fan_in, fan_out)


def lstm_param_count(input_size, hidden_size):
    return _bomb(input_size, hidden_size)


KEEP = sp
