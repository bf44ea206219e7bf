"""Anki export through genanki: one note per question, one deck per topic (quizkit::<topic>).

The note's guid comes from the question id, so re-importing a later export updates the notes (and keeps their
review history) instead of adding duplicates; the model id and each deck id are fixed for the same reason.
genanki is imported here only, never on the quiz path.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from quizkit.bank.model import Question
from quizkit.interop.common import Report, fmt_number, to_html

NOT_CARRIED = ("difficulty", "source", "scoring")
MODEL_ID = 1_607_392_417  # fixed forever: Anki recognises the note type by it
MODEL_NAME = "quizkit question"
DECK_ROOT = "quizkit"
CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; }\n.options { margin-top: .5em; }\n"


def deck_id(topic: str) -> int:
    """A deck id fixed by the topic's name, in genanki's suggested range [2**30, 2**31)."""
    digest = hashlib.sha256(f"quizkit-deck:{topic}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(qid: str) -> str:
    import genanki

    return str(genanki.guid_for("quizkit", qid))


def anki_tag(tag: str) -> str:
    """Anki tags cannot hold spaces."""
    return re.sub(r"\s+", "_", tag.strip())


def _model():  # type: ignore[no-untyped-def]
    import genanki

    return genanki.Model(
        MODEL_ID, MODEL_NAME,
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Id"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=CSS, sort_field_index=2,
    )


def front(q: Question) -> str:
    out = to_html(q.prompt)
    if q.options:
        items = "".join(f"<li>{q.letter_of(i)}. {to_html(opt)}</li>" for i, opt in enumerate(q.options))
        out += f'<ol class="options" style="list-style:none;padding-left:0">{items}</ol>'
    return out


def back(q: Question, t: Callable[..., str]) -> str:
    """The answer, then the explanation (and for a short answer the model answer and its rubric)."""
    if q.is_choice:
        letters = q.answer if isinstance(q.answer, tuple) else (str(q.answer),)
        answer = ", ".join(f"{q.letter_of(i)}. {to_html(opt)}" for i, opt in enumerate(q.options)
                           if q.letter_of(i) in letters)
    elif q.type == "true_false":
        answer = html.escape(t("true") if q.answer else t("false"))
    elif q.type == "numeric":
        answer = html.escape(fmt_number(float(q.answer)) + (f" {q.unit}" if q.unit else ""))  # type: ignore[arg-type]
        if q.tolerance or q.rel_tolerance:
            answer += html.escape(" ± " + (fmt_number(q.tolerance) if q.tolerance else f"{q.rel_tolerance:.0%}"))
    elif q.type == "symbolic":
        answer = f"<code>{html.escape(str(q.answer))}</code>"
    else:
        answer = to_html(str(q.answer))
    parts = [f"<p><b>{html.escape(t('correct_answer', answer=''))}</b>{answer}</p>"]
    if q.key_points:
        items = "".join(f"<li>{kp.points:g} · {to_html(kp.label)}</li>" for kp in q.key_points)
        parts.append(f"<p><b>{html.escape(t('interop.rubric'))}</b></p><ul>{items}</ul>")
    if q.explanation:
        parts.append(f"<p><b>{html.escape(t('explanation'))}</b>{to_html(q.explanation)}</p>")
    return "".join(parts)


def export(questions: list[Question], report: Report, t: Callable[..., str],
           titles: dict[str, str] | None = None) -> bytes:
    import genanki

    model = _model()
    decks: dict[str, genanki.Deck] = {}
    for q in questions:
        deck = decks.get(q.topic)
        if deck is None:
            deck = decks[q.topic] = genanki.Deck(deck_id(q.topic), f"{DECK_ROOT}::{q.topic}")
        tags = list(dict.fromkeys(anki_tag(tag) for tag in (q.topic, *q.tags) if tag.strip()))
        deck.add_note(genanki.Note(model=model, fields=[front(q), back(q, t), html.escape(q.id)],
                                   tags=tags, guid=note_guid(q.id)))
        report.written += 1
    with tempfile.TemporaryDirectory(prefix="quizkit-anki-") as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(list(decks.values())).write_to_file(os.fspath(path))
        return path.read_bytes()
