"""derivations: return each result as a SymPy expression in the arguments (or as a string in SymPy syntax).

The grader calls every function with SymPy Symbols named like the parameters, e.g. sigmoid_derivative(Symbol("s")),
so an expression such as `3 * s**2 + 1` written with the argument is already a SymPy expression.
"""
import sympy as sp  # noqa: F401  (sp.sqrt, sp.Rational, ... if you need them)


def sigmoid_derivative(s):
    """dσ/dx, written in terms of s = σ(x) only."""
    # TODO
    raise NotImplementedError("sigmoid_derivative is not written yet")


def tanh_derivative(t):
    """d tanh(x)/dx, written in terms of t = tanh(x) only."""
    # TODO
    raise NotImplementedError("tanh_derivative is not written yet")


def softmax_ce_grad(p, y):
    """∂L/∂z_i for p = softmax(z) followed by the cross-entropy L = -Σ_j y_j log p_j with a one-hot y.

    p is p_i and y is y_i (scalars)."""
    # TODO
    raise NotImplementedError("softmax_ce_grad is not written yet")


def mse_linear_grad_w(x, w, b, y):
    """∂l/∂w for l = ½(w·x + b − y)²."""
    # TODO
    raise NotImplementedError("mse_linear_grad_w is not written yet")


def xavier_uniform_bound(fan_in, fan_out):
    """The bound a of Xavier/Glorot uniform initialisation, w ~ U(-a, a)."""
    # TODO
    raise NotImplementedError("xavier_uniform_bound is not written yet")


def lstm_param_count(input_size, hidden_size):
    """The number of parameters of one torch.nn.LSTM(input_size, hidden_size) layer (both bias vectors)."""
    # TODO
    raise NotImplementedError("lstm_param_count is not written yet")
