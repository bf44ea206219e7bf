"""The commands' own lines (warnings, notes, errors, `dev check`, `exercise export`, `bank`) in zh and en.

Each sample runs the command as a user does (CliRunner, real files), once with --lang or the locale in Chinese
and once in English, and checks that the other language's words are absent.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.paths import exercises_dir
from quizkit.render import i18n

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "C"}
SIGMOID_MUTANT = exercises_dir() / "sigmoid" / "mutants" / "overflowing_exp_ratio.py"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    yield tmp_path / "home"
    i18n.set_lang("en")


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_grade_usage_errors_follow_lang_and_locale(tmp_path):
    missing = str(tmp_path / "missing.py")
    zh = _run("grade", "sigmoid", missing, "--lang", "zh")
    assert zh.exit_code == 2 and f"{missing}：没有这个文件" in zh.output and "no such file" not in zh.output
    assert "没有名为 'nope' 的练习（已有：" in _run("grade", "nope", missing, env=ZH).output
    en = _run("grade", "nope", missing, env=EN)
    assert en.exit_code == 2 and "unknown exercise 'nope' (known: " in en.output and "练习" not in en.output
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    special = _run("grade", "sigmoid", str(fifo), "--lang", "zh")
    assert special.exit_code == 2 and f"{fifo}：不是文件" in special.output, special.output


def test_grade_note_on_a_written_report_and_the_unrecorded_warning(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    zh = _run("grade", "sigmoid", str(SIGMOID_MUTANT), "--format", "json", "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 1 and json.loads(out.read_text())["exercise"] == "sigmoid"
    assert f"报告已写入 {out}" in zh.stderr and "report written" not in zh.stderr, zh.stderr
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("QUIZKIT_HOME", str(blocker / "home"))  # the progress database cannot be opened
    zh = _run("grade", "sigmoid", str(SIGMOID_MUTANT), "--format", "json", "-o", str(out), env=ZH)
    assert "警告：这次评分没有记入你的进度：" in zh.stderr, zh.stderr
    en = _run("grade", "sigmoid", str(SIGMOID_MUTANT), "--format", "json", "-o", str(out), "--lang", "en")
    assert f"report written to {out}" in en.stderr and "Warning: the attempt was not recorded: " in en.stderr


def test_a_syntax_error_keeps_pythons_words_inside_a_translated_sentence(tmp_path):
    bad = tmp_path / "sigmoid.py"
    bad.write_text("def sigmoid(x):\n    return (x\n", encoding="utf-8")
    zh = _run("grade", "sigmoid", str(bad), "--lang", "zh", "--no-record")
    assert "sigmoid.py:2：语法错误（SyntaxError）：" in zh.output, zh.output
    en = _run("grade", "sigmoid", str(bad), "--lang", "en", "--no-record")
    assert "sigmoid.py:2: SyntaxError: " in en.output and "语法错误" not in en.output


def test_dev_check_in_chinese():
    zh = _run("dev", "check", "sigmoid", "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    lines = zh.output.splitlines()
    assert any(line.startswith("通过 题库：") for line in lines), zh.output
    assert any(line.startswith("通过 sigmoid：参考答案 10/10；起始代码 0/10；") and "个变体被查出" in line
               and "在 zh 中点明错误" in line for line in lines), zh.output
    assert lines[-1] == "1/1 个练习通过检查"
    assert "exercises check out" not in zh.output and "mutants caught" not in zh.output


def test_exercise_export_lines_in_chinese_and_english(tmp_path, monkeypatch):
    """The build itself is tested in test_gradescope.py (a real wheel, a real zip); here only its lines."""
    from quizkit.interop import gradescope

    out = tmp_path / "autograder.zip"
    refused = _run("exercise", "export", "nope", "-o", str(out), env=ZH)
    assert refused.exit_code == 2 and "没有名为 'nope'" in refused.output, refused.output
    monkeypatch.setattr(gradescope, "build", lambda exercise, output: ["setup.sh", "run_autograder"])
    zh = _run("exercise", "export", "sigmoid", "-o", str(out), env=ZH)
    assert zh.output.splitlines() == [f"已写入 {out}：setup.sh, run_autograder",
                                      "把它上传为 Gradescope 编程作业的 autograder；学生提交 sigmoid.py。"]
    en = _run("exercise", "export", "sigmoid", "-o", str(out), env=EN)
    assert en.output.startswith(f"Wrote {out}: setup.sh") and "Upload it as the autograder" in en.output


def test_export_refuses_outside_a_checkout_in_the_chosen_language(tmp_path):
    from quizkit.errors import QuizkitError
    from quizkit.interop.gradescope import build

    for lang, words in (("zh", "不是 quizkit 的源码目录"), ("en", "not a quizkit checkout")):
        i18n.set_lang(lang)
        with pytest.raises(QuizkitError, match=words):
            build("sigmoid", tmp_path / "a.zip", project=tmp_path)


def test_bank_lines_in_chinese(tmp_path):
    bank = tmp_path / "new.yaml"
    zh = _run("bank", "new", str(bank), env=ZH)
    assert zh.output.startswith(f"已写入 {bank}。下一步：编辑它"), zh.output
    again = _run("bank", "new", str(bank), env=ZH)
    assert again.exit_code == 2 and f"{bank}：已存在（用 --force 覆盖）" in again.output
    valid = _run("bank", "validate", str(bank), env=ZH)
    assert "1 个题库，" in valid.stderr and "个错误" in valid.stderr and "lint：" in valid.stderr, valid.stderr
    assert "bank(s)" not in valid.stderr
    en = _run("bank", "validate", str(bank), env=EN)
    assert "1 bank(s), " in en.stderr and "lint: key is the longest option" in en.stderr


def test_a_notebooks_notes_and_cell_locations_in_chinese(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport torch"),
                nbformat.v4.new_code_cell("def sigmoid(x):\n    return 1 / 0\n\n\ndef sigmoid_grad(x):\n    return x")]
    path = tmp_path / "work.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    zh = _run("grade", "sigmoid", str(path), "--lang", "zh", "--no-record")
    assert "quizkit: 第 1 个单元格第 1 行：去掉了 '%matplotlib inline'（IPython 语法，不是 Python）" in zh.output, zh.output
    assert "work.ipynb (第 2 个单元格第 2 行)" in zh.output and "cell 2" not in zh.output
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    zh = _run("grade", "sigmoid", str(broken), "--lang", "zh", "--no-record")
    assert "broken.ipynb：不是 Jupyter notebook" in zh.output, zh.output


def test_the_error_line_itself_is_in_the_chosen_language(tmp_path):
    zh = _run("bank", "show", "no-such-id", "--lang", "zh")
    assert zh.exit_code == 2 and zh.output.startswith("错误：没有 id 为 'no-such-id' 的题目"), zh.output
    en = _run("bank", "show", "no-such-id", "--lang", "en")
    assert en.output.startswith("Error: no question with id 'no-such-id'"), en.output


def test_exercise_yaml_errors_name_file_and_line_in_chinese(tmp_path):
    from quizkit.errors import QuizkitError
    from quizkit.grading.exercises import load_exercise_dir

    folder = tmp_path / "demo"
    folder.mkdir()
    meta = folder / "exercise.yaml"
    i18n.set_lang("zh")
    meta.write_text("id: demo\ntitle: {zh: a, en: b}\ntopic: activation\npoints: 3\nlimits:\n  bogus: 1\n")
    with pytest.raises(QuizkitError, match=r"exercise.yaml:5：未知的限制 `bogus`（已有："):
        load_exercise_dir(folder)
    meta.write_text("id: demo\ntitle: {zh: a, en: b}\ntopic: cooking\npoints: 3\n")
    with pytest.raises(QuizkitError, match=r"exercise.yaml:3: `topic` 必须是以下之一："):
        load_exercise_dir(folder)


def test_export_usage_errors_in_chinese(tmp_path):
    two = _run("exercise", "export", "sigmoid", "softmax", "-o", str(tmp_path / "a.zip"), env=ZH)
    assert two.exit_code == 2 and "错误：--format gradescope 一次导出一个练习" in two.output, two.output
    folder = _run("exercise", "export", "sigmoid", "-o", str(tmp_path), env=ZH)
    assert folder.exit_code == 2 and f"{tmp_path}：这是一个文件夹" in folder.output, folder.output
    en = _run("exercise", "export", "sigmoid", "-o", str(tmp_path), env=EN)
    assert f"{tmp_path}: a folder; give the zip file" in en.output
