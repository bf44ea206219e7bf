"""Where the shipped content lives, in a checkout and in an installed copy."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def content_root() -> Path:
    """The folder holding questions/, exercises/ and reference/.

    An installed wheel carries them in quizkit/data (see setup.py); a checkout has them at the top.
    """
    override = os.environ.get("QUIZKIT_CONTENT")
    if override:
        return Path(override)
    data = _PKG / "data"
    if (data / "questions").is_dir():
        return data
    return _PKG.parent


def questions_dir() -> Path:
    return content_root() / "questions"


def exercises_dir() -> Path:
    return content_root() / "exercises"


def reference_dir() -> Path:
    return content_root() / "reference"


def user_home() -> Path:
    """The user data folder; QUIZKIT_HOME overrides platformdirs."""
    override = os.environ.get("QUIZKIT_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("quizkit", appauthor=False))


def write_atomic(path: Path, text: str | bytes) -> None:
    """Replace `path` in one step (a crash leaves the old file or the new one, never half of one); a failure is
    a QuizkitError that names `path`, not the temporary file beside it."""
    from quizkit.errors import QuizkitError, describe_os_error

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise QuizkitError(describe_os_error(err, path)) from None
