"""The item-writing lint of `quizkit bank validate`: warnings, errors with --strict, file:line and a hint."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.bank.lint import plain, tail_probability, width
from quizkit.cli import cli


def single(qid: str, prompt: str, options: list[str], answer: str = "A") -> str:
    opts = "\n".join(f"      - {json.dumps(o, ensure_ascii=False)}" for o in options)
    return (f"  - id: {qid}\n    type: single\n    prompt: {json.dumps(prompt, ensure_ascii=False)}\n"
            f"    options:\n{opts}\n    answer: {answer}\n    explanation: 解析。\n")


def multiple(qid: str, options: list[str], answer: list[str]) -> str:
    return single(qid, f"{qid} 中哪些正确？", options).replace("type: single", "type: multiple").replace(
        "answer: A", f"answer: [{', '.join(answer)}]")


def write(tmp_path: Path, *questions: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text("title: t\ntags: [lint]\nquestions:\n" + "".join(questions), encoding="utf-8")
    return path


def validate(path: Path, *flags: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["bank", "validate", *flags, str(path)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout.splitlines()


def findings(path: Path, kind: str) -> list[str]:
    return [line for line in validate(path)[1] if f"[{kind}]" in line]


# Options of equal display width: the neutral background of the tests below.
EVEN = ["学习率大导致震荡", "批量太小导致噪声", "初始化方差不合适", "正则化系数过大了"]


def test_display_width_counts_cjk_as_two_and_strips_markup():
    assert width("强化学习") == 8 and width("ReLU") == 4
    assert width("$\\sigma(x)$") == 4 and plain("$\\sigma(x)$") == "x(x)"
    assert width("**粗体** `code`") == 9
    assert width("ＡＢ") == 4


def test_key_over_one_and_a_half_times_the_longest_distractor(tmp_path):
    path = write(tmp_path, single("long-key", "梯度为什么会消失？",
                                  ["反复乘以小于 1 的激活函数导数和权重，梯度随层数指数衰减", "学习率太大", "数据太少", "批量太小"]))
    (line,) = findings(path, "key-length")
    assert line.startswith(f"{path}:4: warning: [key-length] 'long-key': the key (A) is 5.5× the longest "
                           "distractor (55 vs 10 columns); hint: ")
    code, lines = validate(path, "--strict")
    assert code == 1 and any(ln.startswith(f"{path}:4: error: [key-length]") for ln in lines)
    code, _ = validate(path)
    assert code == 0  # a warning without --strict


def test_key_length_is_measured_in_columns_so_chinese_and_english_compare_fairly(tmp_path):
    # 16 ASCII columns against 8 CJK characters (16 columns): no cue, although it is twice the characters.
    fair = write(tmp_path, single("fair", "哪一项？", ["vanishing grads.", "梯度爆炸权重过大", "学习率太大", "数据太少"]))
    assert findings(fair, "key-length") == []
    # 8 CJK characters against 7 ASCII letters: twice the columns, though barely more characters.
    cue = write(tmp_path, single("cue", "哪一项？", ["梯度爆炸权重过大", "overfit", "a lot", "none"]), name="b.yaml")
    assert len(findings(cue, "key-length")) == 1


def test_short_numeric_options_are_no_cue(tmp_path):
    path = write(tmp_path, single("numbers", "3×4=？", ["12", "7", "1", "9"]))
    assert findings(path, "key-length") == []


def test_a_bank_whose_keys_are_the_longest_more_often_than_chance(tmp_path):
    longer = [single(f"q{i}", f"第 {i} 题？", ["学习率过大导致了震荡", *EVEN[1:]]) for i in range(8)]
    fair = [single(f"f{i}", f"第 {i} 题？", EVEN) for i in range(4)]
    path = write(tmp_path, *longer, *fair)
    (line,) = findings(path, "key-longest")
    p = sum(math.comb(12, k) * 0.25 ** k * 0.75 ** (12 - k) for k in range(8, 13))
    assert f"the key is the longest option in 8 of 12 single-choice questions (67%; chance 25%, binomial " \
           f"p={p:.2g})" in line
    assert line.startswith(f"{path}:4: warning:") and "q0, q1" in line
    assert tail_probability([0.25] * 12, 8) == pytest.approx(p)
    few = write(tmp_path, *longer[:3], *fair, *[single(f"g{i}", "题？", EVEN) for i in range(5)], name="few.yaml")
    assert findings(few, "key-longest") == []  # 3 of 12: within chance


def test_keyed_set_that_is_exactly_the_k_longest(tmp_path):
    options = ["梯度裁剪能防止爆炸", "加大学习率", "残差连接缓解了消失", "去掉激活"]
    path = write(tmp_path, multiple("k-long", options, ["A", "C"]))
    (line,) = findings(path, "k-longest")
    assert f"{path}:4: warning: [k-longest] 'k-long': the 2 keyed options (A, C) are exactly the 2 longest" in line
    options[1] = "把学习率加大十倍可以防止消失"
    assert findings(write(tmp_path, multiple("k-long", options, ["A", "C"]), name="b.yaml"), "k-longest") == []


@pytest.mark.parametrize("options,words", [
    (["梯度会变小", "ReLU 彻底解决了梯度消失", "BN 总是有效", "学习率不影响"], "'彻底' (B)、'总是' (C)"),
    (["It helps", "It always converges", "It never fails", "It is slow"], "'always' (B)、'never' (C)"),
])
def test_absolute_words_only_in_distractors(tmp_path, options, words):
    path = write(tmp_path, single("absolute", "哪一项正确？", options))
    (line,) = findings(path, "absolute-word")
    assert f"absolute words appear only in distractors: {words}" in line


@pytest.mark.parametrize("options", [
    ["在正区间梯度一定为 1", "ReLU 一定会死亡", "输出有界", "处处可导"],  # the key is absolute too
    ["不一定收敛到全局最优", "一定程度上缓解过拟合", "不完全由学习率决定", "收敛较慢"],  # hedges are not absolutes
])
def test_absolute_words_shared_with_a_key_or_hedged_are_fine(tmp_path, options):
    assert findings(write(tmp_path, single("ok", "哪一项正确？", options)), "absolute-word") == []


@pytest.mark.parametrize("option", ["以上都对", "以上说法均不正确", "以上皆是", "All of the above", "none of the above"])
def test_all_or_none_of_the_above(tmp_path, option):
    path = write(tmp_path, single("above", "哪一项？", ["学习率过大", "批量太小", "初始化不当", option]))
    (line,) = findings(path, "all-of-the-above")
    assert f"option D says '{option}'" in line and "hint: " in line


def test_a_prompt_that_gives_the_key_away(tmp_path):
    prompt = "外部环境只给出评价信息（奖励），学习系统通过强化受奖励的动作来改善自身性能。这属于哪种学习范式？"
    path = write(tmp_path, single("rl", prompt, ["有监督学习", "无监督学习", "半监督学习", "强化学习"], "D"))
    (line,) = findings(path, "prompt-has-key")
    assert "the prompt contains '强化', which only the key (D) has" in line
    neutral = prompt.replace("强化受奖励的动作", "试错")
    fixed = write(tmp_path, single("rl", neutral, ["有监督学习", "无监督学习", "半监督学习", "强化学习"], "D"),
                  name="b.yaml")
    assert findings(fixed, "prompt-has-key") == []


def test_a_prompt_sharing_words_with_every_option_is_fine(tmp_path):
    path = write(tmp_path, single("relu", "关于 ReLU 的梯度，下列说法正确的是？",
                                  ["ReLU 正区间梯度为 1", "ReLU 梯度处处为 0", "ReLU 梯度无界", "ReLU 梯度为负"]))
    assert findings(path, "prompt-has-key") == []


def test_parametrized_options_are_linted_on_a_draw(tmp_path):
    text = ("  - id: param\n    type: single\n    params:\n      n: {int: [2, 9]}\n    prompt: '{{n}} 的平方？'\n"
            "    options: ['{{n*n}} 这是一个很长很长很长很长的答案', '{{n+100}}', '{{n+200}}']\n"
            "    answer: A\n    explanation: e\n")
    (line,) = findings(write(tmp_path, text), "key-length")
    assert "{{" not in line and re.search(r"\(\d+ vs 3 columns\)", line)


def test_no_lint_and_the_summary_figures(tmp_path):
    path = write(tmp_path, single("above", "哪一项？", ["学习率过大", "批量太小", "以上都对"]))
    assert validate(path, "--strict", "--no-lint")[0] == 0
    result = CliRunner().invoke(cli, ["bank", "validate", str(path)])
    assert "lint: key is the longest option in 1/1 (100%) single-choice" in result.stderr


@pytest.mark.parametrize("options", [
    ["各路径梯度相加", "只取梯度绝对值最大的路径", "各路径梯度相乘", "取梯度的平均值"],  # 绝对值 is a math term
    ["返回值正确可用", "forward 返回 None 之后出错", "训练会很慢的", "显存不够用的"],  # Python's None
    ["返回值正确可用", "返回 `all(x)` 的结果", "训练会很慢的", "显存不够用的"],  # code is not prose
])
def test_terms_that_only_look_absolute(tmp_path, options):
    assert findings(write(tmp_path, single("terms", "哪一项？", options)), "absolute-word") == []
