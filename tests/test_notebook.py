"""Notebook submissions: code cells read with nbformat, IPython lines dropped with a note, lines mapped back."""

from __future__ import annotations

import nbformat
import pytest

from quizkit.errors import QuizkitError
from quizkit.interop.notebook import read


def notebook(*cells: tuple[str, str]) -> bytes:
    nb = nbformat.v4.new_notebook()
    for kind, text in cells:
        nb.cells.append(nbformat.v4.new_code_cell(text) if kind == "code" else nbformat.v4.new_markdown_cell(text))
    return nbformat.writes(nb).encode()


def test_code_cells_in_order_with_magics_and_shell_escapes_dropped():
    data = notebook(("markdown", "# 作业"), ("code", "import torch\n%matplotlib inline"),
                    ("code", "!pip install foo\nfiles = !ls\ndef f(x):\n    %timeit x\n    return x"),
                    ("code", "%%bash\necho hi\n  indented"), ("code", "torch.zeros?\ny = f(2)"))
    nb = read(data, "work.ipynb")
    compile(nb.source, "work.ipynb", "exec")  # what is left is Python
    namespace: dict = {}
    exec(compile(nb.source.replace("import torch", "torch = None"), "work.ipynb", "exec"), namespace)
    assert namespace["y"] == 2
    assert len(nb.dropped) == 6, nb.dropped
    assert nb.dropped[0] == "cell 2, line 2: dropped '%matplotlib inline' (IPython, not Python)"
    assert any(note.startswith("cell 4: dropped the cell magic '%%bash'") for note in nb.dropped)


def test_report_locations_map_back_to_cell_and_line():
    nb = read(notebook(("markdown", "intro"), ("code", "a = 1\nb = 2"), ("code", "def f():\n    return 1/0")),
              "work.ipynb")
    line = nb.source.splitlines().index("    return 1/0") + 1
    assert nb.where(line) == "cell 3, line 2"
    msg = f'work.ipynb:{line}: ZeroDivisionError\nFile "work.ipynb", line {line}, in f'
    assert nb.relabel(msg, "work.ipynb") == ('work.ipynb (cell 3, line 2): ZeroDivisionError\n'
                                             'File "work.ipynb", cell 3, line 2, in f')
    assert nb.relabel("other.py:3: x", "work.ipynb") == "other.py:3: x"


@pytest.mark.parametrize("data,words", [(b"{not json", "not a Jupyter notebook"), (b"\xff\xfe\x00", "not UTF-8"),
                                        (b'{"cells": 3, "nbformat": 4}', "not a Jupyter notebook")])
def test_a_broken_notebook_is_one_line(data, words):
    with pytest.raises(QuizkitError, match=f"^work.ipynb: {words}"):
        read(data, "work.ipynb")


def _write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 作业"), *(nbformat.v4.new_code_cell(s) for s in sources)]
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_grade_a_notebook_and_map_its_error_to_the_cell(tmp_path, monkeypatch):
    """A real grade in the sandbox: the reference in a notebook with magics passes; a wrong cell is named."""
    import json

    from click.testing import CliRunner

    from quizkit.cli import cli
    from quizkit.grading.exercises import load_exercise

    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    reference = open(load_exercise("sigmoid").reference, encoding="utf-8").read()
    good = _write_notebook(tmp_path / "good.ipynb", "%matplotlib inline\n!pip list", reference)
    result = CliRunner().invoke(cli, ["grade", "sigmoid", str(good), "--lang", "en"])
    assert result.exit_code == 0 and "Total: 10/10" in result.output, result.output
    assert "quizkit: cell 2, line 1: dropped '%matplotlib inline'" in result.output
    bad = _write_notebook(tmp_path / "bad.ipynb", reference, "def sigmoid(x):\n    return 1 / 0")
    result = CliRunner().invoke(cli, ["grade", "sigmoid", str(bad), "--format", "json", "--lang", "en"])
    messages = [t["message"] for t in json.loads(result.output)["tests"] if t["status"] != "passed"]
    assert result.exit_code == 1 and messages
    assert any("bad.ipynb (cell 3, line 2)" in m for m in messages), messages


def test_grade_batch_takes_notebooks(tmp_path):
    from quizkit.grading.batch import discover

    (tmp_path / "alice.ipynb").write_text("{}")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "sigmoid.ipynb").write_text("{}")
    (tmp_path / "carol.py").write_text("")
    assert [(s.name, s.path.name) for s in discover("sigmoid", tmp_path)] == [
        ("alice", "alice.ipynb"), ("carol", "carol.py"), ("bob", "sigmoid.ipynb")]
