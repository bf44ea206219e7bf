"""One study session: ask each question through a `Port`, score it, and commit it before the next.

No terminal I/O here. The CLI passes a terminal port (rich, stdin line by line when piped); tests pass a
scripted one. Every answer is written to the store as soon as it is scored, so a session that ends in any way
(`q`, end of input, Ctrl-C, time up, kill -9) keeps everything answered so far.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from quizkit.quiz import clock as wallclock
from quizkit.quiz.scoring import AnswerError, Result, parse_rating, score, score_for_rating
from quizkit.quiz.select import Presented
from quizkit.store.db import MISTAKE_CLEAR_STREAK, CardRow, Store


class TimeUp(Exception):
    """Raised by a port's read() when the deadline passes before a line arrives."""


class Port(Protocol):
    """What a session needs from the outside world. `read` returns None at end of input; `kind` is "answer",
    "text" (a short answer, which may span lines) or "rating"."""

    def read(self, kind: str, deadline: float | None = None) -> str | None: ...
    def question(self, item: Presented, number: int, total: int, *, section: str | None,
                 remaining: float | None) -> None: ...
    def invalid(self, err: AnswerError) -> None: ...
    def help(self, item: Presented) -> None: ...
    def feedback(self, item: Presented, result: Result) -> None: ...
    def rubric(self, item: Presented, result: Result) -> None: ...
    def notice(self, key: str, **args: Any) -> None: ...


@dataclass
class Outcome:
    item: Presented
    status: str  # "answered" | "skipped" | "unanswered"
    result: Result | None = None
    rating: int | None = None
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return self.result.score if self.result is not None and self.status == "answered" else 0.0

    @property
    def verdict(self) -> str:
        return self.result.verdict if self.result is not None and self.status == "answered" else self.status


@dataclass
class Summary:
    kind: str
    outcomes: list[Outcome] = field(default_factory=list)
    ended_by: str = "done"  # done | quit | eof | interrupt | time
    seconds: float = 0.0
    session_id: int | None = None

    def count(self, verdict: str) -> int:
        return sum(1 for o in self.outcomes if o.verdict == verdict)

    @property
    def answered(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "answered")

    @property
    def score(self) -> float:
        return sum(o.score for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "ended_by": self.ended_by, "seconds": round(self.seconds, 1),
            "asked": len(self.outcomes), "answered": self.answered, "right": self.count("right"),
            "partial": self.count("partial"), "wrong": self.count("wrong"), "skipped": self.count("skipped"),
            "unanswered": self.count("unanswered"), "score": round(self.score, 4),
        }


class Options(NamedTuple):
    kind: str = "quiz"  # quiz | exam | review | cram | mistakes: what the session is recorded as
    feedback: bool = True  # show right/wrong after each answer (not in an exam)
    schedule: bool = True  # update FSRS cards (not when cramming)
    time_limit: float | None = None  # seconds
    sections: Sequence[str | None] | None = None  # per item, the section title shown (exam)
    args: dict[str, Any] = {}  # noqa: RUF012 - recorded with the session; never mutated


def run(items: Sequence[Presented], port: Port, store: Store, opts: Options,
        monotonic: Callable[[], float] | None = None) -> Summary:
    """Ask every item in order; returns the summary however the session ends."""
    if monotonic is None:
        monotonic = time.monotonic
    summary = Summary(opts.kind)
    summary.session_id = store.start_session(opts.kind, opts.args)
    start = monotonic()
    deadline = start + opts.time_limit if opts.time_limit else None
    try:
        for n, item in enumerate(items):
            remaining = deadline - monotonic() if deadline is not None else None
            if remaining is not None and remaining <= 0:
                summary.ended_by = "time"
                break
            section = opts.sections[n] if opts.sections else None
            port.question(item, n + 1, len(items), section=section, remaining=remaining)
            outcome, ended_by = _ask(item, port, store, opts, summary.session_id, deadline, monotonic)
            if outcome is not None:
                summary.outcomes.append(outcome)
            if ended_by:
                summary.ended_by = ended_by
                break
    except KeyboardInterrupt:
        summary.ended_by = "interrupt"
    if summary.ended_by == "time":
        port.notice("time_up")
    asked = {o.item.question.id for o in summary.outcomes}
    if opts.kind == "exam":
        # An exam is marked on every question: those never reached score 0.
        summary.outcomes.extend(Outcome(it, "unanswered") for it in items if it.question.id not in asked)
    summary.seconds = monotonic() - start
    store.end_session(summary.session_id, summary.to_dict())
    return summary


def _ask(item: Presented, port: Port, store: Store, opts: Options, session_id: int, deadline: float | None,
         monotonic: Callable[[], float]) -> tuple[Outcome | None, str | None]:
    """Read until one valid answer (or a command); returns the outcome and why the session ends, if it does."""
    q = item.question
    t0 = monotonic()
    result: Result | None = None
    kind = "text" if q.type == "short_answer" else "answer"  # a text may run over several lines on a terminal
    while result is None:
        try:
            line = port.read(kind, deadline)
        except TimeUp:
            return None, "time"
        if line is None:
            return None, "eof"
        if deadline is not None and monotonic() > deadline:
            return None, "time"  # typed after the bell: not counted
        cmd = line.strip()
        if cmd == "?" or cmd == "？":
            port.help(item)
            continue
        if cmd.lower() in ("q", ":q", "quit"):
            return None, "quit"
        if cmd.lower() in ("s", ":s", "skip"):
            if opts.feedback:
                port.notice("skipped", answer=item)
            return Outcome(item, "skipped", seconds=monotonic() - t0), None
        try:
            result = score(q, line, item.order or None)
        except AnswerError as err:
            port.invalid(err)
    seconds = monotonic() - t0
    ended_by = None
    rating = result.rating
    if q.type == "short_answer" and opts.feedback:
        port.rubric(item, result)
        try:
            result, rating, ended_by = _self_rate(port, item, result)
        except KeyboardInterrupt:
            # The answer was given: keep it, with the rubric's suggestion, before the session stops.
            _record(store, session_id, item, result, rating if opts.schedule else None, seconds)
            raise
    card = _record(store, session_id, item, result, rating if opts.schedule else None, seconds)
    outcome = Outcome(item, "answered", result, rating, seconds)
    if opts.feedback:
        if q.type != "short_answer":
            port.feedback(item, result)
        else:
            port.notice("rated", rating=rating, score=result.score)
        if opts.kind == "mistakes":
            _mistake_progress(store, port, q.id)
        if opts.kind == "review" and card is not None:
            port.notice("next_due", due=card.due, reviewed=card.last_review)
    return outcome, ended_by


def _self_rate(port: Port, item: Presented, result: Result) -> tuple[Result, int, str | None]:
    """Ask the student to confirm (Enter) or override the rubric's rating; returns the result, rating, end."""
    rating, ended_by = result.rating, None
    while True:
        try:
            line = port.read("rating", None)
        except TimeUp:  # pragma: no cover - ratings have no deadline
            line = ""
        if line is None:
            ended_by = "eof"  # the answer still counts, with the suggested rating
            break
        if line.strip() in ("?", "？"):
            port.help(item)
            continue
        if line.strip().lower() in ("q", "quit"):
            ended_by = "quit"
            break
        try:
            chosen = parse_rating(line)
        except AnswerError as err:
            port.invalid(err)
            continue
        if chosen is not None:
            rating = chosen
            result = Result(score_for_rating(chosen, result.score), result.given, result.hits, result.missed,
                            {**result.detail, "suggested": result.score, "rated": chosen})
        break
    return result, rating, ended_by


def _record(store: Store, session_id: int, item: Presented, result: Result, rating: int | None,
            seconds: float) -> CardRow | None:
    """Write the attempt (and the rescheduled card, when rated); returns that card."""
    q = item.question
    at = wallclock.now()
    card = log = None
    if rating is not None:
        from quizkit.quiz import srs

        card, log = srs.review(store.card(q.id), q.id, q.topic, rating, at, seconds)
    stored = result.given
    if q.is_choice and item.order:
        stored = str(result.detail.get("written", stored))  # history is kept in the written letters
    store.record_attempt(session_id=session_id, question_id=q.id, topic=q.topic, qtype=q.type, answer=stored,
                         score=result.score, seconds=round(seconds, 3), rating=rating, card=card,
                         review_log_json=log, answered_at=at)
    return card


def _mistake_progress(store: Store, port: Port, question_id: str) -> None:
    m = store.mistake(question_id)
    if m is None:
        port.notice("mistake_cleared")
    elif m.right_streak:
        port.notice("mistake_streak", left=MISTAKE_CLEAR_STREAK - m.right_streak)
