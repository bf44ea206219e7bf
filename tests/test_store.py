"""The progress store: schema, migrations, refusals, and the API the grading side uses."""

from __future__ import annotations

import sqlite3

import pytest

from quizkit.store import SCHEMA_VERSION, StoreError, open_store
from quizkit.store.db import APPLICATION_ID, DB_NAME


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_creates_db_in_quizkit_home_with_current_version(home):
    with open_store() as st:
        assert st.path == home / DB_NAME
    conn = sqlite3.connect(home / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_exercise_status_progresses_and_passed_sticks(home):
    with open_store() as st:
        assert st.exercise_status("sigmoid") == "not started"
        st.record_exercise_attempt("sigmoid", 3, 10, False, 1.5, '{"tests": []}')
        assert st.exercise_status("sigmoid") == "attempted"
        st.record_exercise_attempt("sigmoid", 10, 10, True, 1.2, "{}")
        assert st.exercise_status("sigmoid") == "passed"
        st.record_exercise_attempt("sigmoid", 2, 10, False, 1.2, "{}")
        assert st.exercise_status("sigmoid") == "passed"
        assert st.exercise_status("adam") == "not started"
    # Survives reopening.
    with open_store() as st:
        assert st.exercise_status("sigmoid") == "passed"
        row = st.conn.execute(
            "SELECT score, max_score, passed, duration_s, report_json FROM exercise_attempts ORDER BY id LIMIT 1"
        ).fetchone()
        assert tuple(row) == (3.0, 10.0, 0, 1.5, '{"tests": []}')


def test_next_hint_advances_and_stays_at_last(home):
    with open_store() as st:
        assert [st.next_hint("adam", 3) for _ in range(5)] == [0, 1, 2, 2, 2]
        assert st.next_hint("sgd", 1) == 0
        assert st.next_hint("sgd", 1) == 0
    with open_store() as st:
        assert st.next_hint("adam", 3) == 2
        assert st.next_hint("adam", 4) == 3  # a hint added later is shown next


def test_corrupt_file_is_refused_and_left_untouched(home):
    home.mkdir(parents=True)
    db = home / DB_NAME
    junk = b"this is not a database at all" * 100
    db.write_bytes(junk)
    with pytest.raises(StoreError) as info, open_store():
        pass
    msg = str(info.value)
    assert str(db) in msg and "unreadable" in msg and "untouched" in msg
    assert db.read_bytes() == junk


def test_newer_schema_is_refused_and_left_untouched(home):
    home.mkdir(parents=True)
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("CREATE TABLE future(x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError) as info, open_store():
        pass
    assert f"schema version {SCHEMA_VERSION + 1}" in str(info.value)
    assert str(db) in str(info.value)
    assert db.read_bytes() == before


def test_foreign_sqlite_file_is_refused(home):
    home.mkdir(parents=True)
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes(x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not written by quizkit"), open_store():
        pass


def test_migrations_run_in_order_from_an_older_version(tmp_path, monkeypatch):
    from quizkit.store import db as dbmod

    path = tmp_path / "q.db"
    extra = "CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO extra(note) VALUES ('v2')"
    with open_store(path) as st:
        st.record_exercise_attempt("sigmoid", 1, 1, True, 0.1, "{}")
    monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, extra])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", len(dbmod.MIGRATIONS))
    with open_store(path) as st:
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert st.conn.execute("SELECT note FROM extra").fetchall()[0][0] == "v2"
        assert st.exercise_status("sigmoid") == "passed"  # old data kept


def test_mistakes_leave_after_two_right_in_a_row(tmp_path):
    with open_store(tmp_path / "q.db") as st:
        def answer(qid, score, at):
            st.record_attempt(session_id=None, question_id=qid, topic="t", qtype="single", answer="A",
                              score=score, seconds=1.0, answered_at=at)

        answer("q1", 0.0, 100)
        answer("q2", 0.0, 200)
        answer("q2", 0.0, 300)
        answer("q3", 1.0, 400)
        assert [m.question_id for m in st.mistakes()] == ["q2", "q1"]
        answer("q1", 1.0, 500)
        assert [(m.question_id, m.right_streak) for m in st.mistakes()] == [("q2", 0), ("q1", 1)]
        answer("q1", 1.0, 600)
        assert [m.question_id for m in st.mistakes()] == ["q2"]
        answer("q2", 1.0, 700)
        answer("q2", 0.5, 800)  # partial credit is not right: the streak restarts
        answer("q2", 1.0, 900)
        assert [(m.question_id, m.wrong, m.right_streak) for m in st.mistakes()] == [("q2", 3, 1)]
