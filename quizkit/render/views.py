"""End-of-session summaries, exam reports, the mistakes list and the stats page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from quizkit.bank.model import Question
from quizkit.render.i18n import t
from quizkit.render.terminal import VERDICT_STYLE, Terminal, fmt_num, fmt_pct, fmt_time, summary
from quizkit.render.wrap import cell_width

if TYPE_CHECKING:
    from rich.table import Table

    from quizkit.quiz.exam import Paper, Report
    from quizkit.quiz.progress import Stats
    from quizkit.store.db import Mistake

__all__ = ["bar", "exam_intro", "exam_report", "exam_section_titles", "mistakes", "stats", "summary"]

BAR_WIDTH = 12


def bar(fraction: float | None, width: int = BAR_WIDTH) -> str:
    if fraction is None:
        return "·" * width
    full = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * full + "░" * (width - full)


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad to `width` terminal cells (a Chinese character takes two)."""
    gap = " " * max(0, width - sum(cell_width(c) for c in text))
    return gap + text if right else text + gap


def _table(*headers: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for h in headers:
        table.add_column(h, no_wrap=True, overflow="ellipsis")
    return table


def exam_intro(term: Terminal, paper: Paper, pass_mark: float, minutes: float | None) -> None:
    term.blank()
    term.para((t("exam.title"), "bold magenta"))
    limit = t("exam.limit", minutes=minutes) if minutes else ""
    term.para(t("exam.intro", n=len(paper.items), total=paper.total, pass_mark=pass_mark, limit=limit))
    for qtype, have, want in paper.clipped:
        term.para((t("notice.clipped", type=t(f"type.{qtype}"), have=have, want=want), "yellow"))


def exam_section_titles(paper: Paper) -> list[str | None]:
    titles: list[str | None] = []
    index = 0
    prev = None
    numerals = "一二三四五六七八九十"
    for sec in paper.item_sections:
        if sec is not prev:
            index += 1
            label = numerals[index - 1] if t("type.single") == "单选" else str(index)
            titles.append(t("exam.section", index=label, name=t(f"type.{sec.type}"), n=sec.count,
                            points=sec.points))
            prev = sec
        else:
            titles.append(None)
    return titles


def exam_report(term: Terminal, rep: Report) -> None:
    s = rep.summary
    term.blank()
    term.para((t("exam.report"), "bold magenta"))
    term.para(t("summary.line", asked=len(s.outcomes), right=s.count("right"), partial=s.count("partial"),
                wrong=s.count("wrong"), skipped=s.count("skipped") + s.count("unanswered")),
              "  · " + fmt_time(s.seconds))
    for title, lines, name_of in (
        (t("exam.by_section"), rep.sections, lambda n: t(f"type.{n}")),
        (t("exam.by_topic"), rep.topics, lambda n: n),
    ):
        table = _table(title, t("col.right"), t("col.score"), "")
        for line in lines:
            table.add_row(name_of(line.name), f"{line.right}/{line.questions}",
                          f"{fmt_num(line.score)}/{fmt_num(line.total)}", f"{bar(line.pct / 100)} {line.pct:.0f}%")
        term.blank()
        term.console.print(table)
    term.blank()
    verdict = (t("exam.passed"), "bold green") if rep.passed else (t("exam.failed"), "bold red")
    term.para((t("exam.total", score=round(rep.score, 2), total=rep.total, pct=f"{rep.pct:.1f}%",
                 pass_mark=rep.pass_mark), "bold"), "  ", verdict)
    term.blank()
    if not rep.wrong:
        term.para((t("exam.all_right"), "green"))
        return
    term.para((t("exam.wrong"), "bold"))
    for n, o in enumerate(rep.wrong, 1):
        q = o.item.question
        term.blank()
        term.para((f"{n}. ", "bold"), (t(f"type.{q.type}"), "cyan"), (f" · {q.topic} · {q.id}", "dim"))
        term.markdown(q.prompt, indent=3)
        for i, opt in enumerate(o.item.options):
            label = f"{q.letter_of(i)}. "
            term.markdown(opt, (label, "bold"), indent=3, hang=len(label), inline=True)
        parts: list[str | tuple[str, str]] = [(t(f"verdict.{o.verdict}"), VERDICT_STYLE[o.verdict])]
        if o.result is not None and o.status == "answered":
            if o.verdict == "partial":
                parts.append("  " + t("score", score=fmt_num(o.score)))
            if q.type != "short_answer":
                parts.append("  " + t("your_answer", answer=term.given_text(o.item, o.result)))
        if q.type != "short_answer":
            parts.append("  " + t("correct_answer", answer=term.answer_text(o.item)))
        term.para(*parts, indent=3)
        if q.type == "short_answer":
            if o.result is not None and o.status == "answered":
                term.para(t("your_answer", answer=o.result.given), indent=3)
                for label in o.result.missed:
                    term.para((t("rubric.missed", label=term.math(label)), "red"), indent=5)
            term.markdown(str(q.answer), (t("model_answer"), "bold"), indent=3)
        term.explanation(o.item, indent=3)


def mistakes(term: Terminal, rows: Sequence[Mistake], by_id: dict[str, Question]) -> None:
    if not rows:
        term.para(t("empty.mistakes"))
        return
    term.para((t("mistakes.title"), "bold"))
    from rich.cells import cell_len
    from rich.text import Text

    headers = ("#", t("col.id"), t("col.topic"), t("col.wrong"), t("col.last"), t("col.streak"))
    cells = []
    for n, m in enumerate(rows, 1):
        when = dt.datetime.fromtimestamp(m.last_wrong).strftime("%m-%d %H:%M")
        cells.append((str(n), m.question_id, m.topic, str(m.wrong), when, f"{m.right_streak}/2"))
    widths = [max(cell_len(str(x)) for x in col) for col in zip(headers, *cells)]
    room = max(12, term.console.width - sum(widths) - 2 * len(widths) - 4)
    table = _table(*headers, t("col.prompt"))
    for col, w in zip(table.columns, widths):
        col.min_width = w
    for m, row in zip(rows, cells):
        q = by_id.get(m.question_id)
        prompt = Text(term.plain(q.prompt) if q else t("mistakes.missing"))
        prompt.truncate(room, overflow="ellipsis")
        table.add_row(*row, prompt)
    term.console.print(table)
    term.para((t("mistakes.redo"), "dim"))


def stats(term: Terminal, st: Stats) -> None:
    term.para((t("stats.title"), "bold magenta"))
    if not st.attempts:
        term.para(t("stats.none"))
    table = _table(t("col.topic"), t("col.accuracy"), t("col.mastery"), t("col.seen"), t("col.due"))
    for tp in st.topics:
        table.add_row(
            tp.topic,
            f"{bar(tp.accuracy)} {fmt_pct(tp.accuracy):>4}",
            f"{bar(tp.mastery)} {fmt_pct(tp.mastery):>4}",
            f"{tp.seen}/{tp.questions}",
            str(tp.due),
        )
    term.blank()
    term.console.print(table)
    term.blank()
    term.para(t("stats.totals", attempts=st.attempts, accuracy=fmt_pct(st.accuracy), seen=st.seen,
                total=st.questions, days=st.study_days, time=fmt_time(st.seconds)))
    term.para((t("stats.streak", streak=st.streak, best=st.best_streak), "bold"))
    if st.due_now:
        term.para(t("stats.due_now", n=st.due_now))
    if st.mistakes:
        term.para(t("stats.mistakes", n=st.mistakes))
    term.blank()
    term.para((t("stats.forecast"), "bold"))
    peak = max((n for _, n in st.forecast), default=0)
    weekdays = t("stats.weekdays").split()
    for i, (day, n) in enumerate(st.forecast):
        date = dt.date.fromisoformat(day)
        label = t("stats.today") if i == 0 else f"{date:%m-%d} {weekdays[date.weekday()]}"
        term.para(f"  {pad(label, 10)} ", (bar(n / peak if peak else 0.0, 20), "cyan"), f" {n}")
    if st.weakest:
        term.blank()
        term.para((t("stats.weakest"), "bold"))
        labels = [fmt_pct(w["accuracy"]) if w["started"] else t("stats.not_started")  # type: ignore[arg-type]
                  for w in st.weakest]
        room = max(sum(cell_width(c) for c in label) for label in labels)
        for w, acc in zip(st.weakest, labels):
            term.para(f"  {pad(str(w['topic']), 20)} {pad(acc, room, right=True)}  ", (str(w["command"]), "bold cyan"))
