"""The one safe evaluator (quizkit.safeexpr) and the numeric answers that go through it."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.quiz.scoring import AnswerError, parse_number
from quizkit.safeexpr import ExprError, evaluate, parse


@pytest.mark.parametrize("source,env,value", [
    ("floor((n + 2*p - k) / s) + 1", {"n": 28, "p": 1, "k": 3, "s": 2}, 14),
    ("(n + 2*p - k) // s + 1", {"n": 28, "p": 1, "k": 3, "s": 2}, 14),
    ("sigmoid(x) * (1 - sigmoid(x))", {"x": 0}, 0.25),
    ("max(a, b) if a > 0 and not b < 0 else -1", {"a": 2, "b": 5}, 5),
    ("log(e) + log2(8) + log10(100) + sqrt(16) + exp(0)", {}, 1 + 3 + 2 + 4 + 1),
    ("round(2.345, 2) + abs(-1) + ceil(0.1) + min(3, 4) + n % 3", {"n": 7}, 2.35 + 1 + 1 + 3 + 1),
    ("1 < x <= 3", {"x": 3}, True),
    ("tanh(0) + sin(0) + cos(0) + tan(0) + pi - pi", {}, 1.0),
])
def test_expressions_evaluate_like_math(source, env, value):
    assert evaluate(parse(source, env), env) == pytest.approx(value)


@pytest.mark.parametrize("source,kind", [
    ("__import__('os').system('true')", "construct"),
    ("(1).__class__", "construct"),
    ("[x for x in (1, 2)]", "construct"),
    ("lambda: 1", "construct"),
    ("open('x')", "construct"),
    ("'text'", "construct"),
    ("a[0]", "construct"),
    ("2 ^ 3", "construct"),
    ("x = 1", "syntax"),
    ("1 +", "syntax"),
    ("y + 1", "name"),
])
def test_everything_outside_the_whitelist_is_refused(source, kind):
    with pytest.raises(ExprError) as err:
        parse(source, ["x"])
    assert err.value.kind == kind


def test_positive_control_eval_would_run_what_the_whitelist_refuses():
    """The same inputs are live code for eval: the whitelist, not their harmlessness, is what stops them."""
    assert eval("(1).__class__") is int  # noqa: S307 - the control
    assert eval("[x for x in (1, 2)]") == [1, 2]  # noqa: S307
    with pytest.raises(ExprError):
        parse("(1).__class__")


@pytest.mark.parametrize("source,kind", [
    ("1/0", "zero_division"), ("5 // (n - n)", "zero_division"), ("n % 0", "zero_division"),
    ("9**9**9**9", "too_large"), ("exp(1000)", "too_large"), ("10.0**400", "too_large"), ("2**2000", "too_large"),
    ("sqrt(-1)", "undefined"), ("log(0)", "undefined"), ("(-8) ** 0.5", "undefined"),
])
def test_undefined_and_infinite_values_say_which(source, kind):
    with pytest.raises(ExprError) as err:
        evaluate(parse(source, ["n"]), {"n": 3})
    assert err.value.kind == kind


def test_caret_is_a_power_only_when_asked():
    assert evaluate(parse("2^10", caret_power=True)) == 1024
    with pytest.raises(ExprError, match=r"\*\*"):
        parse("2^10")


@pytest.mark.parametrize("text,value", [
    ("2^10", 1024.0), ("(200*0.02)**10", 4.0 ** 10), ("2 ^ -1", 0.5), ("3×4", 12.0), ("1e-3", 0.001),
    ("132,863,336", 132863336.0), ("1/4", 0.25), ("-3/2", -1.5), ("（1+1）*3", 6.0),
])
def test_numeric_answers_accept_arithmetic(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text,key", [
    ("1/0", "number_zero_division"), ("2/(3-3)", "number_zero_division"),
    ("10^400", "number_too_large"), ("1e999", "number_too_large"), ("9^9^9^9", "number_too_large"),
    ("abc", "bad_number"), ("2 ** x", "bad_number"), ("__import__('os')", "bad_number"), ("1,2", "bad_number"),
])
def test_a_refused_number_says_which_problem(text, key):
    with pytest.raises(AnswerError) as err:
        parse_number(text)
    assert err.value.key == key


@pytest.mark.parametrize("lang,typed,expected", [
    ("en", "1/0", "That divides by zero"), ("zh", "1/0", "除以了零"),
    ("en", "10^400", "too large"), ("zh", "10^400", "太大"), ("en", "abc", "Not a number"),
])
def test_the_quiz_says_why_a_number_was_refused(tmp_path, monkeypatch, lang, typed, expected):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    bank = tmp_path / "b.yaml"
    bank.write_text("title: t\nquestions:\n  - id: n1\n    type: numeric\n    prompt: 2 的 10 次方？\n"
                    "    answer: 1024\n    explanation: 2^10。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["quiz", "--bank", str(bank), "--lang", lang], input=f"{typed}\n2^10\n")
    assert result.exit_code == 0, result.output
    assert expected in result.output
    assert ("正确" if lang == "zh" else "Right") in result.output
    assert not math.isnan(parse_number("2^10"))


def test_caret_keeps_the_precedence_of_a_power():
    assert parse_number("2^10*3") == 3072.0
    assert parse_number("-2^2") == -4.0
