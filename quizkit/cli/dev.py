"""`quizkit dev ...`: self-checks for the people who write the course."""

from __future__ import annotations

import sys

import click


@click.group()
def dev() -> None:
    """Course self-checks for instructors."""


@dev.command()
@click.argument("exercise_ids", nargs=-1)
def check(exercise_ids: tuple[str, ...]) -> None:
    """Every exercise: valid metadata, zh+en statement, reference full marks, starter and mutants fail.

    Also validates the shipped banks strictly. Exit 1 on any problem.
    """
    from quizkit.bank.validate import validate
    from quizkit.grading.devcheck import check_course

    bank = validate(None, strict=True)
    for diag in bank.diagnostics:
        click.echo(str(diag))
    click.echo(f"{'ok  ' if not bank.errors else 'FAIL'} banks: {len(bank.questions)} questions in "
               f"{len(bank.banks)} banks, {len(bank.errors)} problem(s)")
    results = check_course(list(exercise_ids) or None, on_result=lambda r: click.echo(r.line()))
    bad = [r for r in results if not r.ok]
    click.echo(f"{len(results) - len(bad)}/{len(results)} exercises check out")
    sys.exit(1 if bad or bank.errors else 0)
