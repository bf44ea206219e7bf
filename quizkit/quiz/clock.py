"""Wall-clock time for scheduling. `QUIZKIT_NOW` (ISO 8601, e.g. 2025-06-01T09:00) pins it, so scripted
demos and tests can step through days of spaced review; it is never needed in normal use."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone


def now() -> float:
    """Seconds since the epoch; `QUIZKIT_NOW` overrides (a naive value is local time)."""
    pinned = os.environ.get("QUIZKIT_NOW")
    if not pinned:
        return time.time()
    try:
        dt = datetime.fromisoformat(pinned)
    except ValueError:
        from quizkit.errors import UsageError
        from quizkit.render.i18n import t

        raise UsageError(t("usage.now", value=pinned)) from None
    return dt.timestamp()


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)
