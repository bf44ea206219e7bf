"""FSRS scheduling (py-fsrs). fsrs is imported on the first review, not when the quiz starts."""

from __future__ import annotations

from typing import Any

from quizkit.quiz.clock import utc
from quizkit.store.db import CardRow

_scheduler: Any = None


def scheduler() -> Any:
    global _scheduler
    if _scheduler is None:
        from fsrs import Scheduler

        _scheduler = Scheduler()
    return _scheduler


def review(row: CardRow | None, question_id: str, topic: str, rating: int, at: float,
           seconds: float) -> tuple[CardRow, str]:
    """Apply one rating to a question's card; returns the new card row and the review log JSON."""
    from fsrs import Card, Rating

    card = Card.from_json(row.card_json) if row is not None else Card(card_id=_card_id(question_id), due=utc(at))
    card, log = scheduler().review_card(card, Rating(rating), review_datetime=utc(at),
                                        review_duration=int(seconds * 1000))
    new = CardRow(
        question_id=question_id,
        topic=topic,
        due=card.due.timestamp(),
        state=int(card.state.value),
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review.timestamp() if card.last_review else None,
        card_json=card.to_json(),
    )
    return new, log.to_json()


def retrievability(row: CardRow, at: float) -> float:
    """FSRS's forgetting curve: the probability of recalling the card at `at` (0 for a card never reviewed).

    Computed with fractional days, where py-fsrs rounds down to whole days.
    """
    if row.stability is None or row.last_review is None:
        return 0.0
    decay = -scheduler().parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    elapsed_days = max(0.0, (at - row.last_review) / 86400)
    return float((1 + factor * elapsed_days / row.stability) ** decay)


def _card_id(question_id: str) -> int:
    # Stable and collision-unlikely; avoids Card()'s default id, which sleeps 1 ms to stay unique.
    import zlib

    return zlib.crc32(question_id.encode()) + 1
