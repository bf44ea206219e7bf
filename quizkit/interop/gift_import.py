"""GIFT import: a tokenizer that keeps escapes (\\~ \\= \\# \\{ \\} \\: \\n \\\\) and the line of every
character, then Moodle's reading of each question (blocks split at blank lines, `//` comments,
`$CATEGORY:`, `::title::`, `[format]` prefixes, weights `%w%`, feedback `#`, general feedback `####`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizkit.interop.bankyaml import Draft
from quizkit.interop.common import (
    FormatError,
    category_topic,
    dollar_delims,
    from_html,
    make_id,
    read_rubric,
    weighted_multiple,
)

# Escaped reserved characters become private-use characters while the structure is read, then come back.
_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005", "~": "\ue006",
            "n": "\ue007", "\\": "\ue008"}
_BACK = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_WEIGHT = re.compile(r"^%(-*[0-9]{1,2}\.?[0-9]*)%")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]\x00-\x1f])+)\]")
_FORMATS = ("moodle", "html", "plain", "markdown")


def restore(text: str) -> str:
    return "".join(_BACK.get(ch, ch) for ch in text)


@dataclass
class Block:
    """One question's text with escapes folded into placeholders, and the source line of each character."""

    text: str
    lines: list[int]
    comments: str
    first: int  # the block's first line

    def line_at(self, index: int) -> int:
        return self.lines[min(max(index, 0), len(self.lines) - 1)] if self.lines else self.first


def tokenize(source: str) -> list[Block]:
    """Split at blank lines; drop `//` comment lines (kept aside for [id:] and [tag:]); fold escapes."""
    blocks: list[Block] = []
    chars: list[str] = []
    lines: list[int] = []
    comments: list[str] = []
    first = 0

    def flush() -> None:
        nonlocal chars, lines, comments
        if chars or comments:
            blocks.append(Block("".join(chars).strip(), lines, "\n".join(comments), first))
        chars, lines, comments = [], [], []

    for number, raw in enumerate(source.splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if not chars and not comments:
            first = number
        if line.startswith("//"):
            comments.append(line)
            continue
        if chars:
            chars.append("\n")
            lines.append(number)
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPES:
                chars.append(_ESCAPES[line[i + 1]])
                i += 2
            else:
                chars.append(ch)
                i += 1
            lines.append(number)
    flush()
    return blocks


def read_gift(path: Path) -> Draft:
    raw = path.read_bytes()
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise FormatError(f"{path}:{line}: error: not UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8")
    draft = Draft(str(path))
    topic = ""
    for block in tokenize(source):
        text = block.text
        if text.startswith("$CATEGORY:"):
            head, _, rest = text.partition("\n")
            topic = category_topic(restore(head[len("$CATEGORY:"):]))
            if not rest.strip():
                continue
            offset = len(text) - len(rest.lstrip())
            block = Block(rest.strip(), block.lines[offset:], block.comments, block.line_at(offset))
        if block.text:
            _question(block, draft, topic)
    return draft


def _field(text: str, default: str) -> tuple[str, list[str]]:
    """A text field in its format ([html] etc. prefix, else the question's), as bank text."""
    fmt = default
    match = re.match(r"^\[([a-z]+)\]", text)
    if match and match[1] in _FORMATS:
        fmt, text = match[1], text[match.end():]
    text = restore(text).strip()
    if fmt == "html":
        parsed = from_html(text)
        return parsed.text, [f"HTML <{tag}>" for tag in sorted(parsed.lost)]
    return dollar_delims(text), []


def _question(block: Block, draft: Draft, topic: str) -> None:
    text, line = block.text, block.first
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            draft.note(line, "", "skipped: the title '::' is never closed")
            return
        name, text = restore(text[2:end]).strip(), text[end + 2:].strip()
        block = Block(text, block.lines[end + 2:], block.comments, block.first)
    idnumber = _ID.search(block.comments)
    source = (idnumber[1].replace("\\]", "]").strip() if idnumber else "") or name
    qid = make_id([source], draft.ids, f"q{line}")
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        draft.note(line, qid, "skipped: a description (no answer part) is not a question")
        return
    if start < 0 or 0 <= finish < start:
        draft.note(block.line_at(finish), qid, "skipped: '}' without '{'")
        return
    if finish < 0:
        draft.note(block.line_at(start), qid, "skipped: '{' is never closed by '}' (a question must not "
                                              "contain a blank line)")
        return
    answer = text[start + 1:finish].strip()
    after = text[finish + 1:].strip()
    prompt_src = text[:start].rstrip() + (" _____ " + after if after else "")
    fmt = "moodle"
    match = re.match(r"^\[([a-z]+)\]", prompt_src)
    if match and match[1] in _FORMATS:
        fmt = match[1]
    general = ""
    if "####" in answer:
        answer, general = answer[:answer.rfind("####")].strip(), answer[answer.rfind("####") + 4:]
    q = _Reader(draft, qid, line, fmt)
    if source and source != qid:
        q.lost.append(f"the id '{source}', which is not a bank id (written as '{qid}')")
    prompt, lost = _field(prompt_src, fmt)
    explanation, lost_gf = _field(general, fmt)
    q.lost.extend(lost + lost_gf)
    fields = q.read(answer, general)
    if fields is None:
        return
    tags = [t.replace("\\]", "]").strip() for t in _TAG.findall(block.comments)]
    extra = fields.pop("_feedback", [])
    explanation = "\n".join([explanation, *extra]).strip() if extra else explanation
    question = {"id": qid, "prompt": prompt, **fields, "explanation": explanation, "tags": tags}
    if q.lost:
        draft.note(line, qid, "not kept: " + "; ".join(dict.fromkeys(q.lost)))
    draft.add(question, topic)


class _Reader:
    """The answer part of one question, read the way Moodle's GIFT reader decides the type."""

    def __init__(self, draft: Draft, qid: str, line: int, fmt: str):
        self.draft, self.qid, self.line, self.fmt = draft, qid, line, fmt
        self.lost: list[str] = []

    def skip(self, why: str) -> None:
        self.draft.note(self.line, self.qid, "skipped: " + why)

    def read(self, answer: str, general: str) -> dict[str, Any] | None:
        if answer == "":
            return self.essay(general)
        if answer.startswith("#"):
            return self.numerical(answer[1:])
        if "~" in answer:
            return self.choice(answer)
        if "=" in answer and "->" in answer:
            self.skip("a matching question has no quizkit type")
            return None
        head = answer.split("#", 1)[0].strip()
        if head in ("T", "TRUE", "F", "FALSE"):
            value = head.startswith("T")
            wrong, right = (answer.split("#") + ["", ""])[1:3]
            names = ("TRUE", "FALSE") if value else ("FALSE", "TRUE")
            feedback = [f"{name}: {self.text(fb)}" for name, fb in zip(names, (right, wrong)) if fb.strip()]
            if feedback:
                self.lost.append("right/wrong feedback (moved into the explanation)")
            return {"type": "true_false", "answer": value, "_feedback": feedback}
        return self.shortanswer(answer)

    def text(self, src: str) -> str:
        value, lost = _field(src.strip(), self.fmt)
        self.lost.extend(lost)
        return value

    def parts(self, answer: str, weighted_equals: bool = True) -> list[tuple[float | None, str, str]]:
        """(weight or None, text, feedback) of each `=`/`~` answer. Moodle reads `=%50%x` as a weight in short
        and numerical answers, but as full credit for the text '%50%x' in a choice."""
        out = []
        for item in answer.replace("=", "~=").split("~"):
            item = item.strip()
            if not item:
                continue
            weight: float | None = None
            if item.startswith("="):
                weight, item = 1.0, item[1:].lstrip()
            if (weight is None or weighted_equals) and (m := _WEIGHT.match(item)) is not None:
                weight, item = float(m[1].replace("--", "-")) / 100, item[m.end():]
            body, _, feedback = item.partition("#")
            out.append((weight, body, feedback))
        return out

    def feedback(self, letters_and_texts: list[tuple[str, str]]) -> list[str]:
        notes = [f"{label}: {self.text(fb)}" for label, fb in letters_and_texts if fb.strip()]
        if notes:
            self.lost.append("per-answer feedback (moved into the explanation)")
        return notes

    def choice(self, answer: str) -> dict[str, Any] | None:
        parts = self.parts(answer, weighted_equals=False)
        if not 2 <= len(parts) <= 8:
            self.skip(f"a choice question needs 2 to 8 options, not {len(parts)}")
            return None
        options = [self.text(body) for _, body, _ in parts]
        letters = "ABCDEFGH"
        fractions = [w or 0.0 for w, _, _ in parts]
        fb = self.feedback([(letters[i], f) for i, (_, _, f) in enumerate(parts)])
        if "=" in answer:  # Moodle: an '=' answer makes it a one-answer question
            full = [i for i, f in enumerate(fractions) if f >= 1 - 1e-9]
            if len(full) > 1:
                self.lost.append(f"full credit for {', '.join(letters[i] for i in full[1:])} too (only "
                                 f"{letters[full[0]]} is the answer)")
            if any(0 < f < 1 - 1e-9 or f < 0 for f in fractions):
                self.lost.append("partial credit and penalties of the other options")
            return {"type": "single", "options": options, "answer": letters[full[0]], "_feedback": fb}
        return weighted_multiple(options, fractions, fb, letters, self.skip, self.lost)

    def numerical(self, answer: str) -> dict[str, Any] | None:
        if "~" in answer:
            answer = answer[:answer.find("~")]
            self.lost.append("the feedback for wrong answers")
        parts = self.parts(answer) if "=" in answer else [(1.0, answer, "")]
        full = [(body, fb) for w, body, fb in parts if w is None or w >= 1 - 1e-9]
        if not full:
            self.skip("no numerical answer has full credit")
            return None
        if len(parts) > 1:
            self.lost.append("the other accepted numbers and their partial credit")
        body = restore(full[0][0]).strip()
        try:
            if ".." in body[1:]:
                low, high = (float(x) for x in body.split("..", 1))
                value, tol = (low + high) / 2, (high - low) / 2
            else:
                num, _, tol_text = body.partition(":") if ":" in body[1:] else (body, "", "0")
                value, tol = float(num), float(tol_text or 0)
        except ValueError:
            self.skip(f"'{body}' is not a number (GIFT numerical: {{#answer:tolerance}} or {{#min..max}})")
            return None
        out: dict[str, Any] = {"type": "numeric", "answer": value}
        if tol:
            out["tolerance"] = abs(tol)
        out["_feedback"] = self.feedback([("", fb) for _, fb in full if fb.strip()])
        return out

    def shortanswer(self, answer: str) -> dict[str, Any] | None:
        parts = self.parts(answer if answer.startswith("=") else "=" + answer)
        accepted = [self.text(body) for w, body, _ in parts if w is None or w >= 1 - 1e-9]
        accepted = [a for a in accepted if a]
        if not accepted:
            self.skip("no short answer has full credit")
            return None
        if len(accepted) < len(parts):
            self.lost.append("answers with partial credit")
        self.lost.append("exact matching: quizkit gives the credit when the text contains an accepted answer")
        return {"type": "short_answer", "answer": accepted[0], "key_points": [{"points": 1, "any": accepted}],
                "_feedback": self.feedback([(a, fb) for a, (_, _, fb) in zip(accepted, parts)])}

    def essay(self, general: str) -> dict[str, Any] | None:
        fmt = "html" if general.strip().startswith("[html]") else self.fmt
        parsed = from_html(restore(re.sub(r"^\[[a-z]+\]", "", general.strip()))) if fmt == "html" else None
        if parsed is None or parsed.blob is None:
            self.skip("an essay without a quizkit rubric block: a short answer needs key points")
            return None
        try:
            return read_rubric(parsed.blob)
        except ValueError as err:
            self.skip(str(err))
            return None
