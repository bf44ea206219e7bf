"""`quizkit dev ...`: self-checks for the people who write the course."""

from __future__ import annotations

import sys

import click

from quizkit.cli.options import lang_option


@click.group()
def dev() -> None:
    """Course self-checks for instructors."""


@dev.command()
@click.argument("exercise_ids", nargs=-1)
@lang_option
def check(exercise_ids: tuple[str, ...], lang: str | None) -> None:
    """Every exercise: valid metadata, zh+en statement, reference full marks, starter and mutants fail.

    Also validates the shipped banks strictly. Exit 1 on any problem.
    """
    from quizkit.bank.validate import validate
    from quizkit.grading.devcheck import check_course
    from quizkit.render.i18n import set_lang, t

    set_lang(lang)
    bank = validate(None, strict=True)
    for diag in bank.diagnostics:
        click.echo(str(diag))
    click.echo(t("dev.banks", mark=t("dev.fail" if bank.errors else "dev.ok"), questions=len(bank.questions),
                 banks=len(bank.banks), problems=len(bank.errors)))
    results = check_course(list(exercise_ids) or None, on_result=lambda r: click.echo(r.line()))
    bad = [r for r in results if not r.ok]
    click.echo(t("dev.summary", ok=len(results) - len(bad), total=len(results)))
    sys.exit(1 if bad or bank.errors else 0)
