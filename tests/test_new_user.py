"""What a new user met walking the README: each case is a command as the README shows it, on real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli

BANK = """\
title: 测试
tags: [cnn]
questions:
  - id: conv-out
    type: numeric
    params:
      n: {int: [20, 64]}
      k: {choice: [3, 5]}
    prompt: 输入边长 {{n}}，卷积核 {{k}}，输出边长是？
    answer: "n - k + 1"
    tolerance: 0
    explanation: "{{n}} − {{k}} + 1 = {{ n - k + 1 }}。"
  - id: four
    type: single
    prompt: Sigmoid 的值域是？
    options: ['(0, 1)', '[0, 1]', '(-1, 1)', '[-1, 1]']
    answer: A
    explanation: 开区间。
  - id: deriv
    type: symbolic
    prompt: 记 s=σ(x)，写出 σ′(x)。
    answer: s*(1 - s)
    variables: [s]
    explanation: 求导即得。
  - id: l1l2
    type: short_answer
    prompt: 比较 L1 与 L2 正则化。
    answer: L1 使权重稀疏；L2 使权重整体变小。
    key_points:
      - label: L1 得到稀疏解
        points: 1
        all: [[l1], [稀疏, 恰好为0]]
        unless: [l2]
      - label: L2 权重衰减
        points: 1
        any: [权重衰减]
    explanation: 梯度形状不同。
"""


@pytest.fixture
def bank(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    return str(path)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# -- quizkit bank try: "it works for every question type" -----------------------------------------------------
def test_bank_try_marks_a_parametrized_question_on_the_draw_bank_show_shows(bank):
    shown = run("bank", "show", "conv-out", "--bank", bank, "--seed", "3")
    n, k = (int(v) for v in re.search(r"params n=(\d+), k=(\d+)", shown.output).groups())
    r = run("bank", "try", "conv-out", str(n - k + 1), str(n - k), "--bank", bank, "--seed", "3")
    assert r.exit_code == 0 and r.exception is None, r.output
    assert r.output == f"conv-out: n={n}, k={k}\nAnswer 1: 1.00\nAnswer 2: 0.00\n"
    js = run("bank", "try", "conv-out", str(n - k + 1), "--bank", bank, "--seed", "3", "--format", "json")
    data = json.loads(js.output)
    assert data["score"] == 1.0 and data["params"] == {"n": n, "k": k}


def test_bank_try_without_a_seed_still_marks_one_draw(bank):
    r = run("bank", "try", "conv-out", "17", "--bank", bank)
    assert r.exit_code == 0 and r.exception is None, r.output
    assert re.match(r"conv-out: n=\d+, k=\d\nAnswer 1: [01]\.00\n", r.output)


def test_bank_try_refusals_say_what_was_wrong(bank):
    letters = run("bank", "try", "four", "Z", "--bank", bank)
    assert letters.output == "Answer 1: 0.00\n  Type letters between A-D.\n"
    expr = run("bank", "try", "deriv", "y*2", "--bank", bank, "--lang", "zh")
    assert expr.output.startswith("答案 1：0.00\n  无法解析的表达式：")
    assert "'y'" in expr.output  # the reason, not an empty one


# -- quizkit bank show -------------------------------------------------------------------------------------------
def test_bank_show_is_not_a_prompt_and_speaks_the_language_asked(bank):
    en = run("bank", "show", "four", "--bank", bank)
    assert "? help" not in en.output and "type one letter" not in en.output
    assert "Answer: A\n" in en.output
    zh = run("bank", "show", "four", "--bank", bank, "--lang", "zh")
    assert "正确答案：A\n" in zh.output and "Answer:" not in zh.output
    assert "? 帮助" not in zh.output


def test_bank_show_lists_every_phrasing_of_a_rubric(bank):
    out = run("bank", "show", "l1l2", "--bank", bank, "--lang", "en").output
    assert "Rubric:\n" in out
    assert "1 · L1 得到稀疏解  ← (l1) + (稀疏 | 恰好为0)  ⊘ l2\n" in out
    assert "1 · L2 权重衰减  ← 权重衰减\n" in out
    assert "Model answer: L1 使权重稀疏" in out



# -- quizkit bank stats ------------------------------------------------------------------------------------------
def test_bank_stats_names_banks_outside_the_working_folder_in_full(tmp_path, monkeypatch):
    folder = tmp_path / "a-rather-long-folder-name-for-the-course-banks" / "questions"
    folder.mkdir(parents=True)
    for name in ("activation-functions-and-their-derivatives", "gradient-problems"):
        (folder / f"{name}.yaml").write_text(BANK.replace("id: ", f"id: {name[:3]}-"), encoding="utf-8")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("COLUMNS", "80")
    out = run("bank", "stats", str(folder)).output
    assert out.startswith(f"Banks in {folder}:\n")
    assert "activation-functions-and-their-derivatives.yaml" in out
    assert "gradient-problems.yaml" in out and "…" not in out


# -- quizkit exam ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, line", [
    ("en", r"4 questions · 1 right · 0 partly · 0 wrong · 3 unanswered · \d+:\d\d\n"),
    ("zh", r"共 4 题 · 答对 1 · 部分 0 · 答错 0 · 未作答 3 · \d+:\d\d\n"),
])
def test_exam_report_figures_are_joined_like_every_other_summary(bank, lang, line):
    r = CliRunner().invoke(cli, ["exam", "--bank", bank, "--lang", lang, "--no-shuffle", "--seed", "1",
                                 "--layout", "single=1,symbolic=1,numeric=1,short_answer=1"], input="a\n")
    assert r.exit_code == 0, r.output
    assert re.search(line, r.output), r.output[-800:]


# -- the README's own session ------------------------------------------------------------------------------------
README = Path(__file__).resolve().parent.parent / "README.md"
PROMPT = re.compile(r"^(?:答案|评分 \[[^\]]*\])> ?(.*)$")


def test_the_readme_session_is_what_the_command_prints(tmp_path, monkeypatch):
    """The "A real session" block under Studying, replayed: its command, its typed answers, its output."""
    text = README.read_text(encoding="utf-8")
    m = re.search(r"A real session \(`quizkit ([^`]+)`.*?```text\n(.*?)```\n", text, re.S)
    assert m, "README: the 'A real session' block is missing"
    args, shown = m.group(1).split(), m.group(2)
    typed = [p.group(1) for p in map(PROMPT.match, shown.splitlines()) if p]
    home = tmp_path / "home"
    monkeypatch.setenv("QUIZKIT_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "112")
    monkeypatch.delenv("QUIZKIT_NOW", raising=False)
    r = CliRunner().invoke(cli, args, input="\n".join(typed) + "\n")
    assert r.exit_code == 0, r.output
    got = r.output.lstrip("\n").replace(str(home), "~/.local/share/quizkit")
    clock = re.compile(r"用时 \d+:\d\d")
    assert clock.sub("用时 -", got) == clock.sub("用时 -", shown)


# -- --difficulty ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["3-1", "5", "0", "1-4", "2,7"])
def test_a_difficulty_no_question_can_have_is_refused_not_ignored(bank, spec):
    r = run("quiz", "--bank", bank, "--difficulty", spec, "--lang", "en")
    assert r.exit_code == 2, r.output
    assert f"Error: --difficulty '{spec}': use a level like 2" in r.output and "levels are 1, 2, 3" in r.output
    assert "[1/" not in r.output  # no session started on a filter it dropped


def test_difficulty_ranges_and_lists_still_select(bank):
    r = run("quiz", "--bank", bank, "--difficulty", "1-2", "--type", "single", "--lang", "en")
    assert r.exit_code == 0 and "[1/1] single choice" in r.output


# -- quizkit exam --layout / --minutes / --pass -------------------------------------------------------------------
@pytest.mark.parametrize("layout, says", [
    ("single=2:inf", "'single=2:inf': a count of 0 or more, points above 0"),
    ("single=2:nan", "'single=2:nan': a count of 0 or more, points above 0"),
    ("single=2:0", "'single=2:0': a count of 0 or more, points above 0"),
    ("single=0", "(every section here has 0 questions)"),
    ("single=1e3", "('single=1e3' is not one)"),
    ("bogus=2", "unknown question type 'bogus'; choose from single, multiple"),
])
def test_a_layout_that_cannot_make_a_paper_is_refused_naming_the_part(bank, layout, says):
    r = run("exam", "--bank", bank, "--layout", layout, "--lang", "en")
    assert r.exit_code == 2, r.output
    assert r.output.startswith(f"Error: --layout '{layout}': ") and says in r.output
    assert "Mock exam" not in r.output


@pytest.mark.parametrize("option", ["--minutes", "--pass"])
@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_time_limit_or_pass_mark_must_be_a_number(bank, option, value):
    r = run("exam", "--bank", bank, "--layout", "single=1", option, value, "--lang", "en")
    assert r.exit_code == 2 and f"Invalid value for '{option}': {value} is not" in r.output  # finite, or in range
    assert "Mock exam" not in r.output


def test_a_good_layout_still_makes_its_paper(bank):
    r = CliRunner().invoke(cli, ["exam", "--bank", bank, "--layout", "single=1:4,numeric=1", "--pass", "50",
                                 "--minutes", "5", "--lang", "en"], input="a\n")
    assert r.exit_code == 0 and "2 questions, 7 points, pass mark 50%. Time limit 5 min." in r.output


# -- quizkit ... | head ------------------------------------------------------------------------------------------
def test_a_reader_that_goes_away_is_not_an_error(bank, tmp_path):
    """`quizkit mistakes | head -1`: the pipe closes before quizkit is done; no 'Error: broken pipe' on stderr."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "quizkit", "bank", "show", "l1l2", "--bank", bank],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before it starts writing: every write it makes meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err == "", err


def test_the_readme_example_bank_passes_strict_validation(tmp_path):
    """"A full example of each type" under Writing questions, saved as the README shows it."""
    text = README.read_text(encoding="utf-8")
    start = text.index("A full example of each type:")
    example = re.search(r"```yaml\n(.*?)```", text[start:], re.S)
    assert example, "README: the example bank is missing"
    path = tmp_path / "example.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    r = run("bank", "validate", "--strict", str(path))
    assert r.exit_code == 0, r.output
    assert "1 bank(s), 6 question(s): 0 error(s), 0 warning(s)" in r.output


def test_the_readme_parametrized_example_prints_what_the_readme_shows(tmp_path, monkeypatch):
    """Under Parametrized questions: the two questions as conv.yaml, validated, fixed as the README says, shown."""
    text = README.read_text(encoding="utf-8")
    start = text.index("### Parametrized questions")
    items = re.search(r"```yaml\n(.*?)```", text[start:], re.S)
    console = re.search(r"```console\n(.*?)```", text[start:], re.S)
    assert items and console
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    Path("conv.yaml").write_text("title: 卷积\ntags: [cnn]\nquestions:\n" + items.group(1), encoding="utf-8")
    said = console.group(1).split("$ ")[1:]  # each command with what it printed
    first = run("bank", "validate", "--strict", "conv.yaml")
    assert first.exit_code == 1
    assert said[0].splitlines()[1] in first.output.splitlines()
    fix = re.search(r'after changing option D to "(.*)":', said[1]).group(1)
    conv = Path("conv.yaml").read_text(encoding="utf-8")
    Path("conv.yaml").write_text(conv.replace('"{{ n + p - k + 1 }}"', f'"{fix}"'), encoding="utf-8")
    assert run("bank", "validate", "--strict", "conv.yaml").exit_code == 0
    shown = run("bank", "show", "cnn-conv-out-size-var", "--bank", "conv.yaml", "--seed", "3", "--lang", "en")
    assert shown.output.lstrip("\n") == said[2].split("\n", 1)[1]


def test_the_readme_bank_try_example_prints_what_the_readme_shows(monkeypatch):
    """Under Short answers: `quizkit bank try reg-l1-l2-short ...` on the shipped banks; `…` marks lines left out."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ quizkit bank try (.*?)```", text, re.S)
    assert block
    command, _, shown = block.group(1).replace("\\\n", " ").partition("\n")
    args = re.findall(r'"([^"]*)"|(\S+)', command)
    argv = ["bank", "try", *[quoted or bare for quoted, bare in args]]
    monkeypatch.setenv("COLUMNS", "200")
    out = run(*argv).output.splitlines()
    at = 0
    for line in shown.splitlines():
        if line.strip() == "…":
            continue
        assert line in out[at:], line
        at = out.index(line, at) + 1
    assert at >= 10  # the three answers and their points were all there


# -- bank validate: Python tags -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["!!python/name:os.system", "!!python/object/apply:os.system [ls]"])
def test_a_python_tag_is_named_once_with_its_line(tmp_path, value):
    path = tmp_path / "tags.yaml"
    path.write_text("title: t\nquestions:\n  - id: a\n    type: single\n    prompt: p\n    options: [x, y]\n"
                    f"    answer: {value}\n    explanation: e\n", encoding="utf-8")
    r = run("bank", "validate", str(path))
    assert r.exit_code == 1
    errors = [line for line in r.output.splitlines() if ": error: " in line]
    assert errors == [f"{path}:7: error: cannot build value: Python tags (!!python/...) are not allowed; a bank "
                      "holds plain values (text, numbers, lists, mappings)"]
