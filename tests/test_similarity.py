"""`quizkit similarity` and `grade-batch --similarity`: a real class of real files compared with copydetect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from csv_rows import read_csv

from quizkit.cli import cli
from quizkit.grading.batch import discover
from quizkit.grading.exercises import load_exercise
from quizkit.grading.runner import MAX_SOURCE_BYTES
from quizkit.grading.similarity import compare
from quizkit.render import i18n

# An honest solution, longer than the reference so that a copy has something to match.
ORIGINAL = '''import torch


def sigmoid(x):
    # exp(-|x|) never overflows
    e = torch.exp(-x.abs())
    positive = 1 / (1 + e)
    negative = e / (1 + e)
    return torch.where(x >= 0, positive, negative)


def sigmoid_grad(x):
    s = sigmoid(x)
    one_minus = 1 - s
    return s * one_minus
'''
# The same program with every name changed, other comments and other spacing: still a copy.
RENAMED = '''import torch

def sigmoid(inp):
    z = torch.exp(-inp.abs())   # stable
    pos_branch = 1 / (1 + z)
    neg_branch = z / (1 + z)
    return torch.where(inp >= 0, pos_branch, neg_branch)

def sigmoid_grad(inp):
    sig = sigmoid(inp)
    rest = 1 - sig
    return sig * rest
'''
MASKED = '''import torch


def sigmoid(x):
    out = torch.empty_like(x)
    mask = x >= 0
    out[mask] = 1.0 / (1.0 + torch.exp(-x[mask]))
    ex = torch.exp(x[~mask])
    out[~mask] = ex / (1.0 + ex)
    return out


def sigmoid_grad(x):
    y = sigmoid(x)
    return y - y * y
'''
TANH = '''import torch


def sigmoid(x):
    return 0.5 * (1 + torch.tanh(x / 2))


def sigmoid_grad(x):
    t = torch.tanh(x / 2)
    return 0.25 * (1 - t * t)
'''
NAIVE = "from torch import exp\n\n\ndef sigmoid(v):\n    v = -v\n    return 1 / (1 + exp(v))\n"
STARTER = load_exercise("sigmoid").starter.read_text(encoding="utf-8")
HEAD, _, _ = STARTER.partition("    # TODO")  # the module docstring, the imports and sigmoid's signature + docstring
GRAD_DOC = '    """d sigma / dx at x, element-wise: sigma(x) * (1 - sigma(x)). Same shape and dtype as x."""\n'


def from_starter(sigmoid_body: str, grad_body: str) -> str:
    """What a diligent student hands in: the starter with its docstrings kept and the bodies written."""
    return (HEAD + sigmoid_body + "\n\ndef sigmoid_grad(x: Tensor) -> Tensor:\n" + GRAD_DOC + grad_body)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body) if isinstance(body, bytes) else path.write_text(body, encoding="utf-8")
    return folder


def pair(row: dict[str, str]) -> frozenset[str]:
    return frozenset((row["student_a"], row["student_b"]))


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    yield
    i18n.set_lang("en")


@pytest.fixture
def klass(tmp_path) -> Path:
    return write(tmp_path / "class", {"张三.py": ORIGINAL, "李四.py": RENAMED, "wang.py": MASKED, "zhao.py": TANH})


def test_a_copy_with_renamed_variables_ranks_above_independent_work(klass, tmp_path):
    result = run("similarity", "sigmoid", str(klass), "--output-dir", str(tmp_path / "out"), "--lang", "en")
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "out" / "sigmoid-similarity.csv")
    assert pair(rows[0]) == {"张三", "李四"}
    top = float(rows[0]["similarity_max"])
    assert top > 0.8, rows[0]
    assert all(float(r["similarity_max"]) < 0.5 for r in rows[1:]), rows[1:]
    assert "1 pair(s) above 50%:" in result.stdout
    assert "张三 ↔ 李四" in result.stdout
    assert "wang" not in result.stdout and "zhao" not in result.stdout  # only the pairs above the threshold


def test_the_csv_lists_every_pair_once_sorted_and_well_formed(klass, tmp_path):
    # a sub-folder student, as grade-batch finds it, and one whose name Excel would run as a formula
    write(klass, {"sub/sigmoid.py": MASKED.replace("mask", "m"), "=1+1.py": NAIVE})
    result = run("similarity", "sigmoid", str(klass), "-o", str(tmp_path / "out"), "--excel")
    assert result.exit_code == 0, result.output
    path = tmp_path / "out" / "sigmoid-similarity.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # --excel: a BOM, so Excel reads 张三
    rows = read_csv(path)
    names = ["'=1+1", "sub", "wang", "zhao", "张三", "李四"]  # --excel: the apostrophe makes the formula text
    assert len(rows) == 15 and {pair(r) for r in rows} == {frozenset((a, b)) for a in names for b in names if a < b}
    assert list(rows[0]) == ["rank", "student_a", "student_b", "similarity_max", "similarity_a_to_b",
                             "similarity_b_to_a", "matched_tokens_a", "matched_tokens_b", "tokens_a", "tokens_b",
                             "file_a", "file_b"]
    assert [int(r["rank"]) for r in rows] == list(range(1, 16))
    scores = [float(r["similarity_max"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    for r in rows:
        a_to_b, b_to_a = float(r["similarity_a_to_b"]), float(r["similarity_b_to_a"])
        assert float(r["similarity_max"]) == max(a_to_b, b_to_a)
        assert 0 <= int(r["matched_tokens_a"]) <= int(r["tokens_a"]) and int(r["tokens_a"]) > 0
        assert abs(a_to_b - int(r["matched_tokens_a"]) / int(r["tokens_a"])) < 1e-3
    assert {pair(r) for r in rows[:2]} == {frozenset(("张三", "李四")), frozenset(("sub", "wang"))}
    sub = next(r for r in rows if "sub" in pair(r))
    assert Path(sub["file_a" if sub["student_a"] == "sub" else "file_b"]).name == "sigmoid.py"


def test_code_from_the_starter_does_not_make_two_submissions_similar(tmp_path):
    # Two different solutions written into the starter: they share its docstrings and signatures only.
    tanh = from_starter("    return 0.5 * (1 + torch.tanh(x / 2))\n",
                        "    t = torch.tanh(x / 2)\n    return 0.25 * (1 - t * t)\n")
    clamp = from_starter("    m = torch.clamp(x, min=0)\n    return torch.exp(x - m) / (torch.exp(-m) + torch.exp(x - m))\n",
                         "    s = sigmoid(x)\n    return s * (1 - s)\n")
    folder = write(tmp_path / "class", {"ann.py": tanh, "ben.py": clamp, "cat.py": STARTER, "dan.py": STARTER})
    result = run("similarity", "sigmoid", str(folder), "-o", str(tmp_path / "out"), "--threshold", "0.2")
    assert result.exit_code == 0, result.output
    assert "No pair is above 20%" in result.stdout
    scores = {pair(r): float(r["similarity_max"]) for r in read_csv(tmp_path / "out" / "sigmoid-similarity.csv")}
    assert scores[frozenset(("ann", "ben"))] < 0.2
    assert scores[frozenset(("cat", "dan"))] == 0  # the starter handed in unchanged twice is nothing copied

    # Positive control: the same files compared without the starter as boilerplate look alike.
    students = discover("sigmoid", folder)
    without = {frozenset((p.a.name, p.b.name)): p.score for p in compare("sigmoid", None, students).pairs}
    assert without[frozenset(("ann", "ben"))] > 0.3 > scores[frozenset(("ann", "ben"))]
    assert without[frozenset(("cat", "dan"))] == 1.0


def notebook(*cells: tuple[str, str]) -> str:
    nb = nbformat.v4.new_notebook()
    for kind, text in cells:
        nb.cells.append(nbformat.v4.new_code_cell(text) if kind == "code" else nbformat.v4.new_markdown_cell(text))
    return nbformat.writes(nb)


def test_notebooks_are_compared_on_their_code_cells(tmp_path):
    top, _, rest = RENAMED.partition("def sigmoid_grad")
    copied = notebook(("markdown", "# 作业 1：sigmoid\n" + "说明文字 " * 40), ("code", "%matplotlib inline\n" + top),
                      ("markdown", "导数"), ("code", "def sigmoid_grad" + rest))
    folder = write(tmp_path / "class", {"张三.py": ORIGINAL, "李四.ipynb": copied,
                                        "zhao/sigmoid.ipynb": notebook(("code", TANH)), "wang.py": MASKED})
    result = run("similarity", "sigmoid", str(folder), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "out" / "sigmoid-similarity.csv")
    assert pair(rows[0]) == {"张三", "李四"} and float(rows[0]["similarity_max"]) > 0.8, rows[0]
    zhao = [float(r["similarity_max"]) for r in rows if "zhao" in pair(r)]
    assert len(zhao) == 3 and max(zhao) < 0.5
    html = (tmp_path / "out" / "sigmoid-similarity.html").read_text(encoding="utf-8")
    assert "说明文字" not in html  # markdown cells are not code


def test_an_unreadable_submission_is_named_and_skipped(klass, tmp_path):
    write(klass, {"bad.py": b"x = '\xff\xfe'\n", "broken.ipynb": "{not json",
                  "huge.py": "x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)})
    result = run("similarity", "sigmoid", str(klass), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert f"warning: {klass / 'bad.py'}: not UTF-8 text (byte 5); skipped" in result.stderr
    assert f"{klass / 'broken.ipynb'}: not a Jupyter notebook" in result.stderr
    assert f"{klass / 'huge.py'}: the file is larger than the {MAX_SOURCE_BYTES} byte limit" in result.stderr
    assert "Traceback" not in result.output
    rows = read_csv(tmp_path / "out" / "sigmoid-similarity.csv")
    assert len(rows) == 6 and not any({"bad", "broken", "huge"} & pair(r) for r in rows)
    assert "Compared 4 submissions" in result.stdout


def test_the_html_report_highlights_the_pairs_above_the_threshold(klass, tmp_path):
    write(klass, {"<img src=x onerror=alert(1)>.py": NAIVE})
    result = run("similarity", "sigmoid", str(klass), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "sigmoid-similarity.html").read_text(encoding="utf-8")
    assert html.count("Test file: <i>") == 1  # one pair above 50%: 张三 and 李四
    assert "张三" in html and "李四" in html and "highlight-red" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html  # a file name is text in the report, never markup


@pytest.mark.parametrize("lang, expect", [
    ("en", ": similarity needs at least 2 readable submissions; found 1 (1 skipped)"),
    ("zh", "：至少需要 2 份可读的提交才能比较相似度，只有 1 份（跳过 1 份）"),
])
def test_fewer_than_two_readable_submissions_is_one_line(tmp_path, lang, expect):
    folder = write(tmp_path / "class", {"a.py": ORIGINAL, "b.py": b"\xff"})
    result = run("similarity", "sigmoid", str(folder), "--lang", lang)
    assert result.exit_code == 1
    prefix = "错误：" if lang == "zh" else "Error: "  # click's error line, in the interface language too
    assert result.stderr.strip().splitlines()[-1] == f"{prefix}{folder}{expect}", result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "sigmoid-similarity.csv").exists()


def test_an_empty_folder_and_a_missing_one_are_usage_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a submission")
    result = run("similarity", "sigmoid", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "empty: no submissions to compare" in result.stderr and "Traceback" not in result.output
    missing = run("similarity", "sigmoid", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "not a folder of submissions" in missing.stderr


def test_the_summary_speaks_chinese(klass, tmp_path):
    result = run("similarity", "sigmoid", str(klass), "-o", str(tmp_path / "out"), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "相似度高于 50% 的有 1 对" in result.stdout and "张三 ↔ 李四" in result.stdout


def test_grade_batch_similarity_writes_the_report_beside_the_results(tmp_path):
    folder = write(tmp_path / "class", {"张三.py": ORIGINAL, "李四.py": RENAMED, "zhao.py": TANH})
    out = tmp_path / "marks" / "results.csv"
    out.parent.mkdir()
    result = run("grade-batch", "sigmoid", str(folder), "--output", str(out), "--jobs", "1", "--similarity")
    assert result.exit_code == 0, result.output
    assert len(read_csv(out)) == 3  # the grades are there
    rows = read_csv(tmp_path / "marks" / "sigmoid-similarity.csv")
    assert len(rows) == 3 and pair(rows[0]) == {"张三", "李四"}
    assert (tmp_path / "marks" / "sigmoid-similarity.html").is_file()
    assert "张三 ↔ 李四" in result.stdout
    assert not (tmp_path / "sigmoid-similarity.csv").exists()  # beside --output, not in the current folder


def test_the_commands_import_no_numpy_until_they_compare():
    code = ("import sys; from quizkit.cli import similarity, batch; import quizkit.grading.similarity; "
            "print(sorted(m for m in ('numpy', 'torch', 'copydetect') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
