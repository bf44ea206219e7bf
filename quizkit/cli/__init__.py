"""The `quizkit` command. Sub-commands are imported only when run, so `quiz` never pays for torch."""

from __future__ import annotations

import importlib
import sys
from typing import IO, Any

import click

from quizkit import __version__
from quizkit.errors import QuizkitError, describe_os_error

# name -> ("module:attribute", one-line help shown by `quizkit --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "quiz": ("quizkit.cli.quiz:quiz", "Practise with instant feedback and explanations."),
    "exam": ("quizkit.cli.quiz:exam", "Sit a timed mock exam laid out like the real one."),
    "review": ("quizkit.cli.quiz:review", "Review the questions FSRS says are due."),
    "mistakes": ("quizkit.cli.quiz:mistakes", "List or redo the questions answered wrongly (错题本)."),
    "stats": ("quizkit.cli.quiz:stats", "Progress by topic, streak and the 7-day forecast."),
    "bank": ("quizkit.cli.bank:bank", "Validate, describe and create question banks."),
    "exercise": ("quizkit.cli.exercise:exercise", "List, show, start and get hints for coding exercises."),
    "grade": ("quizkit.cli.grade:grade", "Grade one submission in the sandbox."),
    "watch": ("quizkit.cli.batch:watch", "Re-grade a submission on every save."),
    "grade-batch": ("quizkit.cli.batch:grade_batch", "Grade a whole class, one file or folder per student."),
    "similarity": ("quizkit.cli.similarity:similarity", "Rank every pair of a class's submissions by similarity."),
    "dev": ("quizkit.cli.dev:dev", "Course self-checks for instructors."),
    "doctor": ("quizkit.cli.doctor:doctor", "List the sandbox isolation layers this machine gives, and why any is missing."),
}


class _DomainError(click.ClickException):
    """A library error shown as one line, with the library's exit code (1 failure, 2 usage)."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]  # click declares it on the class; an instance value is what it reads

    def show(self, file: IO[Any] | None = None) -> None:
        """click's "Error: ..." line, in the interface language."""
        from quizkit.render.i18n import t

        click.echo(t("cli.error", message=self.format_message()), file=file, err=file is None)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[cmd_name][0].partition(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, text) in COMMANDS.items()])

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        from quizkit.render.i18n import set_lang

        set_lang(None)  # the locale's language for every message, until a command's --lang chooses another
        try:
            return super().invoke(ctx)
        except QuizkitError as err:
            raise _DomainError(str(err), err.exit_code) from None
        except BrokenPipeError:  # `quizkit stats | head`: the reader has gone, which is no error of the user's
            _quiet_stdout()
            raise SystemExit(1) from None
        except OSError as err:  # a file the user named could not be read or written: one line, never a traceback
            raise _DomainError(describe_os_error(err), 1) from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the closed pipe too."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quizkit")
def cli() -> None:
    """quizkit: deep-learning exam practice and sandboxed PyTorch exercise grading.

    \b
    Students:    quizkit quiz --tag activation --count 10
                 quizkit exam --minutes 60
                 quizkit grade sigmoid sigmoid.py
    Instructors: quizkit bank validate questions/
                 quizkit grade-batch sigmoid submissions/ --output results.csv
    """


def main() -> None:
    cli(prog_name="quizkit")


if __name__ == "__main__":
    main()
