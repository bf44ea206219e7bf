"""The rows of a CSV that quizkit wrote (results, similarity), as a spreadsheet would read them."""

from __future__ import annotations

import csv
from pathlib import Path


def read_csv(path: Path) -> list[dict[str, str]]:
    """Every row as a dict (the BOM of --excel taken off); no file yet is no rows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        return []
