"""The study side speaks the student's language: usage errors, progress-database errors, `bank show`'s labels
and the summary lines, in zh and in en, through the commands as a student runs them."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest
from test_quiz_support import invoke, write_bank

import quizkit
from quizkit.render import i18n
from quizkit.store.db import DB_NAME

PACKAGE = Path(quizkit.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")

PARAM_BANK = r"""
title: 参数
tags: [demo]
questions:
  - id: p-deriv
    type: numeric
    group: sig-deriv
    source: notes_003.txt
    params:
      x: {float: [-4, 4], round: 1}
    prompt: 计算 Sigmoid 在 x = {{x}} 处的导数。
    answer: "sigmoid(x) * (1 - sigmoid(x))"
    tolerance: 0.001
    explanation: σ'(x) = σ(x)(1-σ(x))。
    tags: [sigmoid, derivative]
    difficulty: 1
"""


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("QUIZKIT_HOME", str(h))
    monkeypatch.delenv("QUIZKIT_NOW", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    yield h
    i18n.set_lang("en")


@pytest.fixture
def bank(tmp_path):
    from test_quiz_support import BANK

    return str(write_bank(tmp_path / "banks", BANK))


def _error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output  # one line, never a traceback
    return lines[0]


# -- usage errors ------------------------------------------------------------------------------------------------
# (arguments after the command, environment, zh words, en words); BANK stands for the bank's path
USAGE = [
    (["quiz", "--difficulty", "3-1"], {}, "--difficulty '3-1'：请写一个等级", "--difficulty '3-1': use a level like 2"),
    (["quiz", "--difficulty", "7"], {}, "（等级为 1、2、3）", "(levels are 1, 2, 3)"),
    (["review", "--difficulty", "1-"], {}, "--difficulty '1-'：", "--difficulty '1-': use a level"),
    (["quiz", "--type", "essay"], {}, "--type 'essay'：请从 single, multiple", "--type 'essay': choose from single"),
    (["mistakes", "--type", "single,bogus"], {}, "--type 'bogus'：请从", "--type 'bogus': choose from"),
    (["exam", "--layout", "essay=3"], {}, "未知题型 'essay'", "unknown question type 'essay'; choose from"),
    (["exam", "--layout", "single=0"], {}, "这里每一部分都是 0 题", "(every section here has 0 questions)"),
    (["exam", "--layout", "single=x"], {}, "'single=x' 不是这种写法", "('single=x' is not one)"),
    (["exam", "--layout", "single=2:0"], {}, "题数须为 0 或以上，分值须大于 0", "a count of 0 or more, points above 0"),
    (["exam", "--minutes", "nan"], {}, "--minutes 的值无效：nan 不是有限的数", "Invalid value for '--minutes': nan is not"),
    (["exam", "--pass", "nan"], {}, "--pass 的值无效：nan 不是有限的数", "Invalid value for '--pass': nan is not"),
    (["review"], {"QUIZKIT_NOW": "tomorrow"}, "QUIZKIT_NOW='tomorrow' 不是 ISO 格式的日期时间",
     "QUIZKIT_NOW='tomorrow' is not an ISO date-time"),
    (["stats"], {"QUIZKIT_NOW": "1/2/2026"}, "QUIZKIT_NOW='1/2/2026' 不是", "QUIZKIT_NOW='1/2/2026' is not an ISO"),
]


@pytest.mark.parametrize("args, env, zh, en", USAGE, ids=[" ".join(u[0]) + str(u[1]) for u in USAGE])
def test_usage_errors_in_the_chosen_language(bank, monkeypatch, args, env, zh, en):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    full = [*args, "--bank", bank]
    r = invoke([*full, "--lang", "zh"], input="")
    assert r.exit_code == 2, r.output
    line = _error_line(r.output)
    assert zh in line, line
    assert en not in line, line
    r = invoke([*full, "--lang", "en"], input="")
    assert r.exit_code == 2, r.output
    assert en in _error_line(r.output) and not CJK.search(r.output.replace(bank, "")), r.output


@pytest.mark.parametrize("command", [["quiz"], ["exam"], ["review", "--cram"], ["stats"], ["bank", "show", "d-tf"]])
def test_a_missing_bank_is_named_in_the_chosen_language(tmp_path, command):
    missing = tmp_path / "no-such-bank.yaml"
    r = invoke([*command, "--bank", str(missing), "--lang", "zh"], input="")
    assert r.exit_code == 2, r.output
    assert f"{missing}：没有这个文件或文件夹" in _error_line(r.output)
    r = invoke([*command, "--bank", str(missing), "--lang", "en"], input="")
    assert f"{missing}: no such file or folder" in _error_line(r.output)


# -- the progress database ---------------------------------------------------------------------------------------
def _garbage(db: Path) -> None:
    db.write_bytes(b"not a database at all " * 100)


def _foreign(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()


def _newer(db: Path) -> None:
    from quizkit.store import open_store

    with open_store(db):
        pass
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


STORES = [
    (_garbage, "无法读取学习进度数据库", "the progress database is unreadable"),
    (_foreign, "这个 SQLite 文件不是 quizkit 写的", "this SQLite file was not written by quizkit"),
    (_newer, "结构版本是 99，而这个 quizkit 最多只认识", "has schema version 99, but this quizkit understands"),
]


@pytest.mark.parametrize("spoil, zh, en", STORES, ids=["garbage", "foreign", "newer"])
@pytest.mark.parametrize("command", [["quiz"], ["stats"], ["mistakes"], ["review"]])
def test_a_database_quizkit_cannot_use_is_refused_in_the_chosen_language(home, bank, spoil, zh, en, command):
    home.mkdir(parents=True)
    db = home / DB_NAME
    spoil(db)
    before = db.read_bytes()
    r = invoke([*command, "--bank", bank, "--lang", "zh"], input="a\n")
    assert r.exit_code == 1, r.output
    line = _error_line(r.output)
    assert f"{db}：" in line and zh in line and en not in line, line
    r = invoke([*command, "--bank", bank, "--lang", "en"], input="a\n")
    assert r.exit_code == 1 and f"{db}: " in r.output and en in _error_line(r.output), r.output
    assert db.read_bytes() == before  # left untouched


def test_a_folder_where_the_database_goes_is_refused_in_chinese(home, bank):
    (home / DB_NAME).mkdir(parents=True)
    r = invoke(["quiz", "--bank", bank, "--lang", "zh"], input="a\n")
    assert r.exit_code == 1
    assert f"{home / DB_NAME}：这是一个文件夹，不是 quizkit 的学习进度数据库" in _error_line(r.output)


def test_an_export_that_cannot_be_written_is_reported_in_chinese(tmp_path, bank):
    target = tmp_path / "no-such-folder" / "me.json"
    r = invoke(["stats", "--bank", bank, "--export", str(target), "--lang", "zh"])
    assert r.exit_code == 1
    line = _error_line(r.output)
    assert str(target) in line and "无法写入导出文件" in line and "cannot write" not in line, line


# -- bank show ---------------------------------------------------------------------------------------------------
def test_bank_show_labels_its_metadata_in_the_chosen_language(tmp_path):
    path = write_bank(tmp_path / "banks", PARAM_BANK)
    r = invoke(["bank", "show", "p-deriv", "--bank", str(path), "--seed", "1", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    meta = " ".join(r.output.split())  # the line is wrapped at spaces to the terminal's width
    assert re.search(rf"{re.escape(str(path))}:\d+ · 难度 1 · 标签 demo, sigmoid, derivative · 出处 notes_003\.txt"
                        r" · 题组 sig-deriv · 参数 x=-?\d+(\.\d)? ", meta), meta
    assert "difficulty" not in meta and "tags" not in meta
    r = invoke(["bank", "show", "p-deriv", "--bank", str(path), "--seed", "1", "--lang", "en"])
    meta = " ".join(r.output.split())
    assert re.search(rf"{re.escape(str(path))}:\d+ · difficulty 1 · tags demo, sigmoid, derivative · source "
                        r"notes_003\.txt · group sig-deriv · params x=-?\d+(\.\d)? ", meta), meta


# -- the summary and the exam ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, says", [("zh", "答错或部分正确的题已记入错题本：quizkit mistakes"),
                                        ("en", "Wrong and partly right answers went to the mistakes list")])
def test_a_partly_right_answer_is_said_to_go_to_the_mistakes_list_and_does(bank, lang, says):
    r = invoke(["quiz", "--bank", bank, "--type", "multiple", "--no-shuffle", "--lang", lang], input="a\n")
    assert r.exit_code == 0 and says in r.output, r.output
    assert ("部分 1 · 答错 0" if lang == "zh" else "1 partly · 0 wrong") in r.output  # nothing was wrong outright
    listed = invoke(["mistakes", "--bank", bank, "--lang", lang])
    assert "d-multi" in listed.output, listed.output  # the note tells the truth about what was recorded


@pytest.mark.parametrize("layout, intro, section", [
    ("true_false=1", "1 question, 1 point, pass mark", "(1 × 1 point)"),
    ("single=1", "1 question, 2 points, pass mark", "(1 × 2 points)"),
    ("single=1,true_false=1", "2 questions, 3 points, pass mark", "(1 × 1 point)"),
    ("true_false=1:0.5,single=1:0.5", "2 questions, 1 point, pass mark", "(1 × 0.5 points)"),
])
def test_exam_counts_are_pluralised_in_english(bank, layout, intro, section):
    r = invoke(["exam", "--bank", bank, "--layout", layout, "--no-shuffle", "--lang", "en"], input="s\ns\n")
    assert r.exit_code == 0, r.output
    assert intro in r.output and section in r.output, r.output
    n = intro.split()[0]
    assert f"{n} {'question' if n == '1' else 'questions'} · 0 right" in r.output  # the report, too
    assert not re.search(r"\b1 (questions|points)\b", r.output), r.output


def test_exam_counts_in_chinese_have_no_plural(bank):
    r = invoke(["exam", "--bank", bank, "--layout", "true_false=1", "--lang", "zh"], input="s\n")
    assert "共 1 题，满分 1 分" in r.output and "（1 题，每题 1 分）" in r.output, r.output
    assert "|" not in r.output


def test_plural_fields_leave_other_format_specs_alone():
    i18n.set_lang("en")
    assert i18n.t("exam.section", index=1, name="x", n=3, points=1.0) == "Part 1: x (3 × 1 point)"
    assert i18n.t("exam.total", score=2.5, total=4.0, pct="62%", pass_mark=60.0).startswith("Total 2.5/4 (62%)")


# -- no English prose left in the study side's errors -----------------------------------------------------------
STUDY_SIDE = ["cli/quiz.py", "quiz", "store", "bank/files.py"]
_PROSE = re.compile(r"[A-Za-z]{2,}[\s,;:'()-]+[A-Za-z]{2,}")  # two English words in a message's literal parts


def _literal(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) + " " + _literal(node.right)
    return ""


def _bare_errors(root: Path, targets: list[str]) -> list[str]:
    """Errors a student reads (UsageError, StoreError, ..., click's BadParameter) raised with English literals."""
    files = [p for rel in targets for p in ((root / rel).rglob("*.py") if (root / rel).is_dir() else [root / rel])]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            internal = name in ("ValueError", "TypeError", "RuntimeError", "AssertionError", "KeyError")
            if name.endswith(("Error", "Exception", "Parameter")) and not internal \
                    and _PROSE.search(_literal(node.exc.args[0])):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_study_side_raises_no_english_prose_outside_the_catalogue():
    assert not _bare_errors(PACKAGE, STUDY_SIDE)


def test_the_error_guard_finds_a_planted_message(tmp_path):
    """Positive control: an English UsageError and StoreError are found; t() and an internal ValueError are not."""
    (tmp_path / "m.py").write_text(
        "def f(spec, p):\n"
        "    raise UsageError(f'--difficulty {spec!r}: use a level')\n"
        "def g(p):\n    raise StoreError(f'{p}: ' + 'is a folder, not the db')\n"
        "def h(p):\n    raise UsageError(t('usage.no_bank', path=p))\n"
        "def k(p):\n    raise ValueError('unknown scoring scheme here')\n")
    assert _bare_errors(tmp_path, ["m.py"]) == ["m.py:2", "m.py:4"]


def test_bank_stats_tables_and_file_errors_follow_the_language(tmp_path):
    """bank stats' table headings, and quizkit's own words for a file error, in the language asked for."""
    from click.testing import CliRunner

    from quizkit.cli import cli

    zh = CliRunner().invoke(cli, ["bank", "stats", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "按题型" in zh.output and "按主题" in zh.output and "by type" not in zh.output
    en = CliRunner().invoke(cli, ["bank", "stats", "--lang", "en"])
    assert "by type" in en.output and "按题型" not in en.output
    missing = tmp_path / "nowhere" / "out.xml"
    for lang, words, other in (("zh", "没有这个文件或文件夹", "no such file"), ("en", "no such file or folder", "没有")):
        result = CliRunner().invoke(cli, ["bank", "export", "--format", "gift", "--output", str(missing),
                                          "--lang", lang])
        assert result.exit_code != 0
        assert words in result.output and other not in result.output, result.output
