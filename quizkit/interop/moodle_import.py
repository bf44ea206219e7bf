"""Moodle XML import, parsed with expat under a refusal of every DTD and entity declaration: a hostile file
gets a one-line error, never an expansion (billion laughs) or an external fetch."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.parsers import expat

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

LETTERS = "ABCDEFGH"
MAX_BYTES = 64 * 1024 * 1024


class _Refused(Exception):
    pass


def parse(path: Path) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The document and the line of every element. A DOCTYPE, an entity declaration or an external entity is
    refused before anything is expanded."""
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise FormatError(f"{path}:1: error: larger than {MAX_BYTES // 2**20} MB; not a question export")
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[builder.start(tag, attrs)] = parser.CurrentLineNumber

    def refuse(*_: Any) -> None:
        raise _Refused()

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.buffer_text = True
    try:
        parser.Parse(raw, True)
    except _Refused:
        raise FormatError(f"{path}:{parser.CurrentLineNumber}: error: DTDs and entity declarations are refused "
                          "(a Moodle export has none)") from None
    except expat.ExpatError as err:
        raise FormatError(f"{path}:{err.lineno}: error: not well-formed XML "
                          f"({expat.ErrorString(err.code)})") from None
    return builder.close(), lines


def read_moodle(path: Path) -> Draft:
    root, lines = parse(path)
    if root.tag != "quiz":
        raise FormatError(f"{path}:1: error: the root element is <{root.tag}>, not <quiz>: not Moodle XML")
    draft = Draft(str(path))
    topic = ""
    for el in root.iter("question"):
        kind, line = el.get("type", ""), lines.get(el, 1)
        if kind == "category":
            topic = category_topic(el.findtext("category/text") or "")
            info = _text(el.find("info"), [])
            if info:
                draft.titles.append(info)
            continue
        _Question(draft, el, line, kind).read(topic)
    return draft


def _text(el: ET.Element | None, lost: list[str]) -> str:
    """A Moodle text field as bank text: HTML turned back into text, math back between dollars."""
    if el is None:
        return ""
    source = el.findtext("text") or ""
    if el.find("file") is not None:
        lost.append("embedded files (images)")
    if el.get("format", "html") in ("html", "moodle_auto_format"):
        parsed = from_html(source)
        lost.extend(f"HTML <{tag}>" for tag in sorted(parsed.lost))
        return parsed.text
    return dollar_delims(source.strip())


class _Question:
    def __init__(self, draft: Draft, el: ET.Element, line: int, kind: str):
        self.draft, self.el, self.line, self.kind = draft, el, line, kind
        self.lost: list[str] = []
        source = (el.findtext("idnumber") or "").strip() or _text(el.find("name"), [])
        self.qid = make_id([source], draft.ids, f"q{line}")
        if source and source != self.qid:
            self.lost.append(f"the id '{source}', which is not a bank id (written as '{self.qid}')")

    def skip(self, why: str) -> None:
        self.draft.note(self.line, self.qid, "skipped: " + why)

    def read(self, topic: str) -> None:
        reader = {"multichoice": self.choice, "truefalse": self.truefalse, "numerical": self.numerical,
                  "essay": self.essay, "shortanswer": self.shortanswer}.get(self.kind)
        if reader is None:
            self.skip(f"Moodle type '{self.kind}' has no quizkit equivalent")
            return
        fields = reader()
        if fields is None:
            return
        extra = fields.pop("_feedback", [])
        explanation = _text(self.el.find("generalfeedback"), self.lost)
        if extra:
            explanation = "\n".join([explanation, *extra]).strip()
            self.lost.append("per-answer feedback (moved into the explanation)")
        tags = [t.strip() for t in (x.text or "" for x in self.el.findall("tags/tag/text")) if t.strip()]
        question = {"id": self.qid, "prompt": _text(self.el.find("questiontext"), self.lost), **fields,
                    "explanation": explanation, "tags": tags}
        if self.lost:
            self.draft.note(self.line, self.qid, "not kept: " + "; ".join(dict.fromkeys(self.lost)))
        self.draft.add(question, topic)

    def answers(self) -> list[tuple[float, str, str]]:
        """(fraction 0..1, text, feedback) of each <answer>."""
        out = []
        for ans in self.el.findall("answer"):
            try:
                fraction = float(ans.get("fraction", "0")) / 100
            except ValueError:
                fraction = 0.0
            out.append((fraction, _text(ans, self.lost), _text(ans.find("feedback"), self.lost)))
        return out

    def feedback(self, labelled: list[tuple[str, str]]) -> list[str]:
        return [f"{label}: {fb}" if label else fb for label, fb in labelled if fb]

    def choice(self) -> dict[str, Any] | None:
        answers = self.answers()
        if not 2 <= len(answers) <= len(LETTERS):
            self.skip(f"a choice question needs 2 to {len(LETTERS)} options, not {len(answers)}")
            return None
        options = [text for _, text, _ in answers]
        fractions = [f for f, _, _ in answers]
        fb = self.feedback([(LETTERS[i], f) for i, (_, _, f) in enumerate(answers)])
        if (self.el.findtext("single") or "true").strip().lower() in ("true", "1"):
            full = [i for i, f in enumerate(fractions) if f >= 1 - 1e-6]
            if not full:
                self.skip("no option has full credit")
                return None
            if len(full) > 1 or any(f < 0 or 0 < f < 1 - 1e-6 for f in fractions):
                self.lost.append("partial credit, penalties or a second fully right option")
            return {"type": "single", "options": options, "answer": LETTERS[full[0]], "_feedback": fb}
        return weighted_multiple(options, fractions, fb, LETTERS, self.skip, self.lost)

    def truefalse(self) -> dict[str, Any] | None:
        answers = self.answers()
        right = [text.strip().lower() for f, text, _ in answers if f >= 1 - 1e-6]
        if len(right) != 1 or right[0] not in ("true", "false"):
            self.skip("a true/false question needs exactly one of 'true' and 'false' with full credit")
            return None
        fb = self.feedback([(text, f) for _, text, f in answers])
        return {"type": "true_false", "answer": right[0] == "true", "_feedback": fb}

    def numerical(self) -> dict[str, Any] | None:
        full = [a for a in self.el.findall("answer") if _fraction(a) >= 1 - 1e-6]
        if not full:
            self.skip("no numerical answer has full credit")
            return None
        if len(self.el.findall("answer")) > 1:
            self.lost.append("the other accepted numbers and their credit")
        text = (full[0].findtext("text") or "").strip()
        try:
            value = float(text)
            tol = abs(float(full[0].findtext("tolerance") or 0))
        except ValueError:
            self.skip(f"'{text}' is not a number")
            return None
        out: dict[str, Any] = {"type": "numeric", "answer": value}
        if tol:
            out["tolerance"] = tol
        units = [(u.findtext("unit_name") or "", u.findtext("multiplier") or "1") for u in self.el.findall("units/unit")]
        base = [name for name, mult in units if _float(mult) == 1.0 and name.strip()]
        if base:
            out["unit"] = base[0].strip()
        if len(units) > len(base[:1]):
            self.lost.append("units other than the base unit")
        out["_feedback"] = self.feedback([("", _text(full[0].find("feedback"), self.lost))])
        return out

    def essay(self) -> dict[str, Any] | None:
        info = self.el.find("graderinfo")
        parsed = from_html(info.findtext("text") or "") if info is not None else None
        if parsed is None or parsed.blob is None:
            self.skip("an essay without a quizkit rubric in its grader information: a short answer needs "
                      "key points")
            return None
        try:
            return read_rubric(parsed.blob)
        except ValueError as err:
            self.skip(str(err))
            return None

    def shortanswer(self) -> dict[str, Any] | None:
        answers = self.answers()
        accepted = [text for f, text, _ in answers if f >= 1 - 1e-6 and text]
        if not accepted:
            self.skip("no short answer has full credit")
            return None
        if len(accepted) < len(answers):
            self.lost.append("answers with partial credit")
        self.lost.append("exact matching: quizkit gives the credit when the text contains an accepted answer")
        fb = self.feedback([(text, f) for _, text, f in answers])
        return {"type": "short_answer", "answer": accepted[0], "key_points": [{"points": 1, "any": accepted}],
                "_feedback": fb}


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _fraction(el: ET.Element) -> float:
    return (_float(el.get("fraction", "0")) or 0.0) / 100
