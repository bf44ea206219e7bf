"""The SQLite store: the only code that writes user data.

One file, ``quizkit.db`` in ``user_home()``. Every write is its own transaction, committed before the call
returns, so Ctrl-C, end of input or ``kill -9`` loses nothing already recorded. The schema version lives in
``PRAGMA user_version`` and grows only through ``MIGRATIONS``; a file we cannot read, or one written by a newer
quizkit, raises ``StoreError`` and is never touched.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from quizkit.errors import QuizkitError
from quizkit.render.i18n import t
from quizkit.store.schema import MIGRATIONS

DB_NAME = "quizkit.db"
# "QZKT": marks the file as ours, so a foreign SQLite file is refused rather than migrated.
APPLICATION_ID = 0x515A4B54

SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(QuizkitError):
    """The progress database cannot be used as it is; the message names the file and what to do."""


# Rows are NamedTuples: cheap to define and to build from sqlite rows (this module is on every quiz's path).
class Attempt(NamedTuple):
    id: int
    session_id: int | None
    question_id: str
    topic: str
    qtype: str
    answer: str
    score: float
    rating: int | None
    seconds: float
    answered_at: float


class CardRow(NamedTuple):
    question_id: str
    topic: str
    due: float
    state: int
    stability: float | None
    difficulty: float | None
    last_review: float | None
    card_json: str


class Mistake(NamedTuple):
    """A question in the mistakes notebook: answered wrongly and not yet right twice in a row since."""

    question_id: str
    topic: str
    wrong: int  # how many times it was answered wrongly
    last_wrong: float
    last_answer: str
    right_streak: int  # right answers in a row since the last wrong one (0 or 1 while listed)


# A question leaves the mistakes notebook after this many right answers in a row.
MISTAKE_CLEAR_STREAK = 2
# An answer counts as right for streaks and accuracy only with full credit (the one threshold, quiz.scoring's).
from quizkit.quiz.scoring import FULL as RIGHT  # noqa: E402


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # -- plumbing -------------------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as err:
            raise _db_error(self.path, err) from None

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as err:
            raise _db_error(self.path, err) from None

    def close(self) -> None:
        self.conn.close()

    # -- sessions -------------------------------------------------------------------------------------
    def start_session(self, kind: str, args: dict[str, Any] | None = None) -> int:
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO sessions(kind, started_at, args) VALUES (?, ?, ?)",
                (kind, time.time(), json.dumps(args or {}, ensure_ascii=False, default=str)),
            )
            return int(cur.lastrowid or 0)

    def end_session(self, session_id: int, summary: dict[str, Any]) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE sessions SET ended_at = ?, summary = ? WHERE id = ?",
                (time.time(), json.dumps(summary, ensure_ascii=False, default=str), session_id),
            )

    def sessions(self) -> list[sqlite3.Row]:
        return self._query("SELECT * FROM sessions ORDER BY id")

    # -- attempts and cards ---------------------------------------------------------------------------
    def record_attempt(
        self,
        *,
        session_id: int | None,
        question_id: str,
        topic: str,
        qtype: str,
        answer: str,
        score: float,
        seconds: float,
        rating: int | None = None,
        card: CardRow | None = None,
        review_log_json: str | None = None,
        answered_at: float | None = None,
    ) -> int:
        """Write one answer, and the card and review log it produced, in one committed transaction."""
        at = time.time() if answered_at is None else answered_at
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO attempts(session_id, question_id, topic, qtype, answer, score, rating, seconds,"
                " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, question_id, topic, qtype, answer, score, rating, seconds, at),
            )
            attempt_id = int(cur.lastrowid or 0)
            if card is not None:
                c.execute(
                    "INSERT OR REPLACE INTO cards(question_id, topic, due, state, stability, difficulty,"
                    " last_review, card_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (card.question_id, card.topic, card.due, card.state, card.stability, card.difficulty,
                     card.last_review, card.card_json),
                )
            if review_log_json is not None and rating is not None:
                c.execute(
                    "INSERT INTO review_logs(question_id, attempt_id, rating, reviewed_at, duration_ms, log_json)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (question_id, attempt_id, rating, at, int(seconds * 1000), review_log_json),
                )
            return attempt_id

    def attempts(self, question_id: str | None = None, since: float | None = None) -> list[Attempt]:
        sql, params = "SELECT * FROM attempts WHERE 1=1", list[Any]()
        if question_id is not None:
            sql += " AND question_id = ?"
            params.append(question_id)
        if since is not None:
            sql += " AND answered_at >= ?"
            params.append(since)
        rows = self._query(sql + " ORDER BY answered_at, id", tuple(params))
        return [Attempt(*r) for r in rows]

    def card(self, question_id: str) -> CardRow | None:
        rows = self._query("SELECT * FROM cards WHERE question_id = ?", (question_id,))
        return CardRow(*rows[0]) if rows else None

    def cards(self) -> list[CardRow]:
        rows = self._query("SELECT * FROM cards ORDER BY due, question_id")
        return [CardRow(*r) for r in rows]

    def review_log_count(self, question_id: str | None = None) -> int:
        if question_id is None:
            return int(self._query("SELECT COUNT(*) FROM review_logs")[0][0])
        return int(self._query("SELECT COUNT(*) FROM review_logs WHERE question_id = ?", (question_id,))[0][0])

    def mistakes(self) -> list[Mistake]:
        """The mistakes notebook, most recent and most often first.

        Derived from the attempts, so it can never disagree with the history: a question is listed when it has
        a wrong answer and fewer than MISTAKE_CLEAR_STREAK right answers since its last wrong one.
        """
        by_q: dict[str, list[Attempt]] = {}
        for a in self.attempts():
            by_q.setdefault(a.question_id, []).append(a)
        out = [m for m in (_mistake(qid, atts) for qid, atts in by_q.items()) if m is not None]
        # Most recent first by calendar day, then most often, then most recent within the day.
        out.sort(key=lambda m: (-_day(m.last_wrong), -m.wrong, -m.last_wrong, m.question_id))
        return out

    def mistake(self, question_id: str) -> Mistake | None:
        """This question's entry in the mistakes notebook, or None when it is not (or no longer) there."""
        return _mistake(question_id, self.attempts(question_id))

    # -- coding exercises (called by the grading side) -------------------------------------------------
    def record_exercise_attempt(
        self, exercise_id: str, score: float, max_score: float, passed: bool, duration_s: float, report_json: str
    ) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO exercise_attempts(exercise_id, score, max_score, passed, duration_s, report_json,"
                " attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (exercise_id, float(score), float(max_score), int(bool(passed)), float(duration_s), report_json,
                 time.time()),
            )

    def exercise_status(self, exercise_id: str) -> str:
        """"not started" | "attempted" | "passed" (passed once is passed for good)."""
        row = self._query(
            "SELECT COUNT(*), MAX(passed) FROM exercise_attempts WHERE exercise_id = ?", (exercise_id,)
        )[0]
        if not row[0]:
            return "not started"
        return "passed" if row[1] else "attempted"

    def next_hint(self, exercise_id: str, total: int) -> int:
        """0-based index of the hint to show now; advances on each call and stays at the last hint."""
        if total <= 0:
            raise ValueError("next_hint needs total >= 1")
        with self._tx() as c:
            row = c.execute("SELECT shown FROM hints WHERE exercise_id = ?", (exercise_id,)).fetchone()
            shown = int(row[0]) if row else 0
            c.execute("INSERT OR REPLACE INTO hints(exercise_id, shown) VALUES (?, ?)", (exercise_id, shown + 1))
        return min(shown, total - 1)


def _mistake(question_id: str, atts: list[Attempt]) -> Mistake | None:
    """atts in answer order. Listed while wrong at least once and not right MISTAKE_CLEAR_STREAK times since."""
    last_wrong = max((i for i, a in enumerate(atts) if a.score < RIGHT), default=None)
    if last_wrong is None:
        return None
    streak = len(atts) - 1 - last_wrong
    if streak >= MISTAKE_CLEAR_STREAK:
        return None
    last = atts[last_wrong]
    wrong = sum(1 for a in atts if a.score < RIGHT)
    return Mistake(question_id, last.topic, wrong, last.answered_at, last.answer, streak)


def _day(ts: float) -> int:
    """The local calendar day of a timestamp, as an ordinal."""
    import datetime as dt

    return dt.datetime.fromtimestamp(ts).toordinal()


def _db_error(path: Path, err: sqlite3.DatabaseError) -> StoreError:
    text = str(err)
    if "locked" in text or "busy" in text:
        return StoreError(t("store.busy", path=path))
    return StoreError(t("store.unreadable", path=path, error=text))


def default_path() -> Path:
    from quizkit.paths import user_home

    return user_home() / DB_NAME


def connect(path: Path | str | None = None) -> Store:
    """Open (creating or migrating as needed) the store at path; refuse anything we cannot safely use."""
    p = Path(path) if path is not None else default_path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(t("store.no_folder", path=p.parent, error=err.strerror)) from None
    if p.exists() and p.is_dir():
        raise StoreError(t("store.is_dir", path=p))
    try:
        conn = sqlite3.connect(str(p), timeout=10.0, isolation_level=None)
    except sqlite3.Error as err:
        raise StoreError(t("store.cannot_open", path=p, error=err)) from None
    conn.row_factory = sqlite3.Row
    try:
        _prepare(conn, p)
    except BaseException:
        conn.close()
        raise
    return Store(conn, p)


def _prepare(conn: sqlite3.Connection, p: Path) -> None:
    try:
        # Reading the header first: a non-SQLite file fails here, before anything is written.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise _db_error(p, err) from None
    if version > SCHEMA_VERSION:
        raise StoreError(t("store.newer", path=p, version=version, supported=SCHEMA_VERSION))
    if tables and app_id != APPLICATION_ID:
        raise StoreError(t("store.foreign", path=p))
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL is durable across process crashes
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
    except sqlite3.DatabaseError as err:
        raise _db_error(p, err) from None
    if version < SCHEMA_VERSION:
        _migrate(conn, p, version)


def _migrate(conn: sqlite3.Connection, p: Path, version: int) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
        # Another process may have migrated while we waited for the lock.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for target in range(current + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as err:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise _db_error(p, err) from None


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT our transaction; split on ';' instead (the schema has no ';' in strings).
    return [s.strip() for s in script.split(";") if s.strip() and not s.strip().startswith("--")]
