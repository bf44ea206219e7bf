"""The library side of `quizkit bank export` and `quizkit bank import`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from quizkit.bank.model import Question
from quizkit.interop.bankyaml import Draft, to_yaml
from quizkit.interop.common import Draw, Report, prepare

EXPORT_FORMATS = ("moodle-xml", "gift", "anki")
IMPORT_FORMATS = ("moodle-xml", "gift")


def not_carried(fmt: str) -> tuple[str, ...]:
    """The bank fields a format never holds (named once, not per question)."""
    module = _module(fmt)
    return module.NOT_CARRIED  # type: ignore[no-any-return]


def _module(fmt: str):  # type: ignore[no-untyped-def]
    if fmt == "moodle-xml":
        from quizkit.interop import moodle as module
    elif fmt == "gift":
        from quizkit.interop import gift as module  # type: ignore[no-redef]
    elif fmt == "anki":
        from quizkit.interop import anki as module  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return module


def drawer(variants: int, seed: int | None = None) -> Draw:
    """A parametrized question as up to `variants` fixed questions with distinct numbers, ids `<id>.v1`, ...
    (reproducible with `seed`)."""
    import dataclasses

    from quizkit.bank.params import instantiate
    from quizkit.quiz.select import make_rng

    def draw(q: Question) -> list[Question]:
        rng = make_rng(seed, "export:" + q.id)
        seen: dict[tuple, Question] = {}
        for _ in range(variants * 20):
            if len(seen) == variants:
                break
            one = instantiate(q, rng)
            seen.setdefault(one.drawn, one)
        return [dataclasses.replace(v, id=f"{q.id}.v{k}", params=(), where=())
                for k, v in enumerate(seen.values(), 1)]

    return draw


def export_banks(paths: Iterable[str | Path] | None, fmt: str, *, lang: str | None = None,
                 draw: Draw | None = None) -> tuple[str | bytes, Report]:
    """Load the banks (any error stops here) and render them in `fmt`, with the report of what was lost."""
    from quizkit.bank.load import load_checked
    from quizkit.render.i18n import set_lang, t

    result = load_checked(paths)
    set_lang(lang)
    report = Report()
    questions = prepare(result.questions, report, draw)
    titles = {b.path: b.title for b in result.banks}
    content = _module(fmt).export(questions, report, t, titles)
    return content, report


def detect_format(path: Path) -> str:
    """By extension, else by the first characters: XML starts with '<'."""
    if path.suffix.lower() == ".xml":
        return "moodle-xml"
    if path.suffix.lower() in (".gift", ".txt"):
        return "gift"
    head = path.read_bytes()[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "moodle-xml" if head.startswith(b"<") else "gift"


def import_file(path: Path, fmt: str | None = None, *, title: str | None = None) -> tuple[str, Draft]:
    """The bank YAML for a GIFT or Moodle XML file, and the draft with its notes."""
    fmt = fmt or detect_format(path)
    if fmt == "moodle-xml":
        from quizkit.interop.moodle_import import read_moodle

        draft = read_moodle(path)
    else:
        from quizkit.interop.gift_import import read_gift

        draft = read_gift(path)
    name = title or (draft.titles[0] if len(set(draft.titles)) == 1 else "") or path.stem
    return to_yaml(draft, name), draft
