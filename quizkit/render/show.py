"""Printing parsed Markdown (render/markdown.py) on a Terminal: wrapped paragraphs, code kept as written.

On a terminal, inline code and code blocks are cyan, headings bold; piped, the text is plain and code blocks are
set off by their indent. Math is converted to Unicode here (or left as written with --raw-math).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizkit.render.markdown import Block, Span, parse
from quizkit.render.wrap import GLUE, cell_width

if TYPE_CHECKING:
    from quizkit.render.terminal import Terminal

Part = str | tuple[str, str]
CODE_INDENT = 4
SHORT_MATH = 24  # cells: a formula this short is never broken across lines
RICH_STYLE = {"code": "cyan", "link": "underline", "strike": "strike", "dim": "dim", "bold": "bold",
              "italic": "italic"}
# YAML's folded scalars join lines with a space, which is noise between two Chinese characters.
_CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))
_CJK_PUNCT_RANGES = ((0x3000, 0x303F), (0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65))


def _within(ch: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return bool(ch) and any(a <= ord(ch) <= b for a, b in ranges)


def show(term: Terminal, text: str, lead: tuple[Part, ...] = (), *, indent: int = 0, hang: int = 0,
         breaks: bool = True, inline: bool = False) -> None:
    """Print `text` as Markdown. `lead` (a label such as "A. " or "Why: ") starts its first block, and the
    block's later lines hang by `hang`; later blocks line up under the text after the label."""
    blocks = parse(text, inline=inline)
    if not blocks:
        if lead:
            term.para(*lead, indent=indent)
        return
    for n, block in enumerate(blocks):
        if n and block.gap:
            term.blank()
        base = indent + (hang if n else 0) + block.indent
        first: tuple[Part, ...] = lead if n == 0 else ()
        if block.kind in ("text", "heading"):
            parts = list(first)
            if block.lead:
                parts.append(block.lead)
            parts += spans(term, block.spans, breaks, "bold" if block.kind == "heading" else "")
            more = (hang if n == 0 else 0) + len(block.lead)
            term.para(*parts, indent=base - len(block.lead), hang=more)
            if block.kind == "heading" and block.level <= 3:
                width = sum(cell_width(c) for p in parts for c in (p if isinstance(p, str) else p[0]))
                term.para(("═" if block.level == 1 else "─") * min(width, term.width - base), indent=base)
            continue
        if first or block.lead:
            term.para(*first, block.lead, indent=base - len(block.lead))
        if block.kind == "code":
            code(term, block.spans[0][0], base + CODE_INDENT)
        elif block.kind == "table":
            table(term, block, breaks, base)
        else:
            term.para("─" * min(40, term.width - base), indent=base)


def paragraph(term: Terminal, text: str) -> list[Part]:
    """All of `text` as the parts of one paragraph: blocks on separate lines, code indented."""
    parts: list[Part] = []
    for n, block in enumerate(parse(text)):
        if n:
            parts.append("\n\n" if block.gap else "\n")
        if block.kind == "code":
            code_lines = block.spans[0][0].split("\n")
            parts.append(("\n".join(" " * CODE_INDENT + ln for ln in code_lines), "cyan"))
            continue
        if block.lead:
            parts.append(" " * (block.indent - len(block.lead)) + block.lead)
        parts += spans(term, block.spans, True)
    return parts


def spans(term: Terminal, items: tuple[Span, ...], breaks: bool, extra: str = "") -> list[Part]:
    """Spans as Terminal parts: math converted, soft breaks as newlines (bank text) or spaces (statements),
    and a lone space between two Chinese characters dropped (outside code)."""
    out: list[list[str]] = []  # [text, rich style, "code" or ""]
    for text, style in items:
        if style == "math":
            text, style = term.math(text), ""
            if sum(cell_width(c) for c in text) <= SHORT_MATH:
                text = text.replace(" ", GLUE)  # `r₀ = 1` stays on one line
        elif style == "soft":
            text, style = ("\n" if breaks else " "), ""
        words = [RICH_STYLE[w] for w in (style + " " + extra).split() if w in RICH_STYLE]
        out.append([text, " ".join(dict.fromkeys(words)), "code" if "code" in style.split() else ""])
    flat = "".join(item[0] for item in out)
    pos = 0
    for item in out:
        text = item[0]
        if not item[2] and " " in text:
            item[0] = "".join(ch for i, ch in enumerate(text)
                              if ch != " " or not _joins(flat[pos + i - 1:pos + i], flat[pos + i + 1:pos + i + 2]))
        pos += len(text)
    return [(t, s) if s else t for t, s, _ in out if t]


def _joins(before: str, after: str) -> bool:
    """Whether a lone space between these characters is a folded line break to drop: between two Chinese
    characters, or beside Chinese punctuation (`、 pool2`)."""
    if not before or not after:
        return False
    return (_within(before, _CJK_RANGES) and _within(after, _CJK_RANGES) or _within(before, _CJK_PUNCT_RANGES)
            or _within(after, _CJK_PUNCT_RANGES))


def code(term: Terminal, text: str, indent: int) -> None:
    """A code block, line by line as written: never wrapped, never reflowed."""
    for line in text.split("\n"):
        term.line(line.expandtabs(4), ("cyan" if term.rich else ""), indent=indent)


def table(term: Terminal, block: Block, breaks: bool, indent: int) -> None:
    from rich import box
    from rich.padding import Padding
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    header, *rows = block.rows or ((),)
    for cell in header:
        grid.add_column(term.text(*spans(term, cell, False, "bold")))
    for row in rows:
        grid.add_row(*(term.text(*spans(term, cell, False)) for cell in row))
    term.console.print(Padding(grid, (0, 0, 0, indent), expand=False))
