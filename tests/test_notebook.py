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
