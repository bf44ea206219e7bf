"""`quizkit bank ...` run as an instructor runs it: real files, CliRunner, exact lines and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from quizkit.bank.load import load_paths
from quizkit.bank.schema import SCHEMA_FILE
from quizkit.cli import cli
from quizkit.paths import questions_dir

HEADER = "title: 测试\ntags: [activation]\nquestions:\n"
GOOD_SINGLE = """\
  - id: q1
    type: single
    prompt: Sigmoid 的输出范围是？
    options: ['(0, 1)', '(-1, 1)']
    answer: A
    explanation: 因为 σ 在 0 和 1 之间。
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(tmp_path: Path, text: str | bytes, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# (name, bank text, line expected in the message, fragment of the message)
ERRORS = [
    ("yaml-syntax", HEADER + "  - id: q1\n    type: single\n    prompt: [unclosed\n", 7,
     "started at line 6"),
    ("empty", "", 1, "empty bank"),
    ("only-comments", "# nothing here\n\n", 1, "empty bank"),
    ("root-list", "- a\n- b\n", 1, "top level must be a mapping"),
    ("root-scalar", "just text\n", 1, "top level must be a mapping"),
    ("questions-not-list", "title: x\nquestions: {a: 1}\n", 2, "'questions' must be a list"),
    ("missing-title", "questions:\n" + GOOD_SINGLE, 1, "missing required field 'title'"),
    ("missing-questions", "title: x\n", 1, "missing required field 'questions'"),
    ("unknown-bank-field", "title: x\ntitel: y\nquestions: []\n", 2, "unknown bank field 'titel'"),
    ("unknown-type", HEADER + "  - id: q1\n    type: essay\n    prompt: p\n    answer: x\n", 5, "unknown type 'essay'"),
    ("unknown-field", HEADER + GOOD_SINGLE + "    hint: 想想\n", 10, "unknown field 'hint'"),
    ("field-wrong-type", HEADER + "  - id: q1\n    type: true_false\n    prompt: p\n    answer: true\n"
                         "    options: [a, b]\n", 8, "does not apply to type 'true_false'"),
    ("missing-id", HEADER + "  - type: true_false\n    prompt: p\n    answer: true\n", 4, "missing required field 'id'"),
    ("missing-prompt", HEADER + "  - id: q1\n    type: true_false\n    answer: true\n", 4, "missing required field 'prompt'"),
    ("missing-answer", HEADER + "  - id: q1\n    type: true_false\n    prompt: p\n", 4, "missing required field 'answer'"),
    ("missing-options", HEADER + "  - id: q1\n    type: single\n    prompt: p\n    answer: A\n", 7, "'options'"),
    ("bad-id", HEADER + GOOD_SINGLE.replace("id: q1", "id: Q 1"), 4, "may only use"),
    ("dup-id-in-bank", HEADER + GOOD_SINGLE + GOOD_SINGLE.replace("Sigmoid", "tanh"), 10, "duplicate id 'q1'"),
    ("letter-not-option", HEADER + GOOD_SINGLE.replace("answer: A", "answer: C"), 8, "'C' is not an option"),
    ("single-two-answers", HEADER + GOOD_SINGLE.replace("answer: A", "answer: [A, B]"), 8, "exactly one answer"),
    ("multiple-empty", HEADER + GOOD_SINGLE.replace("single", "multiple").replace("answer: A", "answer: []"),
     8, "at least one letter"),
    ("multiple-bad-scoring", HEADER + GOOD_SINGLE.replace("single", "multiple") + "    scoring: partial\n",
     10, "unknown scoring 'partial'"),
    ("tf-not-bool", HEADER + "  - id: q1\n    type: true_false\n    prompt: p\n    answer: maybe\n", 7,
     "must be true or false"),
    ("numeric-not-number", HEADER + "  - id: q1\n    type: numeric\n    prompt: p\n    answer: twelve\n", 7,
     "'answer' must be a number"),
    ("numeric-negative-tolerance", HEADER + "  - id: q1\n    type: numeric\n    prompt: p\n    answer: 1\n"
                                   "    tolerance: -0.1\n", 8, "must not be negative"),
    ("symbolic-unparsable", HEADER + "  - id: q1\n    type: symbolic\n    prompt: p\n    answer: s*(1-\n"
                            "    variables: [s]\n", 4, "does not parse"),
    ("symbolic-unsafe", HEADER + "  - id: q1\n    type: symbolic\n    prompt: p\n"
                        "    answer: __import__('os').system('true')\n    variables: [s]\n", 4, "not allowed"),
    ("symbolic-unknown-name", HEADER + "  - id: q1\n    type: symbolic\n    prompt: p\n    answer: x*(1-x)\n"
                              "    variables: [s]\n", 4, "unknown name 'x'"),
    ("symbolic-no-variables", HEADER + "  - id: q1\n    type: symbolic\n    prompt: p\n    answer: s\n", 7,
     "needs 'variables'"),
    ("short-no-key-points", HEADER + "  - id: q1\n    type: short_answer\n    prompt: p\n    answer: 模型答案\n", 7,
     "needs 'key_points'"),
    ("short-bad-key-point", HEADER + "  - id: q1\n    type: short_answer\n    prompt: p\n    answer: a\n"
                            "    key_points:\n      - {points: 1}\n", 9, "non-empty list of accepted phrasings"),
    ("python-tag", HEADER + "  - id: q1\n    type: true_false\n    prompt: !!python/object/apply:os.system [ls]\n"
                   "    answer: true\n", 6, "cannot build value"),
    ("duplicate-key", HEADER + "  - id: q1\n    type: true_false\n    prompt: a\n    prompt: b\n    answer: true\n",
     7, "duplicate key 'prompt'"),
    ("bad-difficulty", HEADER + "  - id: q1\n    type: true_false\n    prompt: p\n    answer: true\n"
                       "    difficulty: 5\n", 8, "difficulty must be 1, 2 or 3"),
    ("question-not-mapping", HEADER + "  - just a string\n", 4, "a question must be a mapping"),
    ("questions-null", "title: x\nquestions:\n", 2, "'questions' is empty"),
    ("numeric-infinite", HEADER + "  - id: q1\n    type: numeric\n    prompt: p\n    answer: .inf\n", 7,
     "finite number"),
    ("nul-character", "title: x\nquestions: []\nx: \x00\n", 3, "not allowed in YAML"),
    ("too-few-options", HEADER + GOOD_SINGLE.replace("['(0, 1)', '(-1, 1)']", "['(0, 1)']"), 7, "2 to 8 options"),
]


@pytest.mark.parametrize("name,text,line,fragment", ERRORS, ids=[e[0] for e in ERRORS])
def test_each_error_names_file_and_line(tmp_path, name, text, line, fragment):
    path = write(tmp_path, text)
    result = run("bank", "validate", str(path))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert any(ln.startswith(f"{path}:{line}: error: ") and fragment in ln for ln in lines), result.output


@pytest.mark.parametrize("depth", [101, 500, 50_000])
def test_deep_nesting_is_refused_without_crashing(tmp_path, depth):
    """libyaml recurses in C: a deep enough bank would kill the interpreter rather than raise."""
    path = write(tmp_path, HEADER + "  - id: q1\n    type: true_false\n    prompt: " + "[" * depth + "]" * depth
                 + "\n    answer: true\n")
    out = subprocess.run([sys.executable, "-m", "quizkit", "bank", "validate", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert f"{path}:6: error: nested deeper than 100 levels" in out.stdout, out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("depth", [150, 5_000])
def test_deep_nesting_behind_quoted_brackets_is_refused(tmp_path, depth):
    """Brackets inside quoted strings fool the cheap estimate; the exact checks still give quizkit's message,
    whether libyaml composes the document (150 levels) or refuses it in its own words (5,000)."""
    path = write(tmp_path, HEADER + "  - id: q1\n    type: true_false\n    prompt: " + '[ "]", ' * depth
                 + "x" + "]" * depth + "\n    answer: true\n")
    result = run("bank", "validate", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:6: error: nested deeper than 100 levels" in result.output, result.output


def test_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path, "title: x\nquestions:\n  - id: q\xe9\n".encode("latin-1"))
    result = run("bank", "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: error: not UTF-8" in result.output


def test_duplicate_id_across_banks(tmp_path):
    write(tmp_path, HEADER + GOOD_SINGLE, "a.yaml")
    b = write(tmp_path, HEADER + "\n" + GOOD_SINGLE.replace("Sigmoid", "tanh"), "b.yaml")
    result = run("bank", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"{b}:5: error: duplicate id 'q1' (first defined at {tmp_path / 'a.yaml'}:4)" in result.output


def test_all_errors_are_collected_in_one_pass(tmp_path):
    text = HEADER + GOOD_SINGLE.replace("answer: A", "answer: Z") + GOOD_SINGLE.replace("id: q1", "id: q2").replace(
        "type: single", "type: singel")
    result = run("bank", "validate", str(write(tmp_path, text)))
    assert result.output.count(": error: ") == 2, result.output


def test_yaml_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]"
              for i in range(1, 10)]
    path = write(tmp_path, "\n".join(lines) + "\ntitle: x\nquestions: *a9\n")
    start = time.monotonic()
    result = run("bank", "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:1: error: aliases expand to too many nodes" in result.output
    assert time.monotonic() - start < 10  # a safety net, not a benchmark: expansion would take hours


WARNINGS = [
    ("yaml11-bool", HEADER + GOOD_SINGLE.replace("['(0, 1)', '(-1, 1)']", "[yes, no]"), 7, "read as the boolean"),
    ("frac-in-double-quotes", HEADER + GOOD_SINGLE.replace("Sigmoid 的输出范围是？", '"$\\frac{1}{2}$ 是多少？"'),
     6, "double-quoted"),
    ("no-explanation", HEADER + "  - id: q1\n    type: true_false\n    prompt: p\n    answer: true\n", 4,
     "has no explanation"),
    ("duplicate-options", HEADER + GOOD_SINGLE.replace("['(0, 1)', '(-1, 1)']", "['(0, 1)', '(0,  1)', '1']"), 7,
     "option B duplicates option A"),
    ("near-duplicate-prompt", HEADER + GOOD_SINGLE + GOOD_SINGLE.replace("id: q1", "id: q2").replace(
        "Sigmoid 的输出范围是？", "Sigmoid 的输出范围是什么？"), 10, "near-duplicate prompt"),
    ("numeric-as-text", HEADER + "  - id: q1\n    type: numeric\n    prompt: p\n    answer: 1e-3\n"
                        "    explanation: e\n", 7, "read as text by YAML 1.1"),
]


@pytest.mark.parametrize("name,text,line,fragment", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_each_warning_passes_unless_strict(tmp_path, name, text, line, fragment):
    path = write(tmp_path, text)
    loose = run("bank", "validate", str(path))
    assert loose.exit_code == 0, loose.output
    assert any(ln.startswith(f"{path}:{line}: warning: ") and fragment in ln for ln in loose.output.splitlines()), \
        loose.output
    strict = run("bank", "validate", "--strict", str(path))
    assert strict.exit_code == 1
    assert f"{path}:{line}: error: " in strict.output


def test_missing_path_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["bank", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_validate_has_no_side_effect(tmp_path):
    path = write(tmp_path, HEADER + GOOD_SINGLE.replace("answer: A", "answer: Q"))
    before = sorted(p.name for p in tmp_path.iterdir())
    run("bank", "validate", str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_template_validates_strictly_and_covers_every_type(tmp_path):
    path = tmp_path / "new.yaml"
    assert run("bank", "new", str(path)).exit_code == 0
    result = run("bank", "validate", "--strict", str(path))
    assert result.exit_code == 0, result.output
    types = {q.type for q in load_paths([path]).questions}
    assert types == {"single", "multiple", "true_false", "numeric", "symbolic", "short_answer"}
    again = CliRunner().invoke(cli, ["bank", "new", str(path)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_values_are_normalised(tmp_path):
    text = HEADER + """\
  - id: m
    type: multiple
    prompt: p
    options: [a, b, c]
    answer: [c, A]
    explanation: e
  - id: t
    type: true_false
    prompt: p2
    answer: 错
    explanation: e
"""
    qs = {q.id: q for q in load_paths([write(tmp_path, text)]).questions}
    assert qs["m"].answer == ("A", "C")
    assert qs["t"].answer is False
    assert qs["m"].line == 4 and qs["m"].topic == "activation"


def test_stats_json(tmp_path):
    path = write(tmp_path, HEADER + GOOD_SINGLE + "  - id: q2\n    type: true_false\n    prompt: p\n"
                                                  "    answer: true\n    difficulty: 1\n    tags: [relu]\n")
    result = run("bank", "stats", str(path), "--format", "json")
    data = json.loads(result.output)
    assert data["total"] == 2
    assert data["by_type"] == {"single": 1, "true_false": 1}
    assert data["by_tag"] == {"activation": 2, "relu": 1}
    assert data["by_difficulty"] == {"1": 1, "2": 1}
    assert data["banks"] == [{"path": str(path), "title": "测试", "count": 2}]
    text = run("bank", "stats", str(path))
    assert "single" in text.output and "测试" in text.output


def test_stats_refuses_a_broken_bank(tmp_path):
    path = write(tmp_path, HEADER + GOOD_SINGLE.replace("answer: A", "answer: Q"))
    result = CliRunner().invoke(cli, ["bank", "stats", str(path)])
    assert result.exit_code == 1
    assert f"{path}:8: error:" in result.output and "Traceback" not in result.output


def test_show(tmp_path):
    path = write(tmp_path, HEADER + GOOD_SINGLE)
    result = run("bank", "show", "q1", "--bank", str(path))
    assert "Sigmoid" in result.output and "(0, 1)" in result.output and "因为" in result.output
    missing = CliRunner().invoke(cli, ["bank", "show", "q9", "--bank", str(path)])
    assert missing.exit_code == 2 and "no question with id 'q9'" in missing.output


def test_schema_is_valid_json_and_shipped_copy_is_current():
    printed = run("bank", "schema").output
    data = json.loads(printed)
    assert data["required"] == ["title", "questions"]
    assert (questions_dir() / SCHEMA_FILE).read_text(encoding="utf-8") == printed, \
        "questions/quizkit-bank.schema.json is stale: run `quizkit bank schema > questions/quizkit-bank.schema.json`"


def test_shipped_banks_validate_strictly_and_point_at_the_schema():
    result = run("bank", "validate", "--strict")
    assert result.exit_code == 0, result.output[-3000:]
    for path in questions_dir().glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=./{SCHEMA_FILE}", path


def test_python_m_quizkit_and_version():
    out = subprocess.run([sys.executable, "-m", "quizkit", "--version"], capture_output=True, text=True, check=True)
    assert re.fullmatch(r"quizkit, version \d+\.\d+\.\d+\n", out.stdout)


def test_loaded_yaml_matches_plain_safe_load(tmp_path):
    """The line-keeping loader must read the same values as PyYAML itself."""
    path = tmp_path / "new.yaml"
    run("bank", "new", str(path))
    plain = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded = {q.id: q for q in load_paths([path]).questions}
    for raw in plain["questions"]:
        assert loaded[raw["id"]].prompt == raw["prompt"]


def test_folded_chinese_lines_join_without_a_space(tmp_path):
    text = HEADER + "  - id: q1\n    type: true_false\n    prompt: >-\n      第一行，\n      第二行 and English\n      words。\n    answer: true\n"
    (q,) = load_paths([write(tmp_path, text)]).questions
    assert q.prompt == "第一行，第二行 and English words。"
