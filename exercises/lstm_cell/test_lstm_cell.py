"""Grading tests for the `lstm_cell` exercise: float64 steps compared with torch.nn.LSTMCell in this process."""
import torch

from quizkit.grading.testing import assert_close, assert_unchanged, check, hidden, instructor_only, points, tr

# Every call is checked, in the supervisor, for modified arguments (not only in the test that names it).
READ_ONLY_INPUTS = True

F64 = torch.float64
RTOL, ATOL = 1e-9, 1e-12  # float64 rounding of any valid formula stays far below this
NAMES = ("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh")

GENERAL_HINT = tr(
    "gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh，按 torch 的顺序 i、f、g、o 分成四块、每块 H 列；"
    "i、f、o = sigmoid(...)，g = tanh(...)；c_next = f * c + i * g；h_next = o * tanh(c_next)。",
    "gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, split into four blocks of H columns in torch's order i, f, g, o; "
    "i, f, o = sigmoid(...), g = tanh(...); c_next = f * c + i * g; h_next = o * tanh(c_next)."
)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _randn(gen, *shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def _params(gen, n, i, h, scale=0.5):
    """Random (x, h, c, W_ih, W_hh, b_ih, b_hh) of the contract's shapes."""
    return [_randn(gen, n, i), _randn(gen, n, h), _randn(gen, n, h),
            _randn(gen, 4 * h, i, scale=scale), _randn(gen, 4 * h, h, scale=scale),
            _randn(gen, 4 * h, scale=scale), _randn(gen, 4 * h, scale=scale)]


def torch_lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """The expected step: torch.nn.LSTMCell with the same weights."""
    cell = torch.nn.LSTMCell(W_ih.shape[1], W_hh.shape[1], dtype=F64)
    with torch.no_grad():
        cell.weight_ih.copy_(W_ih)
        cell.weight_hh.copy_(W_hh)
        cell.bias_ih.copy_(b_ih)
        cell.bias_hh.copy_(b_hh)
        h_next, c_next = cell(x, (h, c))
    return h_next, c_next


@instructor_only  # with no mistake switched on it is the LSTM step itself: the student build leaves it out
def _wrong_step(x, h, c, W_ih, W_hh, b_ih, b_hh, *, mistake):
    """One LSTM step as a usual mistake writes it (trusted side only)."""
    gates = x @ W_ih.T + h @ W_hh.T + b_ih + (0 if mistake == "one_bias" else b_hh)
    i, f, g, o = gates.chunk(4, dim=1)
    if mistake == "ifog":
        g, o = o, g
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = torch.sigmoid(g) if mistake == "sigmoid_candidate" else torch.tanh(g)
    c_next = f * c + (g if mistake == "no_input_gate" else i * g)
    h_next = o * (c_next if mistake == "no_tanh_on_cell" else torch.tanh(c_next))
    return h_next, c_next


MISTAKES = {
    "ifog": {"en": "Your result is exactly that of the gate order i, f, o, g: torch stacks the blocks as i, f, g, o "
                   "(rows 2H:3H are the candidate g, 3H:4H the output gate o).",
             "zh": "你的结果与门顺序 i, f, o, g 完全一致：torch 的分块顺序是 i, f, g, o（2H:3H 行是候选 g，3H:4H 行是输出门 o）。"},
    "one_bias": {"en": "Your result is exactly that of adding only b_ih: torch.nn.LSTMCell adds both biases, "
                       "x @ W_ih.T + b_ih + h @ W_hh.T + b_hh.",
                 "zh": "你的结果与只加了 b_ih 完全一致：torch.nn.LSTMCell 两个偏置都加，x @ W_ih.T + b_ih + h @ W_hh.T + b_hh。"},
    "no_input_gate": {"en": "Your result is exactly that of c_next = f * c + g: the input gate is missing, "
                            "c_next = f * c + i * g.",
                      "zh": "你的结果与 c_next = f * c + g 完全一致：缺少输入门，应为 c_next = f * c + i * g。"},
    "no_tanh_on_cell": {"en": "Your result is exactly that of h_next = o * c_next: the cell state goes through tanh "
                              "first, h_next = o * tanh(c_next).",
                        "zh": "你的结果与 h_next = o * c_next 完全一致：细胞状态要先过 tanh，h_next = o * tanh(c_next)。"},
    "sigmoid_candidate": {"en": "Your result is exactly that of a sigmoid on the candidate g: g = tanh(...), so it "
                                "lies in (-1, 1).",
                          "zh": "你的结果与对候选 g 用 sigmoid 完全一致：g = tanh(...)，取值在 (-1, 1)。"},
}


def _causes(args, which):
    """(what each usual mistake returns, the sentence that names it), for h_next (which=0) or c_next (1)."""
    return [(lambda m=m: _wrong_step(*args, mistake=m)[which], text) for m, text in MISTAKES.items()]


def _describe(args, what=""):
    shapes = ", ".join(f"{n}{tuple(a.shape)}" for n, a in zip(NAMES, args))
    return f"lstm_cell({shapes})" + what


def _close(a, b):
    return type(a) is torch.Tensor and a.shape == b.shape and a.dtype == b.dtype and \
        torch.allclose(a, b, rtol=RTOL, atol=ATOL)


def _check_step(got, args, call, hint):
    want_h, want_c = torch_lstm_cell(*args)
    check(isinstance(got, (tuple, list)) and len(got) == 2, call=call, got=got,
          expected=tr("一对 (h_next, c_next)：两个张量组成的 tuple（或 list）",
                      "a pair (h_next, c_next): a tuple (or list) of two tensors"),
          hint=tr("新的隐藏状态和新的细胞状态都要返回：`return h_next, c_next`。",
                  "Return both the new hidden state and the new cell state: `return h_next, c_next`."))
    got_h, got_c = got
    check(not (_close(got_h, want_c) and _close(got_c, want_h) and not _close(got_h, want_h)), call=call,
          got="(c_next, h_next)", expected="(h_next, c_next)",
          hint=tr("数值对了但顺序错了：先返回 h_next，再返回 c_next（与 torch.nn.LSTMCell 一样）。",
                  "The values are right but in the wrong order: return h_next first, then c_next (as torch.nn.LSTMCell)."))
    assert_close(got_c, want_c, rtol=RTOL, atol=ATOL, call=call + tr("；c_next（返回的第 2 个值）", "; c_next (the 2nd value returned)"), hint=hint,
                 causes=_causes(args, 1))
    assert_close(got_h, want_h, rtol=RTOL, atol=ATOL, call=call + tr("；h_next（返回的第 1 个值）", "; h_next (the 1st value returned)"), hint=hint,
                 causes=_causes(args, 0))
    return got


def _step(submission, args, *, what="", hint=GENERAL_HINT):
    call = _describe(args, what)
    return _check_step(submission.lstm_cell(*args), args, call, hint)


@points(2)
def test_matches_lstmcell_on_random_weights(submission):
    _step(submission, _params(_gen(1), 3, 4, 5), what=tr("，随机 float64 值", " with random float64 values"), hint=GENERAL_HINT)


@points(2)
def test_gate_order_is_i_f_g_o(submission):
    gen = _gen(2)
    n, i, h = 2, 3, 4
    x, h0, c0 = _randn(gen, n, i), _randn(gen, n, h), _randn(gen, n, h)
    # With zero weights every gate is just its bias, and each block of H rows gets a very different bias.
    block = torch.tensor([2.0, -2.0, -1.0, 0.5], dtype=F64).repeat_interleave(h)
    args = [x, h0, c0, torch.zeros(4 * h, i, dtype=F64), torch.zeros(4 * h, h, dtype=F64),
            block, _randn(gen, 4 * h, scale=0.1)]
    _step(submission, args,
          what=tr("，W_ih = W_hh = 0，四块 H 行的偏置分别为 2、-2、-1、0.5（加噪声）",
                  " with W_ih = W_hh = 0 and biases 2, -2, -1, 0.5 (+ noise) on the four blocks of H rows"),
          hint=tr("堆叠的行按 torch 的顺序：0:H 行是输入门 i，H:2H 是遗忘门 f，2H:3H 是候选细胞 g，3H:4H 是输出门 o"
                  "（i、f、g、o，不是 i、f、o、g）。这里 i = sigmoid(2)，f = sigmoid(-2)，g = tanh(-1)，o = sigmoid(0.5)，"
                  "差一点噪声。",
                  "The stacked rows are in torch's order: rows 0:H are the input gate i, H:2H the forget gate f, "
                  "2H:3H the cell candidate g, 3H:4H the output gate o (i, f, g, o, not i, f, o, g). Here i = sigmoid(2), "
                  "f = sigmoid(-2), g = tanh(-1), o = sigmoid(0.5), up to the noise."))


@points(1)
def test_zero_initial_state(submission):
    gen = _gen(3)
    args = _params(gen, 4, 3, 5)
    args[1] = torch.zeros(4, 5, dtype=F64)
    args[2] = torch.zeros(4, 5, dtype=F64)
    _step(submission, args, what=tr("，h = c = 0", " with h = c = 0"),
          hint=tr("c = 0 时新的细胞状态是 i * g：输入门决定写入多少（c_next = f * c + i * g，不是 f * c + g）。",
                  "With c = 0 the new cell state is i * g: the input gate scales what is written "
                  "(c_next = f * c + i * g, not f * c + g)."))


@points(1)
def test_cell_state_goes_through_tanh(submission):
    gen = _gen(4)
    n, h = 3, 4
    args = _params(gen, n, 2, h, scale=0.3)
    args[2] = torch.tensor([4.0, -4.0, 3.0, -5.0], dtype=F64).repeat(n, 1)  # a large cell state
    args[5] = args[5] + torch.tensor([0.0, 3.0, 0.0, 2.0], dtype=F64).repeat_interleave(h)  # f and o mostly open
    got = _step(submission, args, what=tr("，细胞状态 c 较大（|c| 最大到 5）", " with a large cell state c (|c| up to 5)"),
                hint=tr("h_next = o * tanh(c_next)：细胞状态在输出门之前先经过 tanh 压缩，所以即使 |c_next| 很大，|h_next| < 1。",
                        "h_next = o * tanh(c_next): the cell state is squashed by tanh before the output gate, so "
                        "|h_next| < 1 even when |c_next| is large."))
    check(bool((got[0].abs() < 1).all()), call=_describe(args), got=got[0], expected="|h_next| < 1",
          hint="h_next = o * tanh(c_next).")


@points(1)
def test_candidate_uses_tanh(submission):
    gen = _gen(5)
    n, h = 3, 4
    args = _params(gen, n, 3, h, scale=0.3)
    args[1] = torch.zeros(n, h, dtype=F64)
    args[2] = torch.zeros(n, h, dtype=F64)
    # Input gate wide open and a negative candidate: c_next = i * tanh(g) < 0.
    args[5] = args[5] + torch.tensor([4.0, 0.0, -2.0, 0.0], dtype=F64).repeat_interleave(h)
    _step(submission, args, what=tr("，h = c = 0，候选值的预激活为负", " with h = c = 0 and negative candidate pre-activations"),
          hint=tr("候选值 g 用 tanh，不是 sigmoid：它在 (-1, 1) 内，所以一步也可能降低细胞状态。这里 c_next = i * tanh(g) 必须为负。",
                  "The candidate g uses tanh, not sigmoid: it lies in (-1, 1), so a step can also lower the cell "
                  "state. Here c_next = i * tanh(g) must be negative."))


@points(1)
def test_inputs_are_not_modified(submission):
    args = _params(_gen(6), 2, 3, 4)
    call = _describe(args)
    got, after, _ = submission.call_with_inputs("lstm_cell", *args)
    _check_step(got, args, call, GENERAL_HINT)
    check(len(after) == len(args), call=call, got=tr(f"{len(after)} 个参数", f"{len(after)} arguments"),
          expected=tr("七个参数", "the seven arguments"))
    for name, before, now in zip(NAMES, args, after):
        assert_unchanged(before, now, call=call, name=name,
                         hint=tr("不要原地修改参数（c *= f、h.mul_(...)、W_ih.t_() ...）；计算新的张量：c_next = f * c + i * g。",
                                 "Don't modify the arguments in place (c *= f, h.mul_(...), W_ih.t_() ...); "
                                 "compute new tensors: c_next = f * c + i * g."))


@points(1)
@hidden
def test_sizes_one_and_larger(submission):
    _step(submission, _params(_gen(7), 1, 1, 1), what=tr("（所有维度大小为 1）", " (every size 1)"))
    _step(submission, _params(_gen(8), 16, 10, 7, scale=0.8), what=tr("，随机 float64 值", " with random float64 values"))


@points(1)
@hidden
def test_six_step_sequence(submission):
    gen = _gen(9)
    n, i, h = 2, 3, 5
    params = _params(gen, n, i, h)[3:]
    state_got = [torch.zeros(n, h, dtype=F64), torch.zeros(n, h, dtype=F64)]
    state_want = list(state_got)
    for t in range(6):
        x = _randn(gen, n, i, scale=2.0)
        args = [x, *state_want, *params]
        got = submission.lstm_cell(x, *state_got, *params)
        _check_step(got, args, _describe(args, tr(f"，序列的第 {t + 1} 步，h 和 c 回传", f" at step {t + 1} of a sequence, h and c fed back")), GENERAL_HINT)
        state_got = [got[0], got[1]]
        state_want = list(torch_lstm_cell(*args))
