"""Progress figures for `quizkit stats`: per-topic accuracy and mastery, totals, streak, 7-day forecast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from quizkit.bank.model import Question
from quizkit.store.db import RIGHT, Store

FORECAST_DAYS = 7
WEAKEST = 3
# Mastery is the recall FSRS predicts this far ahead: a card just failed is fresh now but weak in a week.
MASTERY_HORIZON_DAYS = 7


@dataclass
class TopicStat:
    topic: str
    questions: int  # in the loaded banks
    seen: int  # of those, answered at least once
    attempts: int
    accuracy: float | None  # mean score of the attempts; None before the first
    mastery: float  # mean FSRS-predicted recall a week from now over the topic's questions (0 for unseen ones)
    due: int  # due now


@dataclass
class Stats:
    topics: list[TopicStat]
    attempts: int
    right: int
    accuracy: float | None
    seen: int
    questions: int
    seconds: float
    study_days: int
    streak: int
    best_streak: int
    due_now: int
    mistakes: int
    forecast: list[tuple[str, int]]  # (local date, how many fall due that day); today includes overdue
    weakest: list[dict[str, object]] = field(default_factory=list)  # topic, accuracy, mastery, command

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["forecast"] = [{"date": day, "due": n} for day, n in self.forecast]
        return d


def _local_day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts).date()


def streaks(days: set[dt.date], today: dt.date) -> tuple[int, int]:
    """(current, best). The current streak is still alive if the last study day was yesterday."""
    best = run = 0
    prev = None
    for d in sorted(days):
        run = run + 1 if prev is not None and (d - prev).days == 1 else 1
        best = max(best, run)
        prev = d
    current = 0
    d = today if today in days else today - dt.timedelta(days=1)
    while d in days:
        current += 1
        d -= dt.timedelta(days=1)
    return current, best


def compute(questions: Sequence[Question], store: Store, now: float) -> Stats:
    attempts = store.attempts()
    cards = {c.question_id: c for c in store.cards()}
    by_topic: dict[str, list[Question]] = {}
    for q in questions:
        by_topic.setdefault(q.topic, []).append(q)
    topic_of = {q.id: q.topic for q in questions}
    att_by_topic: dict[str, list[float]] = {}
    seen_ids: set[str] = set()
    for a in attempts:
        topic = topic_of.get(a.question_id, a.topic)  # progress follows the question id, not old wording
        att_by_topic.setdefault(topic, []).append(a.score)
        seen_ids.add(a.question_id)

    recall = {}
    if cards:
        from quizkit.quiz import srs

        later = now + MASTERY_HORIZON_DAYS * 86400
        recall = {qid: srs.retrievability(c, later) for qid, c in cards.items() if qid in topic_of}

    topics: list[TopicStat] = []
    for topic in sorted(set(by_topic) | set(att_by_topic)):
        qs = by_topic.get(topic, [])
        scores = att_by_topic.get(topic, [])
        topics.append(TopicStat(
            topic=topic,
            questions=len(qs),
            seen=sum(1 for q in qs if q.id in seen_ids),
            attempts=len(scores),
            accuracy=sum(scores) / len(scores) if scores else None,
            mastery=sum(recall.get(q.id, 0.0) for q in qs) / len(qs) if qs else 0.0,
            due=sum(1 for q in qs if q.id in cards and cards[q.id].due <= now),
        ))

    today = _local_day(now)
    days = {_local_day(a.answered_at) for a in attempts}
    current, best = streaks(days, today)
    forecast = []
    for i in range(FORECAST_DAYS):
        day = today + dt.timedelta(days=i)
        n = sum(1 for qid, c in cards.items() if qid in topic_of and (
            _local_day(c.due) == day or (i == 0 and c.due <= now)))
        forecast.append((day.isoformat(), n))

    started = [t for t in topics if t.attempts and t.questions]
    started.sort(key=lambda t: (t.accuracy if t.accuracy is not None else 0.0, t.mastery, t.topic))
    fresh = [t for t in topics if not t.attempts and t.questions]
    weakest: list[dict[str, object]] = [{"topic": t.topic, "accuracy": t.accuracy, "mastery": t.mastery, "started": bool(t.attempts),
                "command": f"quizkit quiz --tag {t.topic}"} for t in (started + fresh)[:WEAKEST]]

    scores = [a.score for a in attempts]
    return Stats(
        topics=topics,
        attempts=len(attempts),
        right=sum(1 for s in scores if s >= RIGHT),
        accuracy=sum(scores) / len(scores) if scores else None,
        seen=sum(1 for q in questions if q.id in seen_ids),
        questions=len(questions),
        seconds=sum(a.seconds for a in attempts),
        study_days=len(days),
        streak=current,
        best_streak=best,
        due_now=sum(1 for qid, c in cards.items() if qid in topic_of and c.due <= now),
        mistakes=sum(1 for m in store.mistakes() if m.question_id in topic_of),
        forecast=forecast,
        weakest=weakest,
    )
