"""LaTeX to Unicode, line breaking for Chinese, and the interface language."""

from __future__ import annotations

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
