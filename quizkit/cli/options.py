"""Options shared by several commands, written once."""

from __future__ import annotations

import click

bank_option = click.option(
    "--bank", "banks", multiple=True, type=click.Path(path_type=str),
    help="A bank file or folder; repeatable. Default: the shipped banks.",
)
seed_option = click.option("--seed", type=int, default=None, help="Makes selection and option order reproducible.")


def format_option(*choices: str, default: str = "text"):  # type: ignore[no-untyped-def]
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True,
        help="Output format.",
    )


lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None,
    help="Interface language; default from the locale.",
)
