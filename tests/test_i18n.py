"""The one string catalogue: complete in both languages, every key used exists, and grading speaks --lang."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

import quizkit
from quizkit.cli import cli
from quizkit.paths import exercises_dir
from quizkit.render import i18n

PACKAGE = Path(quizkit.__file__).parent
SIGMOID_MUTANTS = exercises_dir() / "sigmoid" / "mutants"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    yield tmp_path / "home"
    i18n.set_lang("en")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_a_non_empty_text_in_each_language_with_the_same_fields():
    from quizkit.render.i18n_expr import EXPR
    from quizkit.render.i18n_grading import GRADING

    assert GRADING.keys() <= i18n.STRINGS.keys() and EXPR.keys() <= i18n.STRINGS.keys()  # one catalogue
    for key, pair in i18n.STRINGS.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        assert isinstance(zh, str) and zh.strip(), f"{key}: no Chinese text"
        assert isinstance(en, str) and en.strip(), f"{key}: no English text"
        assert _fields(zh) == _fields(en), key


def test_the_completeness_check_catches_a_missing_language(monkeypatch):
    """Positive control: the check above fails on a catalogue with one empty side."""
    monkeypatch.setitem(i18n.STRINGS, "test.broken", ("", "only English"))
    with pytest.raises(AssertionError, match="test.broken: no Chinese text"):
        test_every_key_has_a_non_empty_text_in_each_language_with_the_same_fields()


def _used_keys(root: Path) -> list[tuple[str, str, bool]]:
    """(where, key or key prefix, is_prefix) of every t("...") / t(f"...{x}") call under root."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                    and node.args):
                continue
            arg, where = node.args[0], f"{path.relative_to(root.parent)}:{node.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((where, arg.value, False))
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                found.append((where, str(arg.values[0].value), True))
    return found


def test_every_key_used_in_the_package_exists():
    used = _used_keys(PACKAGE)
    assert len(used) > 100
    missing = [f"{where}: {key}" for where, key, prefix in used
               if (not any(k.startswith(key) for k in i18n.STRINGS) if prefix else key not in i18n.STRINGS)]
    assert not missing, "keys used but not in the catalogue:\n" + "\n".join(missing)


def test_the_key_scan_finds_an_unknown_key(tmp_path):
    """Positive control for the scan above."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "m.py").write_text('from quizkit.render.i18n import t\nprint(t("no.such.key"), t(f"report.{1}"))\n')
    assert _used_keys(pkg) == [("pkg/m.py:2", "no.such.key", False), ("pkg/m.py:2", "report.", True)]


def test_locale_and_flag_choose_the_language():
    assert i18n.detect_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert i18n.detect_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    i18n.set_lang("zh")
    assert i18n.t("report.total") == "总分"
    i18n.set_lang("en")
    assert i18n.t("report.total") == "Total"


def test_testing_helpers_speak_the_grading_language():
    torch = pytest.importorskip("torch")
    from quizkit.grading.testing import assert_close, check, tr

    hint = tr("检查公式。", "Check the formula.")
    x = torch.zeros(3, dtype=torch.float64)
    for lang, words in (("zh", ["调用 sigmoid(x)。", "最大误差", "检查公式。"]),
                        ("en", ["Called sigmoid(x).", "largest error", "Check the formula."])):
        i18n.set_lang(lang)
        with pytest.raises(AssertionError) as err:
            assert_close(x + 1, x, rtol=1e-9, atol=1e-12, call="sigmoid(x)", hint="Prefix: " + hint)
        assert all(w in str(err.value) for w in words), str(err.value)
        with pytest.raises(AssertionError) as err:
            check(False, call="f(1)", got=tr("没有", "nothing"), expected={"zh": "一个数", "en": "a number"})
        assert str(err.value) == {"zh": "调用 f(1)。期望 一个数，实际得到 没有。",
                                  "en": "Called f(1). Expected a number, got nothing."}[lang]
    with pytest.raises(ValueError):
        tr("", "only English")


def _grade(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["grade", "sigmoid", str(SIGMOID_MUTANTS / "overflowing_exp_ratio.py"), *args],
                              env=env, catch_exceptions=False)


def test_grade_lang_zh_gives_chinese_messages_and_en_english():
    zh = _grade("--lang", "zh", "--no-record")
    assert zh.exit_code == 1
    assert "总分" in zh.output and "调用 sigmoid(" in zh.output and "生效的隔离层" in zh.output, zh.output
    assert "Called " not in zh.output and "Expected " not in zh.output
    assert "exp(x) 在 float64" in zh.output  # the exercise's own hint, in Chinese
    en = _grade("--lang", "en", "--no-record")
    assert "Total:" in en.output and "Called sigmoid(" in en.output and "调用" not in en.output
    by_locale = _grade("--no-record", env={"LANG": "zh_CN.UTF-8"})
    assert "调用 sigmoid(" in by_locale.output


def test_watch_lang_zh(tmp_path):
    sub = tmp_path / "sigmoid.py"
    sub.write_text((exercises_dir() / "sigmoid" / "starter.py").read_text())
    result = CliRunner().invoke(cli, ["watch", "sigmoid", str(sub), "--runs", "1", "--poll", "--lang", "zh"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "正在监视" in result.output and "第一个未通过的测试：" in result.output, result.output
    assert "它抛出了 NotImplementedError" in result.output  # the sandbox outcome, too
    assert "first failing" not in result.output


def test_exercise_list_hint_and_solution_in_chinese():
    result = CliRunner().invoke(cli, ["exercise", "list", "--lang", "zh"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert all(word in result.output for word in ("编号", "标题", "主题", "分值", "状态", "未开始")), result.output
    assert "not started" not in result.output
    result = CliRunner().invoke(cli, ["exercise", "hint", "sigmoid", "--lang", "zh"])
    assert result.output.startswith("提示 1/"), result.output
    result = CliRunner().invoke(cli, ["exercise", "solution", "sigmoid", "--lang", "zh"])
    assert result.exit_code == 1 and "通过后才能查看参考答案（状态：未开始）" in result.output


def test_expression_errors_in_chinese():
    from quizkit.quiz.scoring import AnswerError, parse_number
    from quizkit.safeexpr import ExprError, parse

    i18n.set_lang("zh")
    with pytest.raises(ExprError, match="不允许使用 属性访问"):
        parse("a.b")
    with pytest.raises(AnswerError):
        parse_number("1/0")
    pytest.importorskip("sympy")
    from quizkit.symbolic import SymbolicError
    from quizkit.symbolic import parse as sym_parse

    with pytest.raises(SymbolicError, match=r"未知的名字 'x'（可用变量：p, y）"):
        sym_parse("x + 1", ["p", "y"])
    i18n.set_lang("en")
    with pytest.raises(SymbolicError, match=r"unknown name 'x' \(variables: p, y\)"):
        sym_parse("x + 1", ["p", "y"])


# -- no prose outside the catalogue: what the commands print or raise goes through t() -------------------------
# Calls whose first argument a user reads: click's output and prompts, and the errors the CLI shows as one line.
_SINKS = {"echo", "secho", "confirm", "prompt", "ClickException", "BadParameter", "UsageError", "QuizkitError",
          "UnreadableSubmission", "InfrastructureError"}
# Library modules whose errors and lines reach the user through the commands (any `...Error(...)` is a sink
# there, and the lists `dev check` prints and a notebook's notes to its author).
_LIBRARY = ["grading/runner.py", "grading/harness/session.py", "grading/devcheck.py", "interop/gradescope.py",
            "interop/notebook.py", "grading/mutants.py", "grading/exercises.py", "grading/sandbox/limits.py",
            "grading/batch.py", "grading/cluster.py", "interop/student.py"]
_NOTE_LISTS = ("problems", "facts", "dropped")
# Not prose: a command line shown as an example to copy (`  quizkit grade sigmoid sigmoid.py`).
_NOT_PROSE = [re.compile(r"^\s*quizkit [a-z-]+\s*$")]
_PROSE = re.compile(r"[A-Za-z]{2,}[\s,;:'()-]+[A-Za-z]{2,}")  # two English words in the literal parts


def _literal_text(node: ast.AST) -> str:
    """The literal parts of a message expression (f-string pieces, concatenations, "...".format, a ? b : c)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + " " + _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) + " " + _literal_text(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal_text(node.func.value)
    return ""


def _is_sink(call: ast.Call, library: bool) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in _SINKS or (library and name.endswith("Error")):
        return True
    return (library and name == "append" and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute) and func.value.attr in _NOTE_LISTS)


def _bare_prose(root: Path, files: list[str], library: bool) -> list[str]:
    found = []
    for rel in files:
        tree = ast.parse((root / rel).read_text(encoding="utf-8"), rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and _is_sink(node, library):
                text = _literal_text(node.args[0])
                if _PROSE.search(text) and not any(p.match(text) for p in _NOT_PROSE):
                    found.append(f"{rel}:{node.lineno}: {text.strip()[:80]!r}")
    return found


def _cli_files(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in sorted((root / "cli").glob("*.py"))]


def test_no_command_prints_or_raises_english_prose_outside_the_catalogue():
    found = _bare_prose(PACKAGE, _cli_files(PACKAGE), False) + _bare_prose(PACKAGE, _LIBRARY, True)
    assert not found, "user-facing text not looked up with t() (add a zh/en key):\n" + "\n".join(found)


def test_the_prose_guard_finds_a_planted_literal(tmp_path):
    """Positive control: a bare English echo, error and devcheck problem are found; t() and a command line are not."""
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "planted.py").write_text(
        "import click\nfrom quizkit.render.i18n import t\n"
        "def f(path, n):\n"
        "    click.echo(f'Wrote {n} files to {path}')\n"
        "    click.echo(t('cli.no_such_file', path=path))\n"
        "    click.echo(f'  quizkit grade {n} {path}')\n"
        "    click.echo(f'{path}: {n}')\n"
        "    raise UsageError(f'{path}: ' + 'no such file')\n")
    (tmp_path / "lib.py").write_text("def g(result):\n    result.problems.append('the starter passes')\n"
                                     "    raise RuntimeError(f'the sandbox broke')\n")
    assert _bare_prose(tmp_path, _cli_files(tmp_path), False) == [
        "cli/planted.py:4: 'Wrote  files to'", "cli/planted.py:8: ':  no such file'"]
    assert _bare_prose(tmp_path, ["lib.py"], True) == ["lib.py:2: 'the starter passes'",
                                                       "lib.py:3: 'the sandbox broke'"]
