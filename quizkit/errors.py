"""Domain errors. The library raises them; the CLI turns them into one-line messages."""


class QuizkitError(Exception):
    """A failure the user can act on; str(err) is the whole message."""

    exit_code = 1


class UsageError(QuizkitError):
    """Bad arguments: unknown id, missing file. Exit code 2."""

    exit_code = 2
