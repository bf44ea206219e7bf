"""Moodle XML export: one category per topic, then that topic's questions.

single/multiple -> multichoice (answer weights from Moodle's allowed list), true_false -> truefalse,
numeric -> numerical (absolute tolerance, unit), short_answer and symbolic -> essay with the rubric in
graderinfo (no core Moodle type grades free text or checks an expression), explanation -> generalfeedback,
id -> name and idnumber, tags -> tags, math as \\( ... \\).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from quizkit.bank.model import Question
from quizkit.interop.common import (
    CATEGORY_ROOT,
    Report,
    abs_tolerance,
    choice_weights,
    fmt_number,
    rubric_block,
    to_html,
)

NOT_CARRIED = ("difficulty", "source")
KINDS = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse", "numeric": "numerical",
         "short_answer": "essay", "symbolic": "essay"}


def export(questions: list[Question], report: Report, t: Callable[..., str],
           titles: dict[str, str] | None = None) -> str:
    """The whole quiz file as text; `titles` (bank path -> title) describe the categories."""
    root = ET.Element("quiz")
    topics: dict[str, list[Question]] = {}
    for q in questions:
        topics.setdefault(q.topic, []).append(q)
    for topic, members in topics.items():
        names = dict.fromkeys((titles or {}).get(q.bank, "") for q in members)
        root.append(_category(topic, [n for n in names if n]))
        for q in members:
            root.append(_question(q, report, t))
            report.written += 1
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    el.text = text
    return el


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    """<tag format=...><text>...</text></tag>, Moodle's shape for every text field."""
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    _sub(el, "text", text)
    return el


def _category(topic: str, titles: list[str]) -> ET.Element:
    el = ET.Element("question", type="category")
    cat = ET.SubElement(el, "category")
    _sub(cat, "text", f"{CATEGORY_ROOT}/{topic}")
    _text(el, "info", to_html(" · ".join(titles)), "html")
    _sub(el, "idnumber")
    return el


def _question(q: Question, report: Report, t: Callable[..., str]) -> ET.Element:
    el = ET.Element("question", type=KINDS[q.type])
    _text(el, "name", q.id)
    _text(el, "questiontext", to_html(q.prompt), "html")
    _text(el, "generalfeedback", to_html(q.explanation), "html")
    _sub(el, "defaultgrade", "1")
    _sub(el, "penalty", "0.3333333" if q.is_choice else "0")
    _sub(el, "hidden", "0")
    _sub(el, "idnumber", q.id)
    if q.is_choice:
        _choice(el, q, report)
    elif q.type == "true_false":
        for value in (True, False):
            _answer(el, "100" if q.answer is value else "0", str(value).lower(), "moodle_auto_format")
    elif q.type == "numeric":
        _numerical(el, q, report)
    else:
        if q.type == "symbolic":
            report.warn(q, "exported as an essay graded by hand: no core Moodle type checks that two "
                           "expressions are equivalent")
        _essay(el, q, t)
    if q.tags:
        tags = ET.SubElement(el, "tags")
        for tag in q.tags:
            _text(tags, "tag", tag)
    return el


def _answer(el: ET.Element, fraction: str, text: str, fmt: str = "html") -> ET.Element:
    ans = ET.SubElement(el, "answer", {"fraction": fraction, "format": fmt})
    _sub(ans, "text", text)
    _text(ans, "feedback", "", "html")
    return ans


def _choice(el: ET.Element, q: Question, report: Report) -> None:
    single = q.type == "single"
    _sub(el, "single", "true" if single else "false")
    _sub(el, "shuffleanswers", "true")
    _sub(el, "answernumbering", "ABCD")
    _sub(el, "showstandardinstruction", "0")
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(el, name, "", "html")
    if not single:
        _sub(el, "shownumcorrect")
        weights = choice_weights(q, report)
    else:
        weights = ["100" if q.letter_of(i) == q.answer else "0" for i in range(len(q.options))]
    for option, weight in zip(q.options, weights):
        _answer(el, weight, to_html(option))


def _numerical(el: ET.Element, q: Question, report: Report) -> None:
    ans = _answer(el, "100", fmt_number(float(q.answer)), "moodle_auto_format")  # type: ignore[arg-type]
    _sub(ans, "tolerance", fmt_number(abs_tolerance(q, report)))
    if q.unit:
        units = ET.SubElement(el, "units")
        unit = ET.SubElement(units, "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", q.unit)
    _sub(el, "unitgradingtype", "0")  # the unit is optional, as in quizkit
    _sub(el, "unitpenalty", "0.1000000")
    _sub(el, "showunits", "0" if q.unit else "3")
    _sub(el, "unitsleft", "0")


def _essay(el: ET.Element, q: Question, t: Callable[..., str]) -> None:
    _sub(el, "responseformat", "editor")
    _sub(el, "responserequired", "1")
    _sub(el, "responsefieldlines", "10")
    _sub(el, "attachments", "0")
    _sub(el, "attachmentsrequired", "0")
    _text(el, "graderinfo", rubric_block(q, t), "html")
    _text(el, "responsetemplate", "", "html")
