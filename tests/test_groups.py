"""`group:`: a quiz, an exam or a review session asks at most one question of each group."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.bank.load import load_paths, load_questions
from quizkit.cli import cli
from quizkit.quiz import exam

# Three facts, each tested by several questions of different types; plus ungrouped questions.
FACTS = {"softmax-before-ce": 4, "lstm-param-count": 3, "zero-init-symmetry": 3}


def bank_text() -> str:
    out = ["title: 分组\ntags: [loss]\nquestions:"]
    kinds = ["single", "true_false", "single", "true_false"]
    for group, n in FACTS.items():
        for i in range(n):
            out.append(_question(f"{group}-{i}", kinds[i % len(kinds)], group))
    for i in range(6):
        out.append(_question(f"free-{i}", kinds[i % 2], ""))
    return "\n".join(out) + "\n"


def _question(qid: str, qtype: str, group: str) -> str:
    g = f"\n    group: {group}" if group else ""
    if qtype == "single":
        return (f"  - id: {qid}\n    type: single{g}\n    prompt: 题目 {qid} 选哪个？\n"
                "    options: [甲方案, 乙方案, 丙方案]\n    answer: A\n    explanation: 甲。")
    return f"  - id: {qid}\n    type: true_false{g}\n    prompt: 判断 {qid} 是否成立。\n    answer: true\n    explanation: 对。"


@pytest.fixture
def bank(tmp_path) -> Path:
    path = tmp_path / "groups.yaml"
    path.write_text(bank_text(), encoding="utf-8")
    return path


def groups_of(ids, by_id) -> Counter[str]:
    return Counter(by_id[i].group for i in ids if by_id[i].group)


def test_200_seeded_exams_never_ask_one_group_twice(bank):
    questions = load_questions([bank])
    by_id = {q.id: q for q in questions}
    layout = exam.parse_layout("single=8,true_false=8")
    for seed in range(200):
        paper = exam.build(questions, layout, seed)
        ids = [item.question.id for item in paper.items]
        assert len(ids) == len(set(ids))
        assert max(groups_of(ids, by_id).values()) == 1, (seed, ids)
        assert set(groups_of(ids, by_id)) == set(FACTS)  # one of each group, not none
        assert {i for i in ids if i.startswith("free-")} == {f"free-{i}" for i in range(6)}


def test_control_without_groups_the_same_draws_repeat_facts(bank):
    """The bank is built so that ignoring groups does give repeated facts: the test above can fail."""
    questions = load_questions([bank])
    by_id = {q.id: q for q in questions}
    repeated = 0
    for seed in range(200):
        pool = list(questions)
        random.Random(seed).shuffle(pool)
        ids = [q.id for q in pool[:12]]
        repeated += max(groups_of(ids, by_id).values()) > 1
    assert repeated > 150


def test_groups_span_files(tmp_path, bank):
    other = tmp_path / "other.yaml"
    other.write_text("title: 另一个\nquestions:\n" + _question("elsewhere", "single", "lstm-param-count") + "\n",
                     encoding="utf-8")
    questions = load_paths([bank, other]).questions
    by_id = {q.id: q for q in questions}
    for seed in range(50):
        paper = exam.build(questions, exam.parse_layout("single=20,true_false=20"), seed)
        ids = [item.question.id for item in paper.items]
        assert groups_of(ids, by_id)["lstm-param-count"] == 1


def shown_ids(output: str) -> list[str]:
    return re.findall(r"^\[\d+/\d+\] .* · ([a-z0-9-]+)$", output, re.MULTILINE)


def test_quiz_and_exam_commands_ask_one_question_per_group(tmp_path, bank, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    by_id = {q.id: q for q in load_questions([bank])}
    for seed in range(5):
        for args in (["quiz", "-n", "20"], ["exam", "--layout", "single=10,true_false=10"]):
            result = CliRunner().invoke(cli, [*args, "--bank", str(bank), "--seed", str(seed), "--lang", "en"],
                                        input="A\nT\n" * 20)
            ids = shown_ids(result.output)
            assert len(ids) == len(FACTS) + 6, result.output
            assert max(groups_of(ids, by_id).values()) == 1


def test_review_asks_the_most_overdue_of_each_group(tmp_path, bank, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    by_id = {q.id: q for q in load_questions([bank])}
    runner = CliRunner()
    for seed in range(40):  # learn every question (each session meets one per group)
        monkeypatch.setenv("QUIZKIT_NOW", f"2026-01-01T{seed % 24:02d}:{seed % 60:02d}")
        runner.invoke(cli, ["quiz", "-n", "20", "--bank", str(bank), "--seed", str(seed)], input="B\nF\n" * 20)
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-01T09:00")
    result = runner.invoke(cli, ["review", "--bank", str(bank), "--lang", "en"], input="A\nT\n" * 30)
    ids = shown_ids(result.output)
    assert len(ids) == len(FACTS) + 6, result.output
    assert max(groups_of(ids, by_id).values()) == 1


def test_200_seeded_exams_of_the_shipped_banks_keep_groups_apart():
    questions = load_questions(None)
    by_id = {q.id: q for q in questions}
    for seed in range(200):
        paper = exam.build(questions, exam.parse_layout(None), seed)
        counts = groups_of([item.question.id for item in paper.items], by_id)
        assert not counts or max(counts.values()) == 1, (seed, counts.most_common(2))
