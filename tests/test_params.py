"""Parametrized questions: the loader, the draw (fresh, reproducible with --seed), the validator's sampling."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.bank.load import load_paths
from quizkit.bank.model import Param
from quizkit.bank.params import instantiate, render, show
from quizkit.cli import cli
from quizkit.quiz.select import make_rng, present

BANK = """\
title: 卷积
tags: [cnn]
questions:
  - id: conv-out
    type: numeric
    group: conv-output-size
    params:
      n: {int: [20, 64]}
      k: {choice: [3, 5, 7]}
      p: {int: [0, 3]}
      s: {choice: [1, 2]}
    where: "n + 2*p >= k"
    prompt: >-
      输入边长 {{n}}，卷积核 {{k}}，padding={{p}}，stride={{s}}，输出边长是多少？
    answer: "floor((n + 2*p - k) / s) + 1"
    tolerance: 0
    explanation: >-
      ⌊({{n}}+2×{{p}}−{{k}})/{{s}}⌋+1 = {{floor((n + 2*p - k) / s) + 1}}。
  - id: conv-out-choice
    type: single
    params:
      n: {int: [20, 64]}
      k: {choice: [3, 5]}
      p: {int: [1, 2]}
    where: ["k > p", "n > 2*k"]
    prompt: 边长 {{n}}，k={{k}}，p={{p}}，stride 1，输出边长？
    options:
      - "{{ n + 2*p - k + 1 }}"
      - "{{ n - k + 1 }}"
      - "{{ n + 2*p - k }}"
      - "{{ n + p - k + 2 + n }}"
    answer: A
    explanation: 'n + 2p − k + 1 = {{ n + 2*p - k + 1 }}；$\\frac{a}{b}$ 不受影响。'
  - id: lr-step
    type: true_false
    params:
      lr: {float: [0.01, 0.5], round: 2}
      g: {choice: [0.5, 2]}
    prompt: 学习率 {{lr}}，梯度 {{g}}，一步更新量 {{ lr*g :.3f }} 大于 0.5。
    answer: "lr*g > 0.5"
    explanation: 更新量 = lr·g = {{ lr*g :.4g }}。
"""


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("QUIZKIT_HOME", str(h))
    return h


def test_loader_reads_params_where_and_group(tmp_path):
    result = load_paths([write(tmp_path, BANK)])
    assert not result.errors, result.diagnostics
    q = {q.id: q for q in result.questions}
    assert q["conv-out"].params == (Param("n", "int", (20, 64)), Param("k", "choice", (3, 5, 7)),
                                    Param("p", "int", (0, 3)), Param("s", "choice", (1, 2)))
    assert q["conv-out"].where == ("n + 2*p >= k",) and q["conv-out"].group == "conv-output-size"
    assert q["conv-out"].answer == "floor((n + 2*p - k) / s) + 1"
    assert q["lr-step"].params[0] == Param("lr", "float", (0.01, 0.5), 2)


def drawn(q, seed):
    (item,) = present([q], seed)
    return item.question, dict(item.question.drawn)


def test_a_draw_is_reproducible_with_a_seed_and_fresh_without(tmp_path):
    q = {q.id: q for q in load_paths([write(tmp_path, BANK)]).questions}["conv-out"]
    a, env = drawn(q, 7)
    b, _ = drawn(q, 7)
    assert a == b and a.id == q.id
    assert a.answer == (env["n"] + 2 * env["p"] - env["k"]) // env["s"] + 1
    assert f"输入边长 {env['n']}，卷积核 {env['k']}，padding={env['p']}，stride={env['s']}" in a.prompt
    assert str(int(a.answer)) in a.explanation and "{{" not in a.explanation
    prompts = {drawn(q, seed)[0].prompt for seed in range(30)}
    fresh = {drawn(q, None)[0].prompt for _ in range(30)}
    assert len(prompts) > 20 and len(fresh) > 20


def test_draws_cover_the_declared_ranges_and_respect_where(tmp_path):
    q = {q.id: q for q in load_paths([write(tmp_path, BANK)]).questions}["conv-out-choice"]
    envs = [dict(instantiate(q, make_rng(seed, "x")).drawn) for seed in range(400)]
    assert {e["k"] for e in envs} == {3, 5} and {e["p"] for e in envs} == {1, 2}
    assert min(e["n"] for e in envs) == 20 and max(e["n"] for e in envs) == 64
    assert all(e["k"] > e["p"] and e["n"] > 2 * e["k"] for e in envs)


def test_options_and_formats_are_filled_and_latex_is_left_alone(tmp_path):
    qs = {q.id: q for q in load_paths([write(tmp_path, BANK)]).questions}
    c, env = drawn(qs["conv-out-choice"], 3)
    assert c.options[0] == str(env["n"] + 2 * env["p"] - env["k"] + 1) and c.answer == "A"
    assert "$\\frac{a}{b}$" in c.explanation
    t, env = drawn(qs["lr-step"], 3)
    assert f"{env['lr'] * env['g']:.3f}" in t.prompt and t.answer is (env["lr"] * env["g"] > 0.5)
    assert re.search(r"学习率 0\.\d{1,2}，", t.prompt)


@pytest.mark.parametrize("value,spec,text", [(3, "", "3"), (3.0, "", "3"), (0.1 + 0.2, "", "0.3"),
                                             (1 / 3, "", "0.333333"), (1 / 3, ".2f", "0.33"), (True, "", "true")])
def test_default_display(value, spec, text):
    assert show(value, spec) == text
    template = "x={{ v :" + spec + " }}" if spec else "x={{v}}"
    assert render(template, {"v": value}, ("v",)) == "x=" + text


def test_quiz_draws_numbers_scores_them_and_keeps_history_by_id(tmp_path, home):
    bank = write(tmp_path, BANK)
    q = {q.id: q for q in load_paths([bank]).questions}["conv-out"]
    out = []
    for seed in (11, 11, 12):
        first = run("quiz", "--bank", str(bank), "--type", "numeric", "--seed", str(seed), "--lang", "en",
                    input="0\n")
        out.append(re.search(r"输入边长 .*？", first.output).group(0))
    assert out[0] == out[1] != out[2]
    right, _ = drawn(q, 13)
    result = run("quiz", "--bank", str(bank), "--type", "numeric", "--seed", "13", "--lang", "en",
                 input=f"{int(right.answer)}\n")
    assert "Right" in result.output
    with sqlite3.connect(home / "quizkit.db") as db:
        rows = db.execute("SELECT question_id, score FROM attempts ORDER BY id").fetchall()
        cards = db.execute("SELECT question_id FROM cards").fetchall()
    assert rows == [("conv-out", 0.0)] * 3 + [("conv-out", 1.0)]
    assert cards == [("conv-out",)]


def test_show_draws_one_instance(tmp_path):
    bank = write(tmp_path, BANK)
    result = run("bank", "show", "conv-out", "--bank", str(bank), "--seed", "4")
    assert "{{" not in result.output and "params n=" in result.output and "group conv-output-size" in result.output


BROKEN = """\
title: t
questions:
  - id: div-zero
    type: numeric
    params:
      n: {int: [0, 4]}
    prompt: 1 除以 {{n}}？
    answer: "1/n"
    explanation: e
  - id: same-options
    type: single
    params:
      n: {int: [1, 9]}
    prompt: "{{n}} 的平方？"
    options: ["{{n*n}}", "{{2*n}}", "{{n+1}}"]
    answer: A
    explanation: e
  - id: never
    type: numeric
    params:
      n: {int: [1, 3]}
    where: "n > 10"
    prompt: "{{n}}?"
    answer: "n"
    explanation: e
  - id: log-domain
    type: numeric
    params:
      x: {float: [-1, 1]}
    prompt: "ln {{x}}?"
    answer: "log(x)"
    explanation: "= {{ log(x) }}"
  - id: bad-format
    type: numeric
    params:
      x: {int: [1, 2]}
    prompt: "{{ x :q }}?"
    answer: "x"
    explanation: e
"""


def test_validator_refuses_undefined_answers_and_coinciding_options(tmp_path):
    path = write(tmp_path, BROKEN)
    result = CliRunner().invoke(cli, ["bank", "validate", "--no-lint", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{path}:3: error: parametrized 'div-zero': answer '1/n' is a division by zero for n=0" in lines
    same = next(line for line in lines if "'same-options'" in line)
    assert same.startswith(f"{path}:10: error:")
    m = re.search(r"options ([ABC]) and ([ABC]) both show '(\d+)' for n=(\d+)", same)
    n, shown = int(m.group(4)), {"A": lambda n: n * n, "B": lambda n: 2 * n, "C": lambda n: n + 1}
    assert shown[m.group(1)](n) == shown[m.group(2)](n) == int(m.group(3))  # a real counterexample
    assert any(line.startswith(f"{path}:18: error:") and "never hold" in line for line in lines)
    log = [line for line in lines if "'log-domain'" in line]
    assert any("answer 'log(x)' is undefined (math domain error) for x=-1" in line for line in log)
    assert any("explanation 'log(x)' is undefined" in line for line in log)
    assert any(line.startswith(f"{path}:37: error:") and "':q' is not a number format" in line for line in lines)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("spec,line,message", [
    ("n: {int: [5, 1]}", 6, "low <= high"),
    ("n: {int: [1.5, 3]}", 6, "integer ends"),
    ("n: {ints: [1, 3]}", 6, "write {int: [lo, hi]}"),
    ("n: {choice: []}", 6, "takes a list of numbers"),
    ("n: {choice: [a, b]}", 6, "takes a list of numbers"),
    ("n: {int: [1, 3], round: 2}", 6, "'round' applies to float ranges only"),
    ("exp: {int: [1, 3]}", 6, "a function of expressions"),
    ("n: 3", 6, "write {int: [lo, hi]}"),
])
def test_bad_param_specs_name_the_line(tmp_path, spec, line, message):
    text = f"title: t\nquestions:\n  - id: q\n    type: numeric\n    params:\n      {spec}\n" \
           "    prompt: p\n    answer: '1'\n    explanation: e\n"
    path = write(tmp_path, text)
    result = CliRunner().invoke(cli, ["bank", "validate", str(path)])
    assert result.exit_code == 1
    assert any(ln.startswith(f"{path}:{line}: error:") and message in ln for ln in result.output.splitlines()), \
        result.output


@pytest.mark.parametrize("field,message", [
    ("    where: 'm > 1'\n", "unknown name 'm'"),
    ("    where: 'n.real > 1'\n", "attribute access"),
    ("    group: Conv_Size\n", "lowercase slug"),
])
def test_bad_where_and_group(tmp_path, field, message):
    text = "title: t\nquestions:\n  - id: q\n    type: numeric\n    params:\n      n: {int: [1, 3]}\n" + field + \
           "    prompt: p\n    answer: n\n    explanation: e\n"
    result = CliRunner().invoke(cli, ["bank", "validate", str(write(tmp_path, text))])
    assert result.exit_code == 1 and message in result.output, result.output


def test_placeholder_without_params_is_an_error(tmp_path):
    text = "title: t\nquestions:\n  - id: q\n    type: single\n    prompt: '{{n}} 是？'\n    options: [a, b]\n" \
           "    answer: A\n    explanation: e\n"
    path = write(tmp_path, text)
    result = CliRunner().invoke(cli, ["bank", "validate", str(path)])
    assert result.exit_code == 1 and f"{path}:5: error: prompt has '{{{{ n }}}}' but the question has no params" \
        in result.output


def test_the_quiz_path_refuses_a_broken_param_bank_before_asking(tmp_path, home):
    text = BROKEN.split("  - id: same-options")[0].replace("answer: \"1/n\"", "answer: \"1/m\"")
    result = CliRunner().invoke(cli, ["quiz", "--bank", str(write(tmp_path, text))])
    assert result.exit_code == 1 and "unknown name 'm'" in result.output and "Traceback" not in result.output


def test_params_survive_the_bank_cache(tmp_path, home):
    from quizkit.bank.cache import load_questions

    bank = write(tmp_path, BANK)
    cold = load_questions([str(bank)])
    warm = load_questions([str(bank)])
    assert cold == warm and warm[0].params[0] == Param("n", "int", (20, 64))
    assert any((home / "cache").iterdir())


def test_a_format_that_fits_ints_only_is_checked_on_the_drawn_values(tmp_path):
    text = "title: t\nquestions:\n  - id: fmt\n    type: numeric\n    params:\n      x: {int: [1, 2]}\n" \
           "      y: {float: [1, 2]}\n    prompt: '{{ x :d }} and {{ y :d }}?'\n    answer: x\n    explanation: e\n"
    path = write(tmp_path, text)
    result = CliRunner().invoke(cli, ["bank", "validate", "--no-lint", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: error: parametrized 'fmt': format ':d' does not apply" in result.output
    fixed = write(tmp_path, text.replace("{{ y :d }}", "{{ y :.1f }}"))
    assert CliRunner().invoke(cli, ["bank", "validate", "--no-lint", str(fixed)]).exit_code == 0


def test_a_rarely_true_where_is_a_warning(tmp_path):
    text = "title: t\nquestions:\n  - id: rare\n    type: numeric\n    params:\n      n: {int: [1, 1000]}\n" \
           "    where: n % 50 == 7\n    prompt: '{{n}}?'\n    answer: n\n    explanation: e\n"
    path = write(tmp_path, text)
    result = CliRunner().invoke(cli, ["bank", "validate", "--no-lint", str(path)])
    assert result.exit_code == 0 and f"{path}:3: warning: parametrized 'rare': 'where' holds for only" in result.output
    assert CliRunner().invoke(cli, ["bank", "validate", "--strict", "--no-lint", str(path)]).exit_code == 1


def test_a_param_may_shadow_the_constant_e(tmp_path):
    text = "title: t\nquestions:\n  - id: hadamard\n    type: numeric\n    params:\n      a: {int: [1, 9]}\n" \
           "      e: {int: [1, 9]}\n    prompt: '{{a}} × {{e}}?'\n    answer: a*e\n    explanation: '= {{a*e}}'\n"
    (q,) = load_paths([write(tmp_path, text)]).questions
    drawn_q, env = drawn(q, 5)
    assert drawn_q.answer == env["a"] * env["e"] and isinstance(env["e"], int)


def test_near_duplicates_in_one_group_are_expected(tmp_path):
    fixed = "  - id: fixed\n    type: numeric\n    group: conv-size\n    prompt: 一张单通道输入特征图的边长为 28，卷积核大小为 3，步长为 1，不加填充，输出特征图的边长是多少？\n" \
            "    answer: 26\n    explanation: e\n"
    var = "  - id: var\n    type: numeric\n    group: conv-size\n    params:\n      n: {int: [20, 30]}\n" \
          "    prompt: 一张单通道输入特征图的边长为 {{n}}，卷积核大小为 3，步长为 1，不加填充，输出特征图的边长是多少？\n    answer: n - 2\n    explanation: e\n"
    same = write(tmp_path, "title: t\nquestions:\n" + fixed + var)
    assert CliRunner().invoke(cli, ["bank", "validate", "--strict", str(same)]).exit_code == 0
    apart = write(tmp_path, "title: t\nquestions:\n" + fixed.replace("conv-size", "other") + var, name="b.yaml")
    result = CliRunner().invoke(cli, ["bank", "validate", "--strict", str(apart)])
    assert result.exit_code == 1 and "near-duplicate prompt" in result.output
