"""GIFT export (Moodle's text format): `$CATEGORY:` per topic, `::id::` titles, `// [id:] [tag:]` comments.

Weights come from Moodle's allowed list; a multiple-choice question's net_correct is ±100/|C| per option, and a
scheme GIFT cannot express is named in a warning. Short and symbolic answers become essays whose general
feedback carries the explanation and the rubric block (GIFT essays have no grader information).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from quizkit.bank.model import Question
from quizkit.interop.common import (
    CATEGORY_ROOT,
    Report,
    abs_tolerance,
    choice_weights,
    fmt_number,
    rubric_block,
    tex_delims,
)

NOT_CARRIED = ("difficulty", "source", "unit")
RESERVED = "\\~=#{}:"
_WEIGHT = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")  # what Moodle's reader takes for a weight


def escape(text: str) -> str:
    """GIFT's escapes: a backslash before each reserved character, \\n for a line break."""
    out = "".join("\\" + ch if ch in RESERVED else ch for ch in text.replace("\r", ""))
    return out.replace("\n", "\\n")


def _needs_html(text: str) -> bool:
    return any(ch in text for ch in "<>&")


class _Fields:
    """The text fields of one question, in one format: plain (Moodle's default) unless one of them holds
    characters HTML would swallow, then [html] for all of them."""

    def __init__(self, texts: list[str], html_anyway: bool = False):
        self.html = html_anyway or any(_needs_html(tex_delims(t)) for t in texts)

    def __call__(self, text: str) -> str:
        text = tex_delims(text)
        if self.html:
            text = html.escape(text, quote=False).replace("\n", "<br>")
        return escape(text)

    @property
    def prefix(self) -> str:
        return "[html]" if self.html else ""


def export(questions: list[Question], report: Report, t: Callable[..., str],
           titles: dict[str, str] | None = None) -> str:
    blocks: list[str] = []
    topic = None
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            blocks.append(f"$CATEGORY: {CATEGORY_ROOT}/{topic}")
        blocks.append(_question(q, report, t))
        report.written += 1
    return "\n\n".join(blocks) + "\n"


def _question(q: Question, report: Report, t: Callable[..., str]) -> str:
    tags = " ".join(f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in q.tags)
    head = f"// [id:{q.id}]" + (f" {tags}" if tags else "")
    essay = q.type in ("short_answer", "symbolic")
    fields = _Fields([q.prompt, q.explanation, *q.options], html_anyway=essay)
    title = f"::{escape(q.id)}::{fields.prefix}{fields(q.prompt)}"
    feedback = fields(q.explanation)
    if essay:
        if q.type == "symbolic":
            report.warn(q, "exported as an essay graded by hand: GIFT has no type that checks expressions")
        feedback += escape(rubric_block(q, t))
    general = f"####{feedback}" if feedback else ""
    if q.is_choice:
        lines = [f"\t{mark}{fields(opt)}" for mark, opt in zip(_marks(q, report), q.options)]
        if general:
            lines.append("\t" + general)
        body = "{\n" + "\n".join(lines) + "\n}"
    elif q.type == "true_false":
        body = "{" + ("TRUE" if q.answer else "FALSE") + general + "}"
    elif q.type == "numeric":
        tol = abs_tolerance(q, report)
        body = "{#" + fmt_number(float(q.answer)) + ":" + fmt_number(tol) + general + "}"  # type: ignore[arg-type]
        if q.unit:
            report.warn(q, f"the unit '{q.unit}' is dropped: GIFT numerical answers have no units")
    else:
        body = "{" + general + "}"
    return f"{head}\n{title}{body}"


def _marks(q: Question, report: Report) -> list[str]:
    """= / ~ for a single answer; ~%w% for every option of a multiple one."""
    if q.type == "multiple":
        return [f"~%{w}%" for w in choice_weights(q, report)]
    marks = []
    for i, option in enumerate(q.options):
        if q.letter_of(i) == q.answer:
            marks.append("=")
        else:  # an option that itself starts like a weight gets an explicit one
            marks.append("~%0%" if _WEIGHT.match(option) else "~")
    return marks
