# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (derivations): some answers as strings, some from SymPy functions (Rational, sqrt, expand)."""
import math

import sympy


def sigmoid_derivative(s):
    return "s - s**2"


def tanh_derivative(t):
    return sympy.expand((1 - t) * (1 + t))


def softmax_ce_grad(p, y):
    return "p - y"


def mse_linear_grad_w(x, w, b, y):
    return sympy.expand(sympy.Rational(1, 2) * 2 * x * (w * x + b - y))


def xavier_uniform_bound(fan_in, fan_out):
    return sympy.sqrt(3) * sympy.sqrt(sympy.Integer(2) / (fan_in + fan_out))


def lstm_param_count(input_size, hidden_size):
    gates = math.prod([4])
    return gates * hidden_size * (input_size + hidden_size + 2)
