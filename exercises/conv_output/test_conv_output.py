"""Grading tests for conv_output: the ground truth is the shape torch itself produces."""
import random

import torch
import torch.nn.functional as F

from quizkit.grading.testing import check, hidden, points, tr


def _call(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    return (f"conv_output_size(n={n}, kernel={kernel}, stride={stride}, padding={padding}, "
            f"dilation={dilation}, ceil_mode={ceil_mode})")


def _torch_conv(n, kernel, stride, padding, dilation):
    """Output length of a real Conv2d along the height axis (width is kept at 1)."""
    x = torch.zeros(1, 1, n, 1)
    w = torch.zeros(1, 1, kernel, 1)
    return F.conv2d(x, w, stride=(stride, 1), padding=(padding, 0), dilation=(dilation, 1)).shape[2]


def _torch_pool(n, kernel, stride, padding, dilation, ceil_mode):
    """Output length of a real MaxPool2d along the height axis."""
    x = torch.zeros(1, 1, n, 1)
    return F.max_pool2d(x, (kernel, 1), (stride, 1), (padding, 0), (dilation, 1), ceil_mode=ceil_mode).shape[2]


def _as_int(value):
    """The returned value as an int, or None when it is not an integer (bool is not accepted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _diagnose(got, n, k, s, p, d, ceil_mode):
    """Name the usual mistake whose formula gives `got` for this configuration."""
    def length(span, ceil, rule=True, plus_one=1):
        room = n + 2 * p - span
        out = (-(-room // s) if ceil else room // s) + plus_one
        if ceil and rule and (out - 1) * s >= n + p:
            out -= 1
        return out

    span = d * (k - 1) + 1
    mistakes = [
        (length(span, ceil_mode, plus_one=0), tr("少了 1：公式最后要 + 1（第一个窗口也要算上）。",
                                                 "It is one short: the formula ends with + 1 (the first window "
                                                 "counts too).")),
        (length(k, ceil_mode), tr("忽略了 dilation：膨胀后的卷积核覆盖 dilation*(kernel-1)+1 个输入。",
                                  "Dilation is ignored: a dilated kernel spans dilation*(kernel-1)+1 inputs.")),
        (length(span, True), tr("ceil_mode=False 时 torch 对除法向下取整（floor），不是向上。",
                                "With ceil_mode=False torch rounds the division down (floor), not up.")),
        (length(span, False), tr("ceil_mode=True 时 torch 对除法向上取整（ceil）。",
                                 "With ceil_mode=True torch rounds the division up (ceil).")),
        (length(span, True, rule=False), tr("ceil_mode=True 时，如果最后一个窗口会从右侧 padding 里开始，torch 会丢掉它："
                                            "if (out - 1) * stride >= n + padding: out -= 1。",
                                            "With ceil_mode=True torch drops a last window that would start in "
                                            "the right padding: if (out - 1) * stride >= n + padding: out -= 1.")),
    ]
    right = length(span, ceil_mode)
    for value, hint in mistakes:
        if value != right and got == value:
            return hint
    return tr("检查 floor((n + 2*padding - dilation*(kernel-1) - 1) / stride) + 1。", "Check floor((n + 2*padding - dilation*(kernel-1) - 1) / stride) + 1.")


def _hint_for(got, n, k, s, p, d, ceil_mode):
    value = _as_int(got)
    if value is None:
        if isinstance(got, float):
            return tr("结果必须是整数：用 //（floor）或 math.ceil 取整，不要用普通的 /。", "The result must be a whole number: round with // (floor) or math.ceil, not plain /.")
        return tr("返回一个 int。", "Return an int.")
    return _diagnose(value, n, k, s, p, d, ceil_mode)


def _expect(submission, n, k, s, p, d, ceil_mode, want, source):
    got = submission.conv_output_size(n, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    check(_as_int(got) == want, call=_call(n, k, s, p, d, ceil_mode), got=repr(got),
          expected=tr(f"{want}（{source} 给出的输出长度为 {want}）", f"{want} ({source} gives an output of length {want})"),
          hint=_hint_for(got, n, k, s, p, d, ceil_mode))


@points(2)
def test_textbook_examples(submission):
    # (n, kernel, stride, padding): same-padding 3x3, 2x2 pooling, a strided conv, a plain valid conv.
    for n, k, s, p in [(224, 3, 1, 1), (224, 2, 2, 0), (7, 3, 2, 0), (32, 5, 1, 0), (227, 11, 4, 0),
                       (224, 7, 2, 3), (1, 1, 1, 0)]:
        _expect(submission, n, k, s, p, 1, False, _torch_conv(n, k, s, p, 1), "torch.nn.Conv2d")


@points(1)
def test_defaults_and_int_result(submission):
    got = submission.conv_output_size(32, 5)
    check(_as_int(got) == 28, call="conv_output_size(32, 5)", got=repr(got), expected="28",
          hint=_hint_for(got, 32, 5, 1, 0, 1, False) + tr("（默认值为 stride=1、padding=0、dilation=1、ceil_mode=False。）",
                                                          " (The defaults are stride=1, padding=0, dilation=1, "
                                                          "ceil_mode=False.)"))
    check(type(got) is int, call="conv_output_size(32, 5)", got=f"{got!r} ({type(got).__name__})",
          expected=tr("int 28", "the int 28"),
          hint=tr("返回 Python int：用 //（或 int(...)），不要用 /，否则结果是 float。",
                  "Return a Python int: use // (or int(...)) rather than / so the result is not a float."))


@points(1)
def test_dilation(submission):
    for n, k, s, p, d in [(10, 3, 1, 0, 2), (32, 3, 1, 2, 2), (64, 5, 2, 4, 3), (15, 2, 1, 0, 4)]:
        _expect(submission, n, k, s, p, d, False, _torch_conv(n, k, s, p, d), "torch.nn.Conv2d")


@points(2)
def test_matches_conv2d_on_random_configurations(submission):
    rng = random.Random(1234)
    for _ in range(150):
        k, s, d, p = rng.randint(1, 7), rng.randint(1, 4), rng.randint(1, 3), rng.randint(0, 4)
        span = d * (k - 1) + 1
        n = rng.randint(max(1, span - 2 * p), span + 40)
        _expect(submission, n, k, s, p, d, False, _torch_conv(n, k, s, p, d), "torch.nn.Conv2d")


def _random_pool_configs(seed, count):
    rng = random.Random(seed)
    configs = []
    while len(configs) < count:
        k, s, d = rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 3)
        span = d * (k - 1) + 1
        p = rng.randint(0, k // 2)  # torch.nn.MaxPool2d allows padding up to half the kernel
        n = rng.randint(max(1, span - 2 * p), span + 30)
        configs.append((n, k, s, p, d))
    return configs


@points(2)
def test_ceil_mode_matches_maxpool2d(submission):
    for n, k, s, p, d in _random_pool_configs(99, 150):
        _expect(submission, n, k, s, p, d, True, _torch_pool(n, k, s, p, d, True),
                "torch.nn.MaxPool2d(ceil_mode=True)")


@points(1)
@hidden
def test_ceil_mode_drops_a_window_that_starts_in_the_padding(submission):
    # Each of these has (out - 1) * stride >= n + padding for the plain ceil formula.
    for n, k, s, p in [(5, 2, 2, 1), (4, 2, 3, 1), (10, 3, 4, 1), (8, 2, 3, 1), (5, 3, 3, 1)]:
        _expect(submission, n, k, s, p, 1, True, _torch_pool(n, k, s, p, 1, True),
                "torch.nn.MaxPool2d(ceil_mode=True)")


@points(1)
@hidden
def test_more_random_pooling_both_modes(submission):
    for i, (n, k, s, p, d) in enumerate(_random_pool_configs(2024, 120)):
        ceil_mode = i % 2 == 0
        _expect(submission, n, k, s, p, d, ceil_mode, _torch_pool(n, k, s, p, d, ceil_mode),
                f"torch.nn.MaxPool2d(ceil_mode={ceil_mode})")
