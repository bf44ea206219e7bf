"""Domain errors. The library raises them; the CLI turns them into one-line messages."""

from __future__ import annotations

import errno


class QuizkitError(Exception):
    """A failure the user can act on; str(err) is the whole message."""

    exit_code = 1


class UsageError(QuizkitError):
    """Bad arguments: unknown id, missing file. Exit code 2."""

    exit_code = 2


# quizkit's own words for the file errors a user can fix, so no message depends on the C library's wording
_OS_WORDS = {
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted (read-only or protected)",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EEXIST: "already exists",
    errno.ENAMETOOLONG: "file name too long",
}


def describe_os_error(err: OSError, path: object = None) -> str:
    """`path: what went wrong`, for an OSError raised while reading or writing a user's file."""
    where = path if path is not None else (err.filename or "quizkit")
    what = _OS_WORDS.get(err.errno or 0) or (err.strerror or str(err)).lower()
    return f"{where}: {what}"
