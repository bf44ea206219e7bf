"""Numbers, percentages, times and waits as the interface shows them."""

from __future__ import annotations

import math

from quizkit.render.i18n import t


def fmt_num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def fmt_pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def fmt_time(seconds: float) -> str:
    s = max(0, int(seconds + 0.5))
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"


def fmt_when(timestamp: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def fmt_interval(seconds: float) -> str:
    """A wait in the largest whole unit that reads naturally: 10 min, 5 h, 3 days."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return t("interval.minutes", n=minutes)
    if minutes < 36 * 60:
        return t("interval.hours", n=round(minutes / 60))
    return t("interval.days", n=round(minutes / 1440))
