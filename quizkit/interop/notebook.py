"""Runs in the trusted supervisor: a Jupyter notebook submission turned into one Python source for the grader.

The code cells are read with nbformat. IPython magics (%, %%) and shell escapes (!) are not Python; each such
line becomes `pass` at its own indentation, so every other line keeps its place, and the student is told what was
dropped. Locations in the report (`work.ipynb:28`) are mapped back to "cell N, line M".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizkit.errors import QuizkitError
from quizkit.render.i18n import t

_SHELL_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=\s*[!%]")


@dataclass
class Notebook:
    """The code of a notebook as one source, with where each of its lines came from."""

    source: str
    origin: list[tuple[int, int]] = field(default_factory=list)  # source line i+1 -> (cell number, line in cell)
    dropped: list[str] = field(default_factory=list)  # one note per dropped line, for the student

    def where(self, line: int) -> str | None:
        if 1 <= line <= len(self.origin):
            cell, in_cell = self.origin[line - 1]
            return t("notebook.cell_line", cell=cell, line=in_cell)
        return None

    def relabel(self, text: str, filename: str) -> str:
        """`work.ipynb:28` and `File "work.ipynb", line 28` become `work.ipynb (cell 3, line 2)`."""
        name = re.escape(filename)

        def colon(m: re.Match[str]) -> str:
            where = self.where(int(m.group(1)))
            return f"{filename} ({where})" if where else m.group(0)

        def traceback(m: re.Match[str]) -> str:
            where = self.where(int(m.group(1)))
            return f'File "{filename}", {where}' if where else m.group(0)

        text = re.sub(rf'File "{name}(?:\.py)?", line (\d+)', traceback, text)
        return re.sub(rf"{name}(?:\.py)?:(\d+)", colon, text)


def _is_ipython(stripped: str) -> bool:
    return stripped.startswith(("%", "!")) or bool(_SHELL_ASSIGN.match(stripped)) or (
        stripped.endswith("?") and not stripped.startswith("#"))


def read(data: bytes | str, filename: str) -> Notebook:
    """The notebook's code cells in order; QuizkitError (one line, naming the file) for anything unreadable."""
    import nbformat

    try:
        text = data if isinstance(data, str) else data.decode("utf-8-sig")
        nb = nbformat.reads(text, as_version=4)
    except UnicodeDecodeError as err:
        raise QuizkitError(t("notebook.not_utf8", file=filename, byte=err.start)) from None
    except Exception as err:  # nbformat raises JSON, validation and version errors of several kinds
        raise QuizkitError(t("notebook.not_notebook", file=filename, type=type(err).__name__)) from None
    out = Notebook("")
    lines: list[str] = []
    for number, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") != "code":
            continue
        cell_lines = str(cell.get("source", "")).splitlines() or [""]
        whole_cell_magic = cell_lines[0].lstrip().startswith("%%")
        if whole_cell_magic:
            out.dropped.append(t("notebook.dropped_cell", cell=number, magic=repr(cell_lines[0].strip()[:60])))
        for i, line in enumerate(cell_lines, 1):
            stripped = line.strip()
            if whole_cell_magic:
                lines.append("")
            elif _is_ipython(stripped):
                indent = line[: len(line) - len(line.lstrip())]
                lines.append(f"{indent}pass" if stripped else "")
                if stripped:
                    out.dropped.append(t("notebook.dropped_line", cell=number, line=i, code=repr(stripped[:60])))
            else:
                lines.append(line)
            out.origin.append((number, i))
        lines.append("")  # cells are separate statements
        out.origin.append((number, len(cell_lines) + 1))
    out.source = "\n".join(lines) + "\n"
    return out
