"""Writes a synthetic bank of N questions cycling through every type, for load benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = [
    """  - id: gen-{i}
    type: single
    prompt: 第 {i} 题：Sigmoid 函数 $\\sigma(x)$ 在 x = {i} 附近的输出范围是？
    options: ['(0, 1)', '(-1, 1)', '[0, +∞)', '(-∞, +∞)']
    answer: A
    explanation: σ(x) 严格位于 0 和 1 之间，编号 {i}。
    tags: [sigmoid]
    difficulty: 1
    source: gen.txt
""",
    """  - id: gen-{i}
    type: multiple
    prompt: 第 {i} 题：关于 ReLU，下列说法正确的有？
    options: [正区间梯度为 1, 输出以 0 为中心, 可能死亡, 计算简单]
    answer: [A, C, D]
    explanation: ReLU 输出非负，编号 {i}。
""",
    """  - id: gen-{i}
    type: true_false
    prompt: 第 {i} 题：ReLU 彻底解决了梯度消失。
    answer: false
    explanation: 只是缓解，编号 {i}。
""",
    """  - id: gen-{i}
    type: numeric
    prompt: 第 {i} 题：σ'(x) 的最大值？
    answer: 0.25
    tolerance: 0.001
    explanation: x = 0 处取得，编号 {i}。
""",
    """  - id: gen-{i}
    type: symbolic
    prompt: 第 {i} 题：用 s 表示 σ'(x)。
    answer: s*(1 - s)
    variables: [s]
    explanation: 链式法则，编号 {i}。
""",
    """  - id: gen-{i}
    type: short_answer
    prompt: 第 {i} 题：简述 LSTM 如何缓解梯度消失。
    answer: 细胞状态加法更新，遗忘门接近 1 时梯度几乎无衰减地回传。
    key_points:
      - {{points: 2, any: [加法, 细胞状态]}}
      - {{points: 1, any: [遗忘门, forget gate]}}
    explanation: 门控提供近似恒等的通路，编号 {i}。
""",
]


def write_bank(path: Path, n: int) -> Path:
    parts = ["title: 生成的题库\ntags: [generated]\nquestions:\n"]
    parts += [KINDS[i % len(KINDS)].format(i=i) for i in range(n)]
    path.write_text("".join(parts), encoding="utf-8")
    return path


if __name__ == "__main__":
    write_bank(Path(sys.argv[1]), int(sys.argv[2]))
