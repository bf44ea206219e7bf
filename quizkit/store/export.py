"""A student's attempts as a JSON file for the instructor's `quizkit bank analyze`.

Only what item statistics need leaves the machine: question id, type, topic, the answer as stored (choice
answers in the written letters), score, time and when. No paths, user names or machine names; the one
personal datum is the name the student chooses to put on the file (`--name`), which may be empty.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from quizkit.errors import QuizkitError, describe_os_error
from quizkit.render.i18n import t
from quizkit.store.db import Store

EXPORT_FORMAT = "quizkit-attempts"
EXPORT_VERSION = 1


class ExportError(QuizkitError):
    """The export file cannot be written."""


def attempts_document(store: Store, name: str = "") -> dict[str, Any]:
    kinds = {row["id"]: row["kind"] for row in store.sessions()}
    attempts = [
        {"question_id": a.question_id, "type": a.qtype, "topic": a.topic, "answer": a.answer,
         "score": round(a.score, 6), "seconds": round(a.seconds, 3),
         "answered_at": dt.datetime.fromtimestamp(a.answered_at, dt.timezone.utc).isoformat(timespec="seconds"),
         "session": a.session_id, "kind": kinds.get(a.session_id, "")}
        for a in store.attempts()
    ]
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "student": name.strip(),
            "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "attempts": attempts}


def export_attempts(store: Store, path: Path | str, name: str = "") -> int:
    """Write the attempts to path atomically; returns how many were written."""
    doc = attempts_document(store, name)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ExportError(t("store.export_failed", problem=describe_os_error(err, target))) from None
    return len(doc["attempts"])
