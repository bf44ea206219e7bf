"""The house stays small: no module in quizkit/ over 400 lines, no function over 70."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "quizkit"
MAX_MODULE, MAX_FUNCTION = 400, 70


def oversized(root: Path = PKG) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE:
            found.append(f"{path.relative_to(root.parent)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {node.name} is {length} lines")
    return found


def test_no_module_or_function_is_oversized():
    assert oversized() == []


def test_the_check_finds_an_oversized_function(tmp_path):
    """Positive control: the same walk flags a long function and a long module."""
    (tmp_path / "big.py").write_text("def f():\n" + "    x = 1\n" * 80 + "\n" * 330)
    found = oversized(tmp_path)
    assert any("big.py: 411 lines" in f for f in found) and any("f is 81 lines" in f for f in found), found
