"""LaTeX to Unicode, line breaking for Chinese, and the interface language."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from rich.text import Text

from quizkit.render import i18n, latex
from quizkit.render.latex import to_unicode
from quizkit.render.wrap import break_offsets, cell_width, wrap_text


@pytest.fixture(autouse=True)
def fresh_math_cache(tmp_path, monkeypatch):
    """Render for real, and keep the rendering cache in a temporary home."""
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(latex, "_cache", None)
    monkeypatch.setattr(latex, "_cache_path", None)


@pytest.mark.parametrize("src,shown", [
    (r"$\frac{a}{b}$", "a/b"),
    (r"$\sigma(x)=\frac{1}{1+e^{-x}}$", "σ(x)=1/(1+e⁻ˣ)"),
    (r"$\frac{\partial L}{\partial w_{ij}}$", "∂L/∂wᵢⱼ"),
    (r"$\sqrt{\frac{6}{a+b}}$", "√(6/(a+b))"),
    (r"$x_i^2 + \sum_{i=1}^{n} w_i x_i$", "xᵢ² + ∑ᵢ₌₁ⁿ wᵢ xᵢ"),
    (r"$W^\top x$", "Wᵀ x"),
    (r"$e^{x_i}$", "e^(xᵢ)"),  # no superscript for a subscript: parentheses keep the grouping
    (r"$\sigma''(x)$", "σ′′(x)"),
    (r"$\hat{y} = \mathrm{softmax}(z)$", "ŷ = softmax(z)"),
    (r"$\tanh(0.5)\approx0.4621$", "tanh(0.5)≈0.4621"),
    (r"$\$5$", "$5"),
    # Spacing follows LaTeX where it matters (a space only ends a macro name) and the author elsewhere.
    (r"$\lfloor (n + 2p - k)/s \rfloor + 1$", "⌊(n + 2p - k)/s⌋ + 1"),
    (r"$\nabla_\theta J(\theta) \leq \alpha \cdot W^\top$", "∇_θJ(θ) ≤ α · Wᵀ"),
    (r"$\mathbb{R}^{n \times m}$", "ℝⁿˣᵐ"),
    (r"$\left( \frac{a}{b} \right)$", "(a/b)"),
    (r"$\partial L/\partial w_i=\delta\,x_i$", "∂L/∂wᵢ=δ xᵢ"),
    (r"$\sigma(x)\cdot\frac{1}{2}$", "σ(x)·1/2"),
    (r"$x \in \mathbb{R}^n$", "x ∈ ℝⁿ"),
    (r"$x\le 0$", "x≤0"),
    # Function names keep their argument apart; accents take the next token as in LaTeX.
    (r"$-[y\log p + (1 - y)\log(1 - p)]$", "-[y log p + (1 - y)log(1 - p)]"),
    (r"$\sin x + \log_2 n$", "sin x + log₂ n"),
    (r"$\hat m_t/(\sqrt{\hat v_t}+\epsilon)$", "m̂ₜ/(√(v̂ₜ)+ϵ)"),
    (r"$\sigma'(x)=\sigma(x)(1-\sigma(x))$", "σ′(x)=σ(x)(1-σ(x))"),
    # A fraction on one line: parentheses only where a part, or the fraction itself, would lose its grouping.
    (r"$\mathbb{R}^{k\times n}$", "ℝᵏˣⁿ"),
    (r"$W \in \mathbb{R}^{d_{out}\times d_{in}}$", "W ∈ ℝ^(dₒᵤₜ×dᵢₙ)"),
    (r"$\frac{x-\mu_B}{\sqrt{\sigma_B^2+\epsilon}}$", "(x-μ_B)/√(σ_B²+ϵ)"),
    (r"$\frac{e^{-x}}{(1+e^{-x})^2}$", "e⁻ˣ/(1+e⁻ˣ)²"),
    (r"$\frac{f(\theta+h)-f(\theta-h)}{2h}$", "(f(θ+h)-f(θ-h))/(2h)"),
    (r"$\frac{e^{z_i}}{\sum_j e^{z_j}}$", "e^(zᵢ)/(∑ⱼ e^(zⱼ))"),
    (r"$\frac{v}{\|v\|}$", "v/‖v‖"),
    (r"$\frac{dy}{dx} = \frac{\partial^2 L}{\partial w^2}$", "dy/dx = ∂²L/∂w²"),
    (r"$\frac{\frac{1}{2}}{3}$", "(1/2)/3"),
    (r"$\frac{ab}{c} + \frac{-b}{2a}$", "ab/c + -b/(2a)"),
    (r"$L = \frac{1}{m}\sum_{i=1}^{m} L_i$", "L = (1/m)∑ᵢ₌₁ᵐ Lᵢ"),
    (r"$2\frac{1}{2}$", "2(1/2)"),
    (r"$\frac{\lambda}{2m}\|w\|^2$", "(λ/(2m))‖w‖²"),
    (r"$\frac{a}{b}\cdot c$", "a/b·c"),
    (r"$r_l = r_{l-1} + (k_l - 1)\cdot j_{l-1}$", "rₗ = rₗ₋₁ + (kₗ - 1)·jₗ₋₁"),
])
def test_math_to_unicode(src, shown):
    assert to_unicode(src) == shown


def test_only_math_segments_are_converted():
    text = r"学习率 50% 时 $\alpha=\frac{1}{2}$，\(\beta_1\) 与 \[\beta_2\] 保持不变"
    assert to_unicode(text) == "学习率 50% 时 α=1/2，β₁ 与 β₂ 保持不变"
    assert to_unicode("no math: 100% sure, C:\\path") == "no math: 100% sure, C:\\path"


def _lines(text: str, width: int, indent: int = 0) -> list[str]:
    return wrap_text(Text(text), width, indent).plain.split("\n")


def _width(s: str) -> int:
    return sum(cell_width(c) for c in s)


def test_chinese_breaks_between_characters_and_fills_lines():
    text = "下列是用梯度下降训练神经网络的各个步骤正确的顺序是哪一个选项"
    lines = _lines(text, 20)
    assert "".join(lines) == text
    assert [_width(ln) for ln in lines] == [20, 20, 20]


def test_no_closing_punctuation_at_line_start():
    text = "一二三四五六七八九，十一二三"  # at width 18 the comma would start line 2: 九 goes down with it
    lines = _lines(text, 18)
    assert lines == ["一二三四五六七八", "九，十一二三"]
    assert not any(ln[0] in "，。）" for ln in lines)


def test_english_breaks_at_spaces_and_long_words_fold():
    assert _lines("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
    assert _lines("abcdefghijklmnop", 6) == ["abcdef", "ghijkl", "mnop"]


def test_hanging_indent_and_hard_newlines():
    assert _lines("  A. 第一个选项非常非常长需要换行", 16, 5) == ["  A. 第一个选项", "     非常非常长", "     需要换行"]
    assert _lines("第一段\n\n第二段", 40) == ["第一段", "", "第二段"]


def test_styles_survive_wrapping():
    text = Text("正确 ")
    text.append("答案是这个非常长的选项", style="bold")
    out = wrap_text(text, 10)
    assert out.plain.split("\n") == ["正确 答案", "是这个非常", "长的选项"]
    assert any(span.style == "bold" for span in out.spans)


def test_break_offsets_cover_the_text():
    text = "mixed 中文 and English 文本混排，测试 breaking"
    spans = break_offsets(text, 12)
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("env,lang", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({}, "en"), ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_language_from_the_locale(env, lang):
    assert i18n.detect_lang(env) == lang


def _fields(text):
    import string

    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)


def test_every_string_has_both_languages_with_the_same_fields():
    for key, (zh, en) in i18n.STRINGS.items():
        assert zh and en, key
        assert _fields(zh) == _fields(en), key


@pytest.mark.parametrize("text,width", [
    ("在训练模式下的行为都要与torch.nn.BatchNorm1d(C)（affine=True、track_running_stats=True）一致", 16),
    ("网络中使用了nn.BatchNorm2d层，训练时用mini-batch统计量", 12),
    ("call torch.nn.functional.leaky_relu(x, negative_slope=0.01) here", 17),
    ("σ(x)=1/(1+e⁻ˣ)，(eˣ-e⁻ˣ)/(eˣ+e⁻ˣ)=tanh(x)。所以", 20),
])
def test_no_latin_word_is_split_across_lines(text, width):
    spans = break_offsets(text, width)
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if end == start:  # not a break at a space
            latin = [c.isascii() and c.isalnum() for c in (text[end - 1], text[start])]
            assert not all(latin), (text[:end], text[start:])
    assert all(_width(text[a:b]) <= width for a, b in spans)


def test_a_word_wider_than_the_line_still_folds():
    assert _lines("x supercalifragilistic y", 8) == ["x", "supercal", "ifragili", "stic y"]


# -- Markdown ------------------------------------------------------------------------------------------------
MD_BANK = r"""title: md
tags: [md]
questions:
  - id: md1
    type: single
    prompt: |-
      执行下面的代码后 `x.grad` 是多少？*注意* $r_{l-1} + (k_l - 1)\cdot j_{l-1}$ 与 $W\in\mathbb{R}^{k\times n}$：

      ```python
      for _ in range(2):
          y = x ** 2  # *not* emphasis
      ```
    options:
      - "`12`"
      - "1. 不是列表"
      - $\frac{1}{1+e^{-x}}$
      - "**6**"
    answer: A
    explanation: 梯度**累加**，见 `optimizer.zero_grad()`。
"""


def _quiz(tmp_path, *args, env=None):
    from test_quiz_support import invoke, write_bank

    bank = write_bank(tmp_path / "md", MD_BANK)
    return invoke(["quiz", "--bank", str(bank), "--no-shuffle", "--lang", "zh", *args], input="a\n", env=env)


def test_markdown_and_math_in_a_quiz_prompt_options_and_explanation(tmp_path):
    out = _quiz(tmp_path).output
    assert "执行下面的代码后 x.grad 是多少？注意 rₗ₋₁ + (kₗ - 1)·jₗ₋₁ 与 W∈ℝᵏˣⁿ：" in out
    assert "\n\n    for _ in range(2):\n        y = x ** 2  # *not* emphasis\n" in out  # as written, set off
    assert "  A. 12\n  B. 1. 不是列表\n  C. 1/(1+e⁻ˣ)\n  D. 6\n" in out  # options are inline text
    assert "解析：梯度累加，见 optimizer.zero_grad()。" in out
    assert "`" not in out and "**6**" not in out and "**累加**" not in out


def test_on_a_terminal_code_is_styled_and_math_never_italic(tmp_path):
    out = _quiz(tmp_path, env={"FORCE_COLOR": "1", "COLUMNS": "200"}).output
    assert "\x1b[36mx.grad\x1b[0m" in out  # inline code
    assert "\x1b[36m    for _ in range(2):" in out or "\x1b[36mfor _ in range(2):" in out
    assert "\x1b[3m注意\x1b[0m" in out  # emphasis outside math still applies
    assert out.count("\x1b[3m") == 1  # ... and nowhere else: not inside $...$, not inside the code block


def test_raw_math_is_shown_as_written_and_still_not_emphasis(tmp_path):
    out = _quiz(tmp_path, "--raw-math", env={"FORCE_COLOR": "1", "COLUMNS": "200"}).output
    assert r"$r_{l-1} + (k_l - 1)\cdot j_{l-1}$" in out
    assert out.count("\x1b[3m") == 1


def test_exercise_show_renders_math_code_and_lists():
    from test_quiz_support import invoke

    out = invoke(["exercise", "show", "receptive_field", "--lang", "en"], env={"COLUMNS": "100"}).output
    assert "  • rₗ = rₗ₋₁ + (k′ₗ - 1) · jₗ₋₁\n" in out
    assert "k'l" not in out and "j{l-1}" not in out
    assert "\n    def receptive_field(layers: list[dict]) -> dict\n" in out
    assert "`" not in out and "**" not in out
    zh = invoke(["exercise", "show", "batchnorm", "--lang", "zh"], env={"COLUMNS": "60"}).output
    assert "推理模式" in zh and "和 推理" not in zh  # a wrapped source line is not a space between Chinese


def _bank_texts():
    from quizkit.bank.load import load_questions

    for q in load_questions(None):
        yield from (q.prompt, q.explanation or "", str(q.answer), *q.options)


def test_text_without_markdown_syntax_reads_as_the_parser_reads_it():
    from quizkit.render import markdown

    samples = [t for t in _bank_texts() if t.strip()] + ["第一段\n第二行\n\n  第二段", "1.5 倍\n2) 不", "a\n\n\nb"]
    fast = 0
    for text in samples:
        for inline in (False, True):
            if markdown._SPECIAL.intersection(text) or not inline and markdown._block_syntax(text):
                continue
            fast += 1
            assert markdown._plain(text, inline) == markdown._parse(text, inline), text
    assert fast > 50


def test_no_word_of_a_shipped_bank_is_split_at_any_width():
    from quizkit.render.terminal import Terminal

    term = Terminal(rich=False)
    for text in _bank_texts():
        plain = "".join(p if isinstance(p, str) else p[0] for p in term.content(text))
        for width in range(24, 101, 7):
            spans = break_offsets(plain, width)
            for (a, end), (start, _) in zip(spans, spans[1:]):
                if end == start:
                    word = re.search(r"[A-Za-z0-9]*$", plain[a:end]).group(0) + re.match(r"[A-Za-z0-9]*",
                                                                                         plain[start:]).group(0)
                    assert not (plain[end - 1].isascii() and plain[end - 1].isalnum() and plain[start].isascii()
                                and plain[start].isalnum()) or len(word) > width, (plain[a:end], plain[start:])


WARM = """
import sys
sys.argv = ["quizkit", *sys.argv[1:]]
from quizkit.cli import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write("LOADED=" + ",".join(m for m in ("markdown_it", "pylatexenc") if m in sys.modules) + "\\n")
"""


def test_markdown_seen_before_needs_no_markdown_it(tmp_path):
    from test_quiz_support import write_bank

    bank = write_bank(tmp_path / "md", MD_BANK)
    env = {**os.environ, "QUIZKIT_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)

    def loaded() -> tuple[list[str], str]:
        run = subprocess.run([sys.executable, "-c", WARM, "quiz", "--bank", str(bank), "--lang", "en", "--no-shuffle"],
                             input=b"a\n",
                             capture_output=True, env=env, check=True)
        line = next(ln for ln in run.stderr.decode().splitlines() if ln.startswith("LOADED="))
        return [m for m in line.removeprefix("LOADED=").split(",") if m], run.stdout.decode()

    cold, cold_out = loaded()
    warm, warm_out = loaded()
    assert cold == ["markdown_it", "pylatexenc"] and warm == []
    assert warm_out == cold_out and "y = x ** 2" in warm_out


@pytest.mark.parametrize("rich", [False, True])
def test_a_short_formula_is_never_broken_across_lines(monkeypatch, capsys, rich):
    from rich.console import Console

    from quizkit.render.terminal import Terminal

    monkeypatch.setenv("COLUMNS", "30")
    console = Console(width=30, force_terminal=True, color_system=None) if rich else None
    Terminal(console=console, rich=rich).markdown(r"starting from the values $r_0 = 1$, $j_0 = 1$ and $P_0 = 0$:")
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["starting from the values", "r₀ = 1, j₀ = 1 and P₀ = 0:"]
