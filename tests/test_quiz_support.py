"""Shared helpers for the quiz, store and render tests: a small bank with one question of each type."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

BANK = r"""
title: 演示
tags: [demo]
questions:
  - id: d-single
    type: single
    prompt: "Which activation is $\\sigma(x)=\\frac{1}{1+e^{-x}}$?"
    options: [sigmoid, tanh, ReLU, 以上都不是]
    answer: A
    explanation: The logistic function.
    difficulty: 1
  - id: d-multi
    type: multiple
    prompt: 哪些是优化器？
    options: [SGD, Adam, ReLU, Dropout]
    answer: [A, B]
    scoring: net_correct
    explanation: ReLU 是激活函数，Dropout 是正则化方法。
    difficulty: 2
  - id: d-tf
    type: true_false
    prompt: ReLU 在 0 处可导。
    answer: false
    explanation: 左右导数不同。
    difficulty: 2
  - id: d-num
    type: numeric
    prompt: 一个 3×3 卷积核、输入 64 通道、输出 128 通道（带偏置）的卷积层有多少参数？
    answer: 73856
    explanation: 3*3*64*128 + 128 = 73856。
    difficulty: 3
  - id: d-sym
    type: symbolic
    prompt: 用 s 表示 sigmoid(x)，写出它的导数。
    answer: s*(1-s)
    variables: [s]
    explanation: σ' = σ(1-σ)。
    difficulty: 3
  - id: d-short
    type: short_answer
    prompt: 为什么需要激活函数？
    answer: 没有非线性激活，多层网络等价于单层线性变换。
    key_points:
      - {points: 1, label: 引入非线性, any: [非线性, nonlinear]}
      - {points: 1, label: 多层退化为线性, any: [线性变换, 单层, linear]}
    explanation: 线性函数的复合仍是线性函数。
    difficulty: 2
"""

BANK2 = r"""
title: 第二个题库
tags: [second]
questions:
  - id: s-one
    type: true_false
    prompt: Adam 结合了动量和自适应学习率。
    answer: true
    explanation: 一阶矩是动量，二阶矩用于自适应步长。
  - id: s-two
    type: single
    prompt: 哪个是正则化方法？
    options: [Dropout, ReLU, Adam]
    answer: A
    explanation: Dropout 随机丢弃神经元。
"""


def write_bank(folder: Path, text: str = BANK, name: str = "demo.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(args: list[str], input: str | None = None, env: dict[str, str] | None = None) -> Result:
    from quizkit.cli import cli

    return CliRunner().invoke(cli, args, input=input, env=env, catch_exceptions=False)


def rows(home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(home / "quizkit.db")
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()
