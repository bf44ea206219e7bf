"""Known-wrong: sigmoid_derivative = s*(1 + s), a sign slip.

expect:
  en: ["Check the sign"]
  zh: ["符号", "σ(x)·(1 − σ(x))"]
"""
import sympy as sp


def sigmoid_derivative(s):
    """dσ/dx written in s = σ(x): σ' = e^{-x} / (1 + e^{-x})^2 and e^{-x} = (1 - s) / s."""
    return s * (1 + s)


def tanh_derivative(t):
    """d tanh/dx written in t = tanh(x): 1 / cosh^2 = 1 - tanh^2."""
    return 1 - t**2


def softmax_ce_grad(p, y):
    """∂L/∂z_i for L = -Σ_j y_j log p_j, p = softmax(z), one-hot y: the softmax Jacobian cancels the log."""
    return p - y


def mse_linear_grad_w(x, w, b, y):
    """∂l/∂w for l = ½(wx + b - y)^2: the ½ cancels the 2 of the square, the chain rule brings x."""
    return (w * x + b - y) * x


def xavier_uniform_bound(fan_in, fan_out):
    """a in U(-a, a) with Var = a^2 / 3 = 2 / (fan_in + fan_out) (Glorot and Bengio, 2010)."""
    return sp.sqrt(6 / (fan_in + fan_out))


def lstm_param_count(input_size, hidden_size):
    """One torch.nn.LSTM layer: 4 gates, each with W_ih (h x i), W_hh (h x h), b_ih (h) and b_hh (h)."""
    h = hidden_size
    return 4 * (h * (input_size + h) + 2 * h)
