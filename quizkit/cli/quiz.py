"""Study commands: quiz, exam, review, mistakes, stats. Parse, call quizkit.quiz, render; nothing more."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from quizkit.cli.options import bank_option, count_option, format_option, lang_option, study_options
from quizkit.errors import QuizkitError

EXIT_INTERRUPTED = 130


def _setup(lang: str | None) -> None:
    from quizkit.render.i18n import set_lang

    set_lang(lang)


def _load(banks: Sequence[str]) -> list[Any]:
    from quizkit.bank.cache import load_questions

    return load_questions(list(banks) or None)


def _filtered(banks: Sequence[str], tags: Sequence[str], types: Sequence[str], difficulty: str | None) -> tuple[
        list[Any], list[Any]]:
    from quizkit.quiz import select

    questions = _load(banks)
    filters = select.Filters(tuple(tags), select.parse_types(types), select.parse_difficulty(difficulty))
    return questions, select.apply(questions, filters)


def _nothing(key: str, **args: Any) -> None:
    from quizkit.render.i18n import t

    raise QuizkitError(t(key, **args))


def _run(items: list[Any], kind: str, raw_math: bool, *, schedule: bool = True, feedback: bool = True,
         args: dict[str, Any] | None = None) -> None:
    """Run a practice-style session (feedback after each answer) and show its summary."""
    from quizkit.quiz import session
    from quizkit.render.terminal import TerminalPort
    from quizkit.render.terminal import summary as show_summary
    from quizkit.store import open_store

    port = TerminalPort(raw_math)
    with open_store() as st:
        summary = session.run(items, port, st, session.Options(kind=kind, feedback=feedback, schedule=schedule,
                                                               args=args or {}))
        show_summary(port, summary, st.path)
    if summary.ended_by == "interrupt":
        sys.exit(EXIT_INTERRUPTED)


@click.command()
@study_options
@count_option(default=10)
def quiz(banks: tuple[str, ...], tags: tuple[str, ...], types: tuple[str, ...], difficulty: str | None,
         seed: int | None, lang: str | None, no_shuffle: bool, raw_math: bool, count: int) -> None:
    """Practise: instant feedback, the right answer and the explanation after each question.

    \b
    Answer choices with letters (AC, a,c, A C), true/false with T/F, 对/错 or y/n, numbers as 0.25, 1/4 or
    1e-3, expressions as s*(1-s). Short answers are marked against their key points; you then confirm the
    suggested rating (Enter) or type 1 Again, 2 Hard, 3 Good, 4 Easy.
    At any prompt: ? help, s skip, q quit. Piped input is read line by line; end of input ends the session.
    """
    from quizkit.quiz import select

    _setup(lang)
    _, pool = _filtered(banks, tags, types, difficulty)
    if not pool:
        _nothing("empty.selection")
    items = select.present(select.sample(pool, count, seed), seed, not no_shuffle)
    _run(items, "quiz", raw_math, args={"tags": tags, "types": types, "count": count, "seed": seed})


def _finite(**values: float | None) -> None:
    """FloatRange lets nan and inf through (no comparison fails for them): a time limit or pass mark must be a
    number. Checked in the command, once --lang has chosen the language of the message."""
    import math

    from quizkit.errors import UsageError
    from quizkit.render.i18n import t

    for option, value in values.items():
        if value is not None and not math.isfinite(value):
            raise UsageError(t("usage.finite", option=f"--{option}", value=value))


@click.command()
@study_options
@click.option("--layout", default=None, metavar="TYPE=N[:PTS],...",
              help="Sections and their sizes (points per question optional). "
                   "Default: single=20,multiple=10,true_false=10,short_answer=4 (100 points).")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Time limit; the time left is shown with each question.")
@click.option("--pass", "pass_mark", type=click.FloatRange(0, 100), default=60.0, show_default=True,
              help="Pass mark, in percent.")
def exam(banks: tuple[str, ...], tags: tuple[str, ...], types: tuple[str, ...], difficulty: str | None,
         seed: int | None, lang: str | None, no_shuffle: bool, raw_math: bool, layout: str | None,
         minutes: float | None, pass_mark: float) -> None:
    """Sit a mock exam laid out like the real one: 单选, 多选, 判断, 简答 (then numeric, symbolic if asked).

    No feedback until the end; then a report by section and by topic, the pass mark, and every question
    answered wrongly with its explanation. With --minutes the exam ends when time is up and unanswered
    questions score 0. Short answers are marked by their key points, without a self-rating.
    """
    from quizkit.quiz import exam as exam_mod
    from quizkit.quiz import session
    from quizkit.render import views
    from quizkit.render.terminal import TerminalPort
    from quizkit.store import open_store

    _setup(lang)
    _finite(minutes=minutes, **{"pass": pass_mark})
    _, pool = _filtered(banks, tags, types, difficulty)
    sections = exam_mod.parse_layout(layout)
    paper = exam_mod.build(pool, sections, seed, not no_shuffle)
    if not paper.items:
        _nothing("empty.selection")
    port = TerminalPort(raw_math)
    views.exam_intro(port, paper, pass_mark, minutes)
    opts = session.Options(kind="exam", feedback=False, schedule=True,
                           time_limit=minutes * 60 if minutes else None,
                           sections=views.exam_section_titles(paper),
                           args={"layout": layout, "minutes": minutes, "pass": pass_mark, "seed": seed})
    with open_store() as st:
        summary = session.run(paper.items, port, st, opts)
        report = exam_mod.report(paper, summary, pass_mark)
        st.end_session(summary.session_id or 0, {**summary.to_dict(), "exam": report.to_dict()})
    views.exam_report(port, report)
    if summary.ended_by == "interrupt":
        sys.exit(EXIT_INTERRUPTED)


@click.command()
@study_options
@count_option()
@click.option("--cram", is_flag=True, help="Ignore the schedule: practise everything selected; FSRS is left untouched.")
def review(banks: tuple[str, ...], tags: tuple[str, ...], types: tuple[str, ...], difficulty: str | None,
           seed: int | None, lang: str | None, no_shuffle: bool, raw_math: bool, count: int | None,
           cram: bool) -> None:
    """Review the questions FSRS says are due now, most overdue first.

    Each answer is rated for FSRS (wrong: Again, partly right: Hard, right: Good; short answers: your own
    rating) and the card is rescheduled. --cram practises without touching the schedule.
    """
    from quizkit.quiz import clock, select
    from quizkit.render.i18n import t
    from quizkit.render.terminal import Terminal
    from quizkit.store import open_store

    _setup(lang)
    _, pool = _filtered(banks, tags, types, difficulty)
    if cram:
        if not pool:
            _nothing("empty.selection")
        Terminal().para((t("cram.start"), "dim"))
        items = select.present(select.sample(pool, count, seed), seed, not no_shuffle)
        _run(items, "cram", raw_math, schedule=False, args={"tags": tags, "count": count, "seed": seed})
        return
    now = clock.now()
    by_id = {q.id: q for q in pool}
    with open_store() as st:
        cards = [c for c in st.cards() if c.question_id in by_id]
    due = [by_id[c.question_id] for c in cards if c.due <= now]  # cards() is ordered by due date
    term = Terminal(raw_math)
    if not due:
        upcoming = [c.due for c in cards if c.due > now]
        if upcoming:
            import datetime as dt

            when = dt.datetime.fromtimestamp(min(upcoming)).strftime("%Y-%m-%d %H:%M")
            term.para(t("empty.review", next=t("empty.review.next", when=when)))
        else:
            term.para(t("empty.review", next=t("empty.review.new")))
        return
    due = select.one_per_group(due)  # the most overdue of each group
    total = len(due)
    if count is not None:
        due = due[:count]
    start = t("review.start", n=total) if len(due) == total else t("review.start_some", total=total, n=len(due))
    term.para((start, "dim"))
    _run(select.present(due, seed, not no_shuffle), "review", raw_math, args={"tags": tags, "count": count})


@click.command()
@study_options
@count_option()
@click.option("--redo", is_flag=True, help="Answer them again; two right answers in a row clear a question.")
def mistakes(banks: tuple[str, ...], tags: tuple[str, ...], types: tuple[str, ...], difficulty: str | None,
             seed: int | None, lang: str | None, no_shuffle: bool, raw_math: bool, count: int | None,
             redo: bool) -> None:
    """List the questions answered wrongly (错题本), most recent and most often first.

    A question leaves the list after it is answered right twice in a row. --redo runs a session of them.
    """
    from quizkit.quiz import select
    from quizkit.render import views
    from quizkit.render.terminal import Terminal
    from quizkit.store import open_store

    _setup(lang)
    questions, pool = _filtered(banks, tags, types, difficulty)
    by_id = {q.id: q for q in pool}
    filtered = bool(tags or types or difficulty)
    with open_store() as st:
        rows = [m for m in st.mistakes() if m.question_id in by_id or not filtered]
    if count is not None:
        rows = rows[:count]
    if not redo:
        views.mistakes(Terminal(raw_math), rows, {q.id: q for q in questions})
        return
    items = [by_id[m.question_id] for m in rows if m.question_id in by_id]
    if not items:
        _nothing("empty.mistakes")
    _run(select.present(items, seed, not no_shuffle), "mistakes", raw_math, args={"tags": tags, "count": count})


@click.command()
@bank_option
@format_option("text", "json")
@lang_option
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              metavar="FILE.json", help="Write your attempts (question, answer, score, time) for your instructor's "
                                        "`quizkit bank analyze`; nothing personal but --name.")
@click.option("--name", default="", help="The name to put on the export (your choice; default none).")
def stats(banks: tuple[str, ...], fmt: str, lang: str | None, export_path: str | None, name: str) -> None:
    """Accuracy and mastery per topic, totals and study streak, the 7-day forecast, and the weakest topics
    with the command to practise each."""
    import json

    from quizkit.quiz import clock, progress
    from quizkit.render import views
    from quizkit.render.terminal import Terminal
    from quizkit.store import open_store

    _setup(lang)
    if export_path is not None:
        from quizkit.render.i18n import t
        from quizkit.store.export import export_attempts

        with open_store() as st:
            n = export_attempts(st, export_path, name)
        click.echo(t("stats.exported", n=n, path=export_path))
        return
    questions = _load(banks)
    with open_store() as st:
        figures = progress.compute(questions, st, clock.now())
    if fmt == "json":
        click.echo(json.dumps(figures.to_dict(), ensure_ascii=False, indent=2))
        return
    views.stats(Terminal(), figures)
