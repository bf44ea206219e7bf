"""`quizkit exercise ...`: list, show, start, hint and solution for the coding exercises."""

from __future__ import annotations

from pathlib import Path

import click

from quizkit.cli.options import lang_option
from quizkit.errors import QuizkitError, UsageError
from quizkit.paths import write_atomic


def _lang(lang: str | None) -> str:
    from quizkit.render.i18n import set_lang

    return set_lang(lang)


def _title(ex, lang: str) -> str:  # type: ignore[no-untyped-def]
    return ex.title_zh if lang == "zh" else ex.title_en


def _status(status: str) -> str:
    """The store's status ("not started" | "attempted" | "passed") in the interface language."""
    from quizkit.render.i18n import STRINGS, t

    return t(f"exercise.status.{status}") if f"exercise.status.{status}" in STRINGS else status


@click.group()
def exercise() -> None:
    """Coding exercises graded in a sandbox: list, show, start, hint, solution."""


@exercise.command("list")
@lang_option
def list_(lang: str | None) -> None:
    """Each exercise with its topic, points and your status."""
    from rich.table import Table

    from quizkit.grading.exercises import list_exercises
    from quizkit.render.i18n import t
    from quizkit.render.terminal import make_console
    from quizkit.store import open_store

    lang = _lang(lang)
    table = Table()
    for col in ("id", "title", "topic", "points", "status"):
        table.add_column(t(f"exercise.col.{col}"), justify="right" if col == "points" else "left")
    with open_store() as st:
        for ex in list_exercises():
            table.add_row(ex.id, _title(ex, lang), ex.topic, str(ex.points), _status(st.exercise_status(ex.id)))
    make_console().print(table)


@exercise.command()
@click.argument("exercise_id")
@lang_option
def show(exercise_id: str, lang: str | None) -> None:
    """The statement of an exercise, in --lang."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.statement import statement
    from quizkit.render.terminal import Terminal

    ex = load_exercise(exercise_id)
    text = statement(Path(ex.readme).read_text(encoding="utf-8"), _lang(lang))
    Terminal().markdown(text, breaks=False)  # a README's line breaks are only where its source was wrapped


@exercise.command()
@click.argument("exercise_id")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where to put the starter file.")
@click.option("--force", is_flag=True, help="Overwrite an existing file (your work in it is lost).")
@lang_option
def start(exercise_id: str, directory: Path, force: bool, lang: str | None) -> None:
    """Copy the starter into a workspace and print the next command."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import t

    _lang(lang)
    ex = load_exercise(exercise_id)
    target = directory / f"{ex.id}.py"
    if target.exists() and not force:
        raise QuizkitError(t("exercise.exists", target=target))
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(target, Path(ex.starter).read_bytes())
    click.echo(t("exercise.wrote", target=target))
    click.echo(t("exercise.next", exercise=ex.id, target=target))
    click.echo(f"  quizkit grade {ex.id} {target}")
    click.echo(f"  quizkit watch {ex.id} {target}    {t('exercise.watch_comment')}")


@exercise.command()
@click.argument("exercise_id")
@lang_option
def hint(exercise_id: str, lang: str | None) -> None:
    """The next hint: one more each time."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import t
    from quizkit.store import open_store

    lang = _lang(lang)
    ex = load_exercise(exercise_id)
    if not ex.hints:
        raise QuizkitError(t("exercise.no_hints", exercise=exercise_id))
    with open_store() as st:
        index = st.next_hint(ex.id, len(ex.hints))
    text = ex.hints[index].get(lang) or next(iter(ex.hints[index].values()))
    click.echo(t("exercise.hint", n=index + 1, total=len(ex.hints), text=text))


@exercise.command()
@click.argument("exercise_id")
@click.option("--force", is_flag=True, help="Show it before passing (asks for confirmation).")
@lang_option
def solution(exercise_id: str, force: bool, lang: str | None) -> None:
    """The reference solution, once you have passed the exercise."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import t
    from quizkit.store import open_store

    _lang(lang)
    ex = load_exercise(exercise_id)
    with open_store() as st:
        status = st.exercise_status(ex.id)
    if status != "passed":
        if not force:
            raise QuizkitError(t("exercise.locked", exercise=ex.id, status=_status(status)))
        if not click.confirm(t("exercise.spoil"), default=False):
            raise UsageError(t("exercise.not_shown"))
    if not Path(ex.reference).is_file():
        raise QuizkitError(t("exercise.no_solution", exercise=ex.id))
    click.echo(Path(ex.reference).read_text(encoding="utf-8"), nl=False)


@exercise.command()
@click.argument("exercise_ids", metavar="[EX]...", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["gradescope", "student"]), default="gradescope",
              show_default=True,
              help="gradescope: an autograder zip for one exercise (setup.sh and run_autograder at its root). "
                   "student: a practice folder for students with the visible tests only (no EX: every exercise).")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="The file to write (autograder.zip), or the folder of a student build.")
def export(exercise_ids: tuple[str, ...], fmt: str, output: Path) -> None:
    """Package exercises for another grading system or for students (instructors)."""
    from quizkit.render.i18n import t

    _lang(None)  # the locale's
    if fmt == "student":
        _export_student(exercise_ids, output)
        return
    if len(exercise_ids) != 1:
        raise UsageError(t("export.one_exercise"))
    exercise_id = exercise_ids[0]
    if output.is_dir():
        raise UsageError(t("export.folder", output=output))
    from quizkit.interop.gradescope import build

    names = build(exercise_id, output)
    click.echo(t("export.wrote", output=output, names=", ".join(names)))
    click.echo(t("export.upload", exercise=exercise_id))


def _export_student(exercise_ids: tuple[str, ...], output: Path) -> None:
    from quizkit.grading.report import fmt_score
    from quizkit.interop.student import build
    from quizkit.render.i18n import t

    built = build(list(exercise_ids), output,
                  on_exercise=lambda ex: click.echo(t("export.recording", exercise=ex), err=True))
    for ex, names in built.visible.items():
        click.echo(t("export.student_line", exercise=ex, visible=len(names), points=fmt_score(built.points[ex]),
                     hidden=len(built.removed[ex])))
    click.echo(t("export.student_wrote", output=output))
