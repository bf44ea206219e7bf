"""Domain errors. The library raises them; the CLI turns them into one-line messages."""

from __future__ import annotations

import errno


class QuizkitError(Exception):
    """A failure the user can act on; str(err) is the whole message."""

    exit_code = 1


class UsageError(QuizkitError):
    """Bad arguments: unknown id, missing file. Exit code 2."""

    exit_code = 2


# quizkit's own words for the file errors a user can fix (catalogue keys os.*, in zh and en), so no message
# depends on the C library's wording
_OS_WORDS = {
    errno.ENOENT: "os.enoent",
    errno.ENOTDIR: "os.enotdir",
    errno.EISDIR: "os.eisdir",
    errno.EACCES: "os.eacces",
    errno.EPERM: "os.eperm",
    errno.EROFS: "os.erofs",
    errno.ENOSPC: "os.enospc",
    errno.EEXIST: "os.eexist",
    errno.ENAMETOOLONG: "os.enametoolong",
}


def describe_os_error(err: OSError, path: object = None) -> str:
    """`path: what went wrong`, for an OSError raised while reading or writing a user's file."""
    where = path if path is not None else (err.filename or "quizkit")
    from quizkit.render.i18n import t

    key = _OS_WORDS.get(err.errno or 0)
    what = t(key) if key else (err.strerror or str(err)).lower()
    return t("os.where", where=where, what=what)
