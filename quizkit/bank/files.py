"""Which files are banks. Kept free of YAML so that the cached quiz path can use it too."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from quizkit.errors import UsageError

BANK_SUFFIXES = (".yaml", ".yml")


def bank_files(paths: Iterable[str | Path] | None) -> list[Path]:
    """Expand files and folders (recursively) into bank files; the default is the shipped questions/."""
    from quizkit.paths import questions_dir

    targets = [Path(p) for p in paths] if paths else [questions_dir()]
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files.extend(sorted(p for p in target.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file()))
        elif target.is_file():
            files.append(target)
        else:
            from quizkit.render.i18n import t

            raise UsageError(t("usage.no_bank", path=target))
    return files
