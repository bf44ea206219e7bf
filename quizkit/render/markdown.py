"""Markdown in bank text and exercise statements, laid out for the terminal. markdown-it-py parses; this module
turns its tokens into blocks of styled spans, which `Terminal.markdown` prints with quizkit's own line breaking.

Math ($...$, $$...$$, \\(...\\), \\[...\\]) is an inline token of its own, read before escapes and emphasis, so
`$r_{l-1} + (k_l - 1)·j_{l-1}$` is never italics; its text stays LaTeX until it is shown (raw with --raw-math).
markdown-it-py takes longer to import than a question takes to show, so parsed blocks are kept on disk, keyed by
the text (cache/markdown-v1.json), and text with no Markdown syntax at all is never parsed.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from quizkit.render.diskcache import DiskCache, file_fingerprint

Span = tuple[str, str]  # (text, style): style is "" or words from STYLES, plus "math" and "soft" (a soft break)
STYLES = {"strong": "bold", "em": "italic", "s": "strike", "link": "link"}
CACHE_NAME = "markdown-v1.json"


class Block(NamedTuple):
    kind: str  # text | heading | code | table | rule
    spans: tuple[Span, ...] = ()  # text, heading: inline spans; code: one ("line\nline", "code") span
    indent: int = 0  # cells before every line (lists, quotes)
    lead: str = ""  # list marker on the first line ("• ", "2. "); the block's other lines hang by its width
    gap: bool = False  # a blank line before it, where the source had one
    level: int = 0  # heading level
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = ()  # table: header row first


_cache = DiskCache(CACHE_NAME, file_fingerprint(__file__))
_md: Any = None
# Text without any of these characters, and without a line starting like a block (list, quote, heading,
# setext underline, indented code), parses to plain paragraphs; tests check that against the parser.
_SPECIAL = frozenset("\\`*_[]<>&~|$")


def _block_syntax(text: str) -> bool:
    """Whether a line of `text` could open a block other than a paragraph (or end one: `  ` line ends)."""
    for line in text.split("\n"):
        body = line.lstrip(" ")
        if not body:
            continue
        if len(line) - len(body) >= 4 or body[0] in "\t-+*>#=" or line.endswith("  "):
            return True
        digits = len(body) - len(body.lstrip("0123456789"))
        if 0 < digits <= 9 and body[digits:digits + 1] in (".", ")") and body[digits + 1:digits + 2] in ("", " ", "\t"):
            return True
    return False


def parse(text: str, inline: bool = False) -> list[Block]:
    """Blocks of `text`; `inline` reads it as one paragraph (an option, a label), with no block syntax."""
    if not text.strip():
        return []
    if not _SPECIAL.intersection(text) and (inline or not _block_syntax(text)):
        return _plain(text, inline)
    key = ("i" if inline else "b") + text
    hit = _cache.get(key)
    if hit is None:
        blocks = _parse(text, inline)
        _cache.put(key, [_to_json(b) for b in blocks])
        return blocks
    return [_from_json(b) for b in hit]


def plain(text: str) -> str:
    """The text of `text` on one line, markup and math delimiters gone (math stays LaTeX): for short listings."""
    out = []
    for b in parse(text):
        spans = b.spans if b.kind != "table" else tuple(s for row in b.rows for cell in row for s in cell)
        out.append("".join(s[0] for s in spans))
    return " ".join(" ".join(out).split())


def _plain(text: str, inline: bool) -> list[Block]:
    if inline:
        return [Block("text", _lines(text.strip()))]
    paras = [p for p in re.split(r"\n(?:[ \t]*\n)+", text.strip("\n")) if p.strip()]
    return [Block("text", _lines(para), gap=n > 0) for n, para in enumerate(paras)]


def _lines(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            spans.append(("\n", "soft"))
        if line.strip():
            spans.append((line.strip(), ""))
    return tuple(spans)


def _parser() -> Any:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
        _md.inline.ruler.before("escape", "math", _math_rule)
    return _md


def _math_rule(state: Any, silent: bool) -> bool:
    from quizkit.render.latex import MATH_SEGMENT

    if state.src[state.pos] not in "$\\":
        return False
    m = MATH_SEGMENT.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        state.push("math", "", 0).content = m.group(0)
    state.pos = m.end()
    return True


def _parse(text: str, inline: bool) -> list[Block]:
    md = _parser()
    if inline:
        tokens = md.parseInline(text)
        return [Block("text", tuple(_inline(tokens[0].children or [])))] if tokens else []
    return _Builder().build(md.parse(text))


def _inline(children: list[Any]) -> list[Span]:
    spans: list[Span] = []
    styles: list[str] = []
    href = ""
    link_start = 0
    for tok in children:
        style = " ".join(styles)
        kind = tok.type
        if kind in ("text", "html_inline"):
            spans.append((tok.content, style))
        elif kind == "code_inline":
            spans.append((tok.content, (style + " code").strip()))
        elif kind == "math":
            spans.append((tok.content, "math"))
        elif kind == "softbreak":
            spans.append(("\n", "soft"))
        elif kind == "hardbreak":
            spans.append(("\n", ""))
        elif kind == "image":
            spans.append((tok.content or str(tok.attrs.get("src", "")), (style + " italic").strip()))
        elif kind.endswith("_open") and kind[:-5] in STYLES:
            styles.append(STYLES[kind[:-5]])
            if kind == "link_open":
                href, link_start = str(tok.attrs.get("href", "")), len(spans)
        elif kind.endswith("_close") and kind[:-6] in STYLES:
            if styles:
                styles.pop()
            shown = "".join(s[0] for s in spans[link_start:])
            if kind == "link_close" and href and href != shown and href.removeprefix("mailto:") != shown:
                spans.append((f" ({href})", "dim"))
    return [s for s in spans if s[0]]


class _Builder:
    """Block tokens to Blocks: lists give their items a marker and an indent, quotes an indent."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.indent = 0
        self.lists: list[list[int]] = []  # per open list: [next number or -1 for bullets, marker width]
        self.lead = ""
        self.last_line = -1
        self.row: list[tuple[Span, ...]] = []
        self.rows: list[tuple[tuple[Span, ...], ...]] = []
        self.table: Any = None

    def add(self, tok: Any, kind: str, **fields: Any) -> None:
        start = tok.map[0] if tok.map else self.last_line
        gap = bool(self.blocks) and start > self.last_line
        if tok.map:
            self.last_line = tok.map[1]
        self.blocks.append(Block(kind, indent=self.indent, lead=self.lead, gap=gap, **fields))
        self.lead = ""

    def build(self, tokens: list[Any]) -> list[Block]:
        pending: tuple[str, Any, int] | None = None  # a paragraph or heading waiting for its inline token
        for tok in tokens:
            kind = tok.type
            if kind in ("paragraph_open", "heading_open"):
                pending = ("heading" if kind == "heading_open" else "text", tok, int(tok.tag[1:]) if tok.tag[1:] else 0)
            elif kind == "inline" and pending is not None:
                block_kind, opener, level = pending
                self.add(opener, block_kind, spans=tuple(_inline(tok.children or [])), level=level)
                pending = None
            elif kind == "inline":
                self.row.append(tuple(_inline(tok.children or [])))
            elif kind in ("fence", "code_block"):
                self.add(tok, "code", spans=((tok.content.rstrip("\n"), "code"),))
            elif kind == "html_block":
                self.add(tok, "text", spans=((tok.content.rstrip("\n"), ""),))
            elif kind == "hr":
                self.add(tok, "rule")
            else:
                self.structure(tok)
        return self.blocks

    def structure(self, tok: Any) -> None:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrs.get("start", 1)) if kind == "ordered_list_open" else -1
            self.lists.append([start, 0])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            current = self.lists[-1]
            self.lead = "• " if current[0] < 0 else f"{current[0]}{tok.markup or '.'} "
            if current[0] >= 0:
                current[0] += 1
            current[1] = len(self.lead)
            self.indent += current[1]
        elif kind == "list_item_close":
            self.indent -= self.lists[-1][1]
            self.lead = ""
        elif kind == "blockquote_open":
            self.indent += 2
        elif kind == "blockquote_close":
            self.indent -= 2
        elif kind == "table_open":
            self.rows = []
            self.table = tok
        elif kind == "tr_close":
            self.rows.append(tuple(self.row))
            self.row = []
        elif kind == "table_close":
            self.add(self.table, "table", rows=tuple(self.rows))


def _to_json(b: Block) -> list[Any]:
    return [b.kind, [list(s) for s in b.spans], b.indent, b.lead, b.gap, b.level,
            [[[list(s) for s in cell] for cell in row] for row in b.rows]]


def _from_json(j: list[Any]) -> Block:
    kind, spans, indent, lead, gap, level, rows = j
    return Block(kind, tuple((s[0], s[1]) for s in spans), indent, lead, gap, level,
                 tuple(tuple(tuple((s[0], s[1]) for s in cell) for cell in row) for row in rows))
