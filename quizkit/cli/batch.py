"""`quizkit watch` and `quizkit grade-batch`: the commands that keep one warm grader busy."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from quizkit.cli.options import lang_option, reveal_hidden_option
from quizkit.errors import UsageError

if TYPE_CHECKING:
    from quizkit.grading.report import GradeReport


def watch_summary(report: GradeReport) -> str:
    """One line a student can act on: the score, then the first failing test's message."""
    from quizkit.grading.report import fmt_score
    from quizkit.render.i18n import t

    head = f"{fmt_score(report.score)}/{fmt_score(report.max_score)}"
    if report.passed:
        return f"{head}  {t('watch.all_passed', n=len(report.tests), exercise=report.exercise)}"
    if not report.tests:
        return f"{head}  {report.error or t('watch.not_graded')}"
    failing = report.failing
    first = next((r for r in failing if r.visibility == "visible"), failing[0])
    message = first.message if first.visibility == "visible" else t("watch.hidden")
    return f"{head}  " + t("watch.first_failing", name=first.name, status=t(f"report.{first.status.value}"),
                           message=message)


@click.command()
@click.argument("exercise_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--poll", is_flag=True, help="Poll the file instead of using file events.")
@click.option("--runs", type=click.IntRange(min=1), default=None,
              help="Stop after this many grades (for scripts); default: until Ctrl-C.")
@lang_option
def watch(exercise_id: str, file: Path, poll: bool, runs: int | None, lang: str | None) -> None:
    """Re-grade FILE on every save and show the first failing test's message."""
    from quizkit.cli.grade import record_attempt
    from quizkit.grading.batch import grade_one
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.runner import Grader
    from quizkit.grading.watch import Watcher
    from quizkit.render.i18n import set_lang, t

    lang = set_lang(lang)
    ex = load_exercise(exercise_id)
    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    grader = Grader(ex, lang=lang)
    watcher = Watcher(file, use_events=not poll)
    click.echo(t("watch.start", file=file, exercise=ex.id, mode=watcher.mode))
    done = 0
    try:
        while True:
            report = grade_one(grader, ex, file).for_student()
            if report.tests:
                record_attempt(report)
            click.echo(f"[{time.strftime('%H:%M:%S')}] {watch_summary(report)}")
            done += 1
            if runs is not None and done >= runs:
                break
            watcher.wait()
    except KeyboardInterrupt:
        click.echo(t("watch.stopped"))
    finally:
        watcher.close()


@click.command("grade-batch")
@click.argument("exercise_id")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Parallel warm graders.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="results.csv or results.json, updated after every student.")
@click.option("--resume", is_flag=True, help="Skip the students already in --output.")
@reveal_hidden_option
def grade_batch(exercise_id: str, folder: Path, jobs: int, output: Path | None, resume: bool,
                reveal_hidden: bool) -> None:
    """Grade every submission in FOLDER: each *.py, or each sub-folder holding EXERCISE_ID.py."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from quizkit.grading.batch import ResultsFile, discover, grade_all, row
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import set_lang, t

    set_lang(None)  # the summaries follow the locale
    ex = load_exercise(exercise_id)
    if resume and output is None:
        raise UsageError("--resume needs --output, the file that records who is graded")
    students = discover(ex.id, folder)
    if not students:
        raise UsageError(f"{folder}: no submissions (*.py files, or sub-folders holding {ex.id}.py)")
    results = ResultsFile(output, resume)
    todo = [s for s in students if s.name not in results.done]
    skipped = len(students) - len(todo)
    console = Console(stderr=True, highlight=False)
    if skipped:
        console.print(t("batch.resuming", skipped=skipped, todo=len(todo)))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task(t("batch.progress", exercise=ex.id), total=len(todo))

        def on_result(student, report):  # type: ignore[no-untyped-def]
            results.add(row(student, report if reveal_hidden else report.for_student()))
            progress.advance(task)

        grade_all(ex, todo, jobs=jobs, on_result=on_result)
    graded = results.rows
    if graded:
        mean = sum(float(r["score"]) for r in graded) / len(graded)
        passed = sum(str(r["passed"]) in ("True", "true", "1") for r in graded)
        click.echo(t("batch.summary", n=len(graded), passed=passed, mean=f"{mean:.2f}", points=ex.points)
                   + (t("batch.results_in", path=output) if output else ""))
    if output is None:
        for r in graded:
            click.echo(f"{r['student']}\t{r['score']}/{r['max_score']}\t{t('batch.passed' if r['passed'] else 'batch.failed')}")
