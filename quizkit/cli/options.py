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

# -- studying (quiz, exam, review, mistakes) ---------------------------------------------------------------
tag_option = click.option(
    "--tag", "tags", multiple=True, metavar="TAG",
    help="Only questions with this tag or topic; repeatable (any of them).",
)
type_option = click.option(
    "--type", "types", multiple=True, metavar="TYPE",
    help="Only this question type: single, multiple, true_false, short_answer, numeric, symbolic; repeatable.",
)
difficulty_option = click.option(
    "--difficulty", metavar="LEVELS", default=None, help="Difficulty levels: 2, 1-2 or 1,3.",
)
no_shuffle_option = click.option(
    "--no-shuffle", is_flag=True, help="Keep the options in their written order.",
)
raw_math_option = click.option(
    "--raw-math", is_flag=True, help="Show LaTeX source instead of rendering it as Unicode.",
)


def count_option(default: int | None = None):  # type: ignore[no-untyped-def]
    return click.option(
        "--count", "-n", type=click.IntRange(min=1), default=default, show_default=default is not None,
        help="How many questions." if default is not None else "How many questions (default: all).",
    )


def study_options(f):  # type: ignore[no-untyped-def]
    """The selection and display options every study command shares."""
    for deco in reversed((bank_option, tag_option, type_option, difficulty_option, seed_option, lang_option,
                          no_shuffle_option, raw_math_option)):
        f = deco(f)
    return f


reveal_hidden_option = click.option(
    "--reveal-hidden", is_flag=True,
    help="Instructors: show hidden tests' inputs and messages (students see only their names and outcomes).")
