"""`quizkit grade ID FILE`: grade one submission in the sandbox and record the attempt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from quizkit.cli.options import format_option, lang_option, reveal_hidden_option
from quizkit.errors import QuizkitError, UsageError

if TYPE_CHECKING:
    from quizkit.grading.report import GradeReport


@click.command()
@click.argument("exercise_id", metavar="ID")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@format_option("text", "json", "gradescope", "junit")
@click.option("--output", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--require-isolation", is_flag=True,
              help="Refuse to grade (exit 1) unless the sandbox has every isolation layer (see quizkit doctor).")
@lang_option
@reveal_hidden_option
@click.option("--no-record", is_flag=True,
              help="Don't save this grade in your progress (for grading someone else's file).")
def grade(exercise_id: str, file: Path, fmt: str, output: Path | None, require_isolation: bool,
          lang: str | None, reveal_hidden: bool, no_record: bool) -> None:
    """Grade FILE against exercise ID in the sandbox.

    \b
    Exit 0 when every test passed, 1 when any failed (wrong values, a crash, an exit, a syntax error,
    a timeout, a forbidden call, or a file that is too large, not UTF-8 or unreadable), 2 for usage errors
    (unknown exercise, missing file).
    """
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import set_lang, t

    lang = set_lang(lang)  # before anything can fail: every message of this command in it
    ex = load_exercise(exercise_id)
    if not file.is_file():
        raise UsageError(t("cli.no_such_file" if not file.exists() else "cli.not_a_file", path=file))
    from quizkit.grading.report import fmt_score
    from quizkit.grading.runner import grade as run_grade

    live = fmt == "text" and output is None and _on_terminal()
    progress = _Progress(ex.id, str(file), lang) if live else None
    report = run_grade(ex, file, lang=lang, require_isolation=require_isolation,
                       on_collect=progress.collected if progress else None,
                       on_result=progress.finished if progress else None)
    if not reveal_hidden:
        report = report.for_student()
    text = report.text_footer(lang) if progress else _render(report, fmt, lang, ex.hidden_visibility)
    if output is not None:
        _write(output, text)
        if fmt != "text":
            click.echo(t("grade.written", exercise=report.exercise, score=fmt_score(report.score),
                         max=fmt_score(report.max_score), output=output), err=True)
    else:
        click.echo(text, nl=False)
    if not no_record:
        record_attempt(report)
    raise SystemExit(0 if report.passed else 1)


class _Progress:
    """The text report as it happens: the header at once, then each test's lines as the test finishes (the
    same lines, in the same order, as the report printed at the end when standard output is not a terminal)."""

    def __init__(self, exercise: str, submission: str, lang: str) -> None:
        from quizkit.grading.report import text_header

        self.lang = lang
        self.width = 10
        click.echo("\n".join(text_header(exercise, submission, lang)))

    def collected(self, names: list[str]) -> None:
        from quizkit.grading.report import name_width

        self.width = name_width(names)

    def finished(self, result) -> None:  # type: ignore[no-untyped-def]
        from quizkit.grading.report import text_test_lines

        click.echo("\n".join(text_test_lines(result, self.width, self.lang)))


def _on_terminal() -> bool:
    import sys

    return sys.stdout.isatty()


def _render(report, fmt: str, lang: str, hidden_visibility: str = "hidden") -> str:  # type: ignore[no-untyped-def]
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "gradescope":
        return json.dumps(report.to_gradescope(hidden_visibility), ensure_ascii=False, indent=2) + "\n"
    if fmt == "junit":
        return report.to_junit()
    return report.to_text(lang)


def record_attempt(report: GradeReport) -> None:
    """Save a grade in the student's progress; the report is already out, so a failure here is only a warning."""
    from quizkit.render.i18n import t
    from quizkit.store import open_store

    try:
        with open_store() as st:
            st.record_exercise_attempt(report.exercise, report.score, report.max_score, report.passed,
                                       report.duration_s, report.to_json(indent=None))
    except QuizkitError as err:
        click.echo(t("grade.not_recorded", error=err), err=True)


def _write(path: Path, text: str) -> None:
    from quizkit.paths import write_atomic

    write_atomic(path, text)
