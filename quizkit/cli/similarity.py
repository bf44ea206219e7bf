"""`quizkit similarity`: how alike a class's submissions are (also run by `grade-batch --similarity`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from quizkit.cli.options import lang_option
from quizkit.grading.similarity import DEFAULT_THRESHOLD as THRESHOLD  # imports numpy only when comparing

if TYPE_CHECKING:
    from quizkit.grading.batch import Student
    from quizkit.grading.exercises import Exercise


@click.command()
@click.argument("exercise_id")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--output-dir", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where EXERCISE_ID-similarity.csv (every pair) and .html (the report) go.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=THRESHOLD, show_default=True,
              help="Name the pairs more similar than this: the share of one file's code (starter excluded) "
                   "also found in the other, 0 to 1.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many pairs above the threshold the summary names (the CSV has them all).")
@click.option("--excel", is_flag=True, help="Write the CSV as UTF-8 with a BOM, so Excel shows 张三 right.")
@lang_option
def similarity(exercise_id: str, folder: Path, output_dir: Path, threshold: float, top: int, excel: bool,
               lang: str | None) -> None:
    """Compare every pair of submissions in FOLDER (found as grade-batch finds them) with copydetect.

    \b
    The exercise's starter is boilerplate: code every student was given does not count.
    Renamed variables do not hide a copy; notebooks are compared on their code cells.
    Example: quizkit similarity sigmoid submissions/ --output-dir report/
    """
    from quizkit.grading.batch import discover
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import set_lang

    set_lang(lang)
    ex = load_exercise(exercise_id)
    report_similarity(ex, discover(ex.id, folder), folder, output_dir, threshold=threshold, top=top, excel=excel)


def report_similarity(ex: Exercise, students: list[Student], folder: Path, output_dir: Path, *,
                      threshold: float = THRESHOLD, top: int = 10, excel: bool = False) -> None:
    """Compare, write the CSV and the report into `output_dir`, and print the pairs above the threshold."""
    from quizkit.errors import UsageError
    from quizkit.grading import similarity as sim
    from quizkit.render.i18n import t

    if not students:
        raise UsageError(t("similarity.no_submissions", folder=folder, id=ex.id))
    result = sim.compare(ex.id, ex.starter, students, threshold, folder=folder)
    for why in result.skipped:
        click.echo(t("similarity.skipped", why=why), err=True)
    csv_path, html_path = sim.write(result, output_dir, excel=excel)
    click.echo(t("similarity.compared", n=len(result.compared), exercise=ex.id, pairs=len(result.pairs),
                 starter=_shown(ex.starter)))
    above, pct = result.above(), f"{threshold:.0%}"
    if above:
        click.echo(t("similarity.above", n=len(above), threshold=pct))
        for p in above[:top]:
            click.echo(t("similarity.pair", a=p.a.name, b=p.b.name, score=f"{p.score:.0%}", ab=f"{p.a_to_b:.0%}",
                         ba=f"{p.b_to_a:.0%}", tokens=max(p.matched_a, p.matched_b)))
        if len(above) > top:
            click.echo(t("similarity.more", n=len(above) - top))
    else:
        best = result.pairs[0]
        click.echo(t("similarity.none_above", threshold=pct, a=best.a.name, b=best.b.name, score=f"{best.score:.0%}"))
    click.echo(t("similarity.written", csv=csv_path, html=html_path))


def _shown(path: Path) -> str:
    """The starter as the user would type it: relative to the current folder when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
