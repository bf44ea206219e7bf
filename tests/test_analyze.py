"""`quizkit stats --export` and `quizkit bank analyze`, on generated class data with known properties."""

from __future__ import annotations

import json
import math
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from quizkit.cli import cli

N_STUDENTS = 400
# id -> (how right answers depend on ability θ): difficulty b and slope a of P(right) = sigmoid(a(θ - b)).
ITEMS = {
    **{f"good-{i}": (1.8, b) for i, b in enumerate((-1.0, -0.5, 0.0, 0.5, 1.0, -0.2, 0.3, 0.7))},
    "easy": (1.8, -3.2),  # facility > 0.9
    "hard": (1.8, 3.2),  # facility < 0.2
    "random": (0.0, 0.0),  # no relation to ability: discrimination about 0
    "reversed": (-1.8, 0.0),  # the able get it wrong: negative discrimination
}
WRONG_PICKS = {"B": 0.6, "C": 0.3, "D": 0.1}  # how wrong students spread over the distractors


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def export_doc(name: str, attempts: list[dict]) -> dict:
    return {"format": "quizkit-attempts", "version": 1, "student": name, "exported_at": "2026-01-01T00:00:00+00:00",
            "attempts": attempts}


def generate_class(tmp_path: Path, seed: int = 7) -> tuple[list[Path], dict[str, list[tuple[float, str]]]]:
    rng = random.Random(seed)
    paths, data = [], {qid: [] for qid in ITEMS}
    for s in range(N_STUDENTS):
        theta = rng.gauss(0, 1)
        attempts = []
        for qid, (a, b) in ITEMS.items():
            right = rng.random() < sigmoid(a * (theta - b))
            letter = "A" if right else rng.choices(list(WRONG_PICKS), weights=list(WRONG_PICKS.values()))[0]
            attempts.append({"question_id": qid, "type": "single", "answer": letter, "score": float(right)})
            data[qid].append((float(right), letter))
        # A second attempt never counts: it has seen the feedback.
        attempts.append({"question_id": "good-0", "type": "single", "answer": "A", "score": 1.0})
        path = tmp_path / f"s{s:03d}.json"
        path.write_text(json.dumps(export_doc(f"学生{s}", attempts), ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths, data


def analyze(paths: list[Path], *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["bank", "analyze", *map(str, paths), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    paths, data = generate_class(tmp)
    return paths, data, analyze(paths)


def test_facility_and_pick_rates_are_the_shares_in_the_data(klass):
    _, data, report = klass
    by_id = {q["id"]: q for q in report["questions"]}
    assert report["students"] == N_STUDENTS and report["answers"] == N_STUDENTS * len(ITEMS)
    for qid, rows in data.items():
        q = by_id[qid]
        assert q["n"] == N_STUDENTS and q["key"] == "A"  # not in a bank: read from full-credit answers
        assert q["facility"] == pytest.approx(sum(r for r, _ in rows) / N_STUDENTS, abs=1e-4)
        for letter in "ABCD":
            assert q["picks"].get(letter, 0.0) == pytest.approx(sum(x == letter for _, x in rows) / N_STUDENTS, abs=1e-4)


def test_discrimination_is_the_correlation_with_the_rest_of_the_test(klass):
    _, data, report = klass
    scores = np.array([[r for r, _ in data[qid]] for qid in ITEMS])  # items x students
    by_id = {q["id"]: q for q in report["questions"]}
    for i, qid in enumerate(ITEMS):
        rest = (scores.sum(axis=0) - scores[i]) / (len(ITEMS) - 1)
        assert by_id[qid]["discrimination"] == pytest.approx(np.corrcoef(scores[i], rest)[0, 1], abs=1e-4)


def test_flags_follow_the_known_properties(klass):
    _, _, report = klass
    by_id = {q["id"]: q for q in report["questions"]}
    assert any(f.startswith("easy") for f in by_id["easy"]["flags"]) and by_id["easy"]["facility"] > 0.9
    assert any(f.startswith("hard") for f in by_id["hard"]["flags"]) and by_id["hard"]["facility"] < 0.2
    assert abs(by_id["random"]["discrimination"]) < 0.15 and any("discrimination" in f for f in by_id["random"]["flags"])
    assert by_id["reversed"]["discrimination"] < -0.2 and by_id["reversed"]["flags"]
    for i in range(8):
        good = by_id[f"good-{i}"]
        assert good["discrimination"] > 0.3 and good["flags"] == [], good
    assert set(report["flagged"]) == {"easy", "hard", "random", "reversed"}


def test_cronbach_alpha_matches_its_definition(klass):
    _, data, report = klass
    x = np.array([[r for r, _ in data[qid]] for qid in ITEMS]).T  # students x items
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0).sum() / x.sum(axis=1).var())
    assert report["cronbach_alpha"] == pytest.approx(expected, abs=1e-4)
    assert report["alpha_questions"] == k


def test_alpha_is_one_for_identical_items_and_near_zero_for_unrelated_ones(tmp_path):
    rng = random.Random(3)
    same, unrelated = [], []
    for s in range(300):
        right = float(rng.random() < 0.6)
        same.append(export_doc(f"s{s}", [{"question_id": f"q{i}", "answer": "", "score": right} for i in range(6)]))
        unrelated.append(export_doc(f"s{s}", [{"question_id": f"q{i}", "answer": "", "score": float(rng.random() < 0.5)}
                                             for i in range(6)]))
    for name, docs in (("same", same), ("unrelated", unrelated)):
        folder = tmp_path / name
        folder.mkdir()
        for i, doc in enumerate(docs):
            (folder / f"{i}.json").write_text(json.dumps(doc), encoding="utf-8")
    assert analyze(sorted((tmp_path / "same").iterdir()))["cronbach_alpha"] == pytest.approx(1.0)
    assert abs(analyze(sorted((tmp_path / "unrelated").iterdir()))["cronbach_alpha"]) < 0.2


def test_text_report_marks_keys_from_the_bank_and_flags(tmp_path, klass):
    paths, _, _ = klass
    bank = tmp_path / "b.yaml"
    bank.write_text("title: t\nquestions:\n  - id: easy\n    type: single\n    prompt: 哪个？\n"
                    "    options: [甲, 乙, 丙, 丁]\n    answer: A\n    explanation: 甲。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["bank", "analyze", *map(str, paths[:60]), "--bank", str(bank)])
    assert result.exit_code == 0, result.output
    easy = next(line for line in result.output.splitlines() if line.startswith("easy "))
    assert "A " in easy and "%*" in easy
    assert "⚑ easy: facility" in result.output and "question(s) flagged" in result.output
    assert result.output.splitlines()[0].startswith("60 student(s) · 12 question(s)")


@pytest.mark.parametrize("content,message", [
    ("{not json", ":1: not JSON"),
    ('{"format": "other"}', "not a quizkit attempts export"),
    ('{"format": "quizkit-attempts", "attempts": [{"answer": "A"}]}', "attempt 1 has no question_id or score"),
])
def test_bad_exports_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["bank", "analyze", str(path)])
    assert result.exit_code == 1 and message in result.output and str(path) in result.output
    assert "Traceback" not in result.output


BANK = """\
title: 导出
tags: [loss]
questions:
  - id: ce-softmax
    type: single
    prompt: CrossEntropyLoss 的输入应当是？
    options: [未归一化的 logits, softmax 之后的概率, one-hot 编码的标签]
    answer: A
    explanation: 它内部已经做了 log_softmax。
  - id: two-pow
    type: numeric
    prompt: 2 的 10 次方是多少？
    answer: 1024
    explanation: 2^10 = 1024。
"""


def test_students_export_with_the_cli_and_the_instructor_analyzes(tmp_path, monkeypatch):
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK, encoding="utf-8")
    exports = []
    for name, choice, number in (("Li", "A", "2^10"), ("", "B", "1000")):
        monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / f"home-{name or 'anon'}"))
        for qtype, answer in (("single", choice), ("numeric", number)):
            quiz = CliRunner().invoke(cli, ["quiz", "--bank", str(bank), "--type", qtype, "--no-shuffle"],
                                      input=answer + "\n")
            assert quiz.exit_code == 0, quiz.output
        path = tmp_path / f"{name or 'anon'}.json"
        args = ["stats", "--export", str(path), "--lang", "zh"] + (["--name", name] if name else [])
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "已导出 2 条作答记录" in result.output, result.output
        exports.append(path)
    doc = json.loads(exports[0].read_text(encoding="utf-8"))
    assert doc["student"] == "Li" and json.loads(exports[1].read_text(encoding="utf-8"))["student"] == ""
    assert sorted(a["question_id"] for a in doc["attempts"]) == ["ce-softmax", "two-pow"]
    assert set(doc["attempts"][0]) == {"question_id", "type", "topic", "answer", "score", "seconds", "answered_at",
                                       "session", "kind"}
    assert str(tmp_path) not in exports[0].read_text(encoding="utf-8")  # no paths, no user names
    with sqlite3.connect(tmp_path / "home-Li" / "quizkit.db") as db:
        assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 2
    report = analyze(exports, "--bank", str(bank))
    by_id = {q["id"]: q for q in report["questions"]}
    assert by_id["ce-softmax"]["facility"] == 0.5 and by_id["ce-softmax"]["key"] == "A"
    assert by_id["ce-softmax"]["picks"] == {"A": 0.5, "B": 0.5, "C": 0.0}
    assert by_id["two-pow"]["facility"] == 0.5 and by_id["two-pow"]["picks"] == {}


def test_export_to_an_unwritable_place_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["stats", "--export", str(tmp_path / "no" / "such" / "dir" / "x.json")])
    assert result.exit_code == 1 and "cannot write the export" in result.output and "Traceback" not in result.output


def test_a_missing_export_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["bank", "analyze", str(tmp_path / "nobody.json")])
    assert result.exit_code == 1 and f"{tmp_path / 'nobody.json'}: no such file or folder" in result.output
