"""The progress database's schema, as the list of migrations that build it (PRAGMA user_version counts them)."""

from __future__ import annotations

# Ordered: MIGRATIONS[i] takes the schema from version i to i + 1. Append only; never edit a shipped entry.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,            -- quiz | exam | review | cram | mistakes
        started_at  REAL NOT NULL,            -- unix seconds, UTC
        ended_at    REAL,
        args        TEXT NOT NULL DEFAULT '{}',
        summary     TEXT                      -- JSON, written when the session ends
    );
    CREATE TABLE attempts (
        id           INTEGER PRIMARY KEY,
        session_id   INTEGER REFERENCES sessions(id),
        question_id  TEXT NOT NULL,
        topic        TEXT NOT NULL DEFAULT '',
        qtype        TEXT NOT NULL DEFAULT '',
        answer       TEXT NOT NULL,
        score        REAL NOT NULL,           -- fraction of the question's credit, 0..1
        rating       INTEGER,                 -- FSRS rating 1..4 given (NULL when the schedule was untouched)
        seconds      REAL NOT NULL,
        answered_at  REAL NOT NULL
    );
    CREATE INDEX attempts_question ON attempts(question_id, answered_at);
    CREATE INDEX attempts_time ON attempts(answered_at);
    CREATE TABLE cards (
        question_id  TEXT PRIMARY KEY,
        topic        TEXT NOT NULL DEFAULT '',
        due          REAL NOT NULL,
        state        INTEGER NOT NULL,
        stability    REAL,
        difficulty   REAL,
        last_review  REAL,
        card_json    TEXT NOT NULL            -- fsrs.Card.to_json(), the source of truth
    );
    CREATE INDEX cards_due ON cards(due);
    CREATE TABLE review_logs (
        id           INTEGER PRIMARY KEY,
        question_id  TEXT NOT NULL,
        attempt_id   INTEGER REFERENCES attempts(id),
        rating       INTEGER NOT NULL,
        reviewed_at  REAL NOT NULL,
        duration_ms  INTEGER,
        log_json     TEXT NOT NULL
    );
    CREATE TABLE exercise_attempts (
        id           INTEGER PRIMARY KEY,
        exercise_id  TEXT NOT NULL,
        score        REAL NOT NULL,
        max_score    REAL NOT NULL,
        passed       INTEGER NOT NULL,
        duration_s   REAL NOT NULL,
        report_json  TEXT NOT NULL,
        attempted_at REAL NOT NULL
    );
    CREATE INDEX exercise_attempts_id ON exercise_attempts(exercise_id);
    CREATE TABLE hints (
        exercise_id  TEXT PRIMARY KEY,
        shown        INTEGER NOT NULL         -- how many hints have been shown so far
    );
    """,
]
