"""Line breaking that suits Chinese. rich breaks only at spaces, so a Chinese sentence (one long "word") jumps
to the next line whole and leaves ragged gaps, and a Latin word inside it is cut anywhere ("Batc" / "hNorm").
Here a line may break between any two CJK characters or at a space, never inside a Latin word (unless the word
alone is wider than the line), never puts closing punctuation at a line start or opening punctuation at a line
end, and measures in terminal cells.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

GLUE = "\u00a0"  # a space no line breaks at (inside a short formula); printed as a plain space
NO_LINE_START = set("，。、；：？！）》」』】〕’”…—・%‰,.;:?!)]}>")
NO_LINE_END = set("（《「『【〔‘“([{<")


def cell_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _units(line: str) -> list[tuple[int, int]]:
    """Break units as (start, end) offsets: one CJK character, a run of other non-space characters, or spaces."""
    units: list[tuple[int, int]] = []
    i, n = 0, len(line)
    while i < n:
        j = i + 1
        ch = line[i]
        if ch == " ":
            while j < n and line[j] == " ":
                j += 1
        elif not _is_cjk(ch):
            while j < n and line[j] != " " and not _is_cjk(line[j]):
                j += 1
        units.append((i, j))
        i = j
    return units


def _in_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.combining(ch) > 0


def _fold(raw: str, a: int, b: int, limit: int) -> int:
    """Where to cut the run raw[a:b], which is wider than `limit`: after the last character that fits and ends
    no word (`torch.nn.` / `functional`), never leaving an opener at the end or a closer at the start;
    inside a word only when one word is wider than the whole line."""
    cut, acc = a, 0
    while cut < b and acc + cell_width(raw[cut]) <= limit:
        acc += cell_width(raw[cut])
        cut += 1
    for j in range(min(cut, b - 1), a, -1):
        left, right = raw[j - 1], raw[j]
        if not (_in_word(left) and _in_word(right)) and left not in NO_LINE_END and right not in NO_LINE_START:
            return j
    return max(cut, a + 1)


def break_offsets(text: str, width: int, indent: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each output line of `text`, wrapping at `width` cells; continuation lines are assumed to be
    indented by `indent` cells. Spaces at a break are dropped."""
    width = max(width, indent + 4)
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        base = pos
        pos += len(raw) + 1
        units = _units(raw)
        if not units:
            lines.append((base, base))
            continue
        start = units[0][0]
        used = 0
        limit = width
        k = 0
        while k < len(units):
            a, b = units[k]
            seg = raw[a:b]
            w = sum(cell_width(c) for c in seg)
            if seg.startswith(" "):
                if used + w > limit:  # a break here: drop the spaces
                    lines.append((base + start, base + a))
                    start, used, limit = b, 0, width - indent
                else:
                    used += w
                k += 1
                continue
            if used + w <= limit or used == 0 and w <= limit:
                used += w
                k += 1
                continue
            if used == 0:  # a run longer than a whole line: fold it, between words where it can
                cut = _fold(raw, a, b, limit)
                lines.append((base + start, base + cut))
                units[k] = (cut, b)
                start, used, limit = cut, 0, width - indent
                continue
            # Break before unit k; move punctuation so no line starts with a closer or ends with an opener.
            brk = k
            while brk > 0 and (raw[units[brk][0]] in NO_LINE_START or raw[units[brk - 1][1] - 1] in NO_LINE_END):
                if units[brk - 1][0] == start:
                    break
                brk -= 1
            end = units[brk][0]
            trimmed = end
            while trimmed > start and raw[trimmed - 1] == " ":
                trimmed -= 1
            lines.append((base + start, base + trimmed))
            while brk < len(units) and raw[units[brk][0]] == " ":
                brk += 1
            if brk >= len(units):
                start = len(raw)
                k = brk
                used = 0
                break
            start = units[brk][0]
            used, limit = 0, width - indent
            k = brk
        if start < len(raw):
            lines.append((base + start, base + len(raw)))
    return lines


def wrap_text(text: Text, width: int, indent: int = 0) -> Text:
    """A copy of the rich Text with newlines inserted (and styles kept) so that no line exceeds width;
    continuation lines get `indent` spaces."""
    from rich.text import Text as _Text

    plain = text.plain
    out = _Text(end=text.end)
    for n, (a, b) in enumerate(break_offsets(plain, width, indent)):
        if n:
            out.append("\n")
            if indent and a > 0 and plain[a - 1] != "\n":
                out.append(" " * indent)
        out.append_text(text[a:b])
    if GLUE in out.plain:
        out.plain = out.plain.replace(GLUE, " ")  # same length: the styles stay where they were
    return out
