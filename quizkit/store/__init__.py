"""Progress that is never lost: SQLite in the user data folder (QUIZKIT_HOME overrides).

    from quizkit.store import open_store
    with open_store() as st:
        st.record_exercise_attempt("sigmoid", 8, 10, False, 1.3, report_json)
        st.exercise_status("sigmoid")      # "not started" | "attempted" | "passed"
        st.next_hint("sigmoid", total=3)   # 0, 1, 2, 2, ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from quizkit.store.db import SCHEMA_VERSION, Store, StoreError, connect

__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "open_store"]


@contextmanager
def open_store(path: Path | str | None = None) -> Iterator[Store]:
    """Open the progress database (default: user_home()/quizkit.db); every write inside is already committed."""
    store = connect(path)
    try:
        yield store
    finally:
        store.close()
