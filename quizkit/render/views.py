"""End-of-session summaries, exam reports, the mistakes list and the stats page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from quizkit.bank.model import Question
from quizkit.render.fmt import fmt_num, fmt_pct, fmt_time
from quizkit.render.i18n import t
from quizkit.render.terminal import VERDICT_STYLE, Terminal, summary
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
    # In an exam a skipped question is one not answered: both are 未作答, here and in the list below.
    term.para(t("exam.summary", asked=len(s.outcomes), right=s.count("right"), partial=s.count("partial"),
                wrong=s.count("wrong"), unanswered=s.count("skipped") + s.count("unanswered")),
              " · " + fmt_time(s.seconds))
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
    passed = (t("exam.passed"), "bold green") if rep.passed else (t("exam.failed"), "bold red")
    term.para((t("exam.total", score=round(rep.score, 2), total=rep.total, pct=f"{rep.pct:.1f}%",
                 pass_mark=rep.pass_mark), "bold"), "  ", passed)
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
        verdict = "unanswered" if o.verdict == "skipped" else o.verdict
        parts: list[str | tuple[str, str]] = [(t(f"verdict.{verdict}"), VERDICT_STYLE[verdict])]
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


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells, with an ellipsis when cut."""
    if sum(cell_width(c) for c in text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        if used + cell_width(ch) > width - 1:
            break
        out.append(ch)
        used += cell_width(ch)
    return "".join(out).rstrip() + "…"


def _columns(term: Terminal, headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = (),
             drop: Sequence[int] = ()) -> tuple[str, list[str]]:
    """A header line and one line per row, columns two cells apart; the columns in `drop` go, in order, while
    the lines are wider than the terminal."""
    keep = list(range(len(headers)))
    while True:
        widths = {i: max(sum(cell_width(c) for c in r[i]) for r in [headers, *rows]) for i in keep}
        total = sum(widths.values()) + 2 * (len(keep) - 1)
        gone = [i for i in drop if i in keep]
        if total <= term.width or not gone:
            break
        keep.remove(gone[0])

    def line(r: Sequence[str]) -> str:
        return "  ".join(pad(r[i], widths[i], right=i in right) for i in keep).rstrip()

    return line(headers), [line(r) for r in rows]


def mistakes(term: Terminal, rows: Sequence[Mistake], by_id: dict[str, Question]) -> None:
    """Each question with its figures on one line and its prompt, shortened to the terminal, on the next."""
    if not rows:
        term.para(t("empty.mistakes"))
        return
    term.para((t("mistakes.title"), "bold"))
    headers = ("#", t("col.id"), t("col.topic"), t("col.wrong"), t("col.last"), t("col.streak"))
    cells = [(str(n), m.question_id, m.topic, str(m.wrong),
              dt.datetime.fromtimestamp(m.last_wrong).strftime("%m-%d %H:%M"), f"{m.right_streak}/2")
             for n, m in enumerate(rows, 1)]
    head, lines = _columns(term, headers, cells, right=(0, 3), drop=(2, 4))
    term.line(head, "bold")
    indent = len(cells[-1][0]) + 2
    for m, text in zip(rows, lines):
        term.line(text)
        q = by_id.get(m.question_id)
        prompt = term.plain(q.prompt) if q else t("mistakes.missing")
        term.line(shorten(prompt, term.width - indent), "dim", indent=indent)
    term.blank()
    term.para((t("mistakes.redo"), "dim"))


def _figures(term: Terminal, text: str, sep: str = " · ") -> None:
    """A line of figures joined by `sep`, wrapped only between figures, so none is split from its label."""
    line = ""
    for part in text.split(sep):
        joined = line + sep + part if line else part
        if line and sum(cell_width(c) for c in joined) > term.width:
            term.para(line)
            line = part
        else:
            line = joined
    term.para(line)


def stats(term: Terminal, st: Stats) -> None:
    """Progress at any width from 60 columns: bars shrink before any figure is cut or wrapped."""
    term.para((t("stats.title"), "bold magenta"))
    if not st.attempts:
        term.para(t("stats.none"))
    topic_w = min(20, max([sum(cell_width(c) for c in t("col.topic"))] + [len(tp.topic) for tp in st.topics]))
    seen = [f"{tp.seen}/{tp.questions}" for tp in st.topics]
    seen_w = max([len(x) for x in seen] + [sum(cell_width(c) for c in t("col.seen"))])
    due_w = max([len(str(tp.due)) for tp in st.topics] + [sum(cell_width(c) for c in t("col.due"))])
    room = term.width - topic_w - seen_w - due_w - 2 * 4 - 2 * 5  # four gaps; " 100%" after each bar
    width = max(4, min(BAR_WIDTH, room // 2))
    headers = (t("col.topic"), t("col.accuracy"), t("col.mastery"), t("col.seen"), t("col.due"))
    rows = [(shorten(tp.topic, topic_w), f"{bar(tp.accuracy, width)} {fmt_pct(tp.accuracy):>4}",
             f"{bar(tp.mastery, width)} {fmt_pct(tp.mastery):>4}", n, str(tp.due)) for tp, n in zip(st.topics, seen)]
    head, lines = _columns(term, headers, rows, right=(3, 4))
    term.blank()
    term.line(head, "bold")
    term.line("─" * min(term.width, max(sum(cell_width(c) for c in ln) for ln in [head, *lines])))
    for ln in lines:
        term.line(ln)
    term.blank()
    _figures(term, t("stats.totals", attempts=st.attempts, accuracy=fmt_pct(st.accuracy), seen=st.seen,
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
        term.para(f"  {pad(label, 10)} ", (bar(n / peak if peak else 0.0, min(20, term.width - 20)), "cyan"), f" {n}")
    if st.weakest:
        _weakest(term, st)


def _weakest(term: Terminal, st: Stats) -> None:
    term.blank()
    term.para((t("stats.weakest"), "bold"))
    labels = [fmt_pct(w["accuracy"]) if w["started"] else t("stats.not_started")  # type: ignore[arg-type]
              for w in st.weakest]
    room = max(sum(cell_width(c) for c in label) for label in labels)
    name_w = min(20, max(len(str(w["topic"])) for w in st.weakest))
    for w, acc in zip(st.weakest, labels):
        head = f"  {pad(str(w['topic']), name_w)} {pad(acc, room, right=True)}  "
        command = str(w["command"])
        if sum(cell_width(c) for c in head + command) <= term.width:
            term.para(head, (command, "bold cyan"))
        else:  # the command stays whole, on a line of its own
            term.para(head.rstrip())
            term.para((command, "bold cyan"), indent=4)
