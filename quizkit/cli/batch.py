"""`quizkit watch` and `quizkit grade-batch`: the commands that keep one warm grader busy."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from quizkit.cli.options import lang_option, reveal_hidden_option
from quizkit.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

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
        raise UsageError(t("cli.no_such_file", path=file))
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


def cluster_tls_options(fn):  # type: ignore[no-untyped-def]
    """The client's side of a tls:// cluster, as `dask scheduler` and `dask worker` name the same files."""
    for name, what in (("--tls-key", "this client's private key"), ("--tls-cert", "this client's certificate"),
                       ("--tls-ca-file", "the CA certificate that signed the cluster's certificates")):
        fn = click.option(name, type=click.Path(dir_okay=False, path_type=Path), default=None,
                          help=f"For a tls:// --scheduler: {what} (PEM).")(fn)
    return fn


@click.command("grade-batch")
@click.argument("exercise_id")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes of an embedded dask cluster (1: grade in this process).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Grade on a running dask cluster: its scheduler, with `dask worker` processes where quizkit "
                   "is installed (a trusted network, or tls:// with the --tls-* files).")
@cluster_tls_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="results.csv or results.json, sorted by student, rewritten after every student.")
@click.option("--resume", is_flag=True,
              help="Skip the students already in --output whose file is unchanged (same sha256).")
@click.option("--excel", is_flag=True, help="Write the CSV as UTF-8 with a BOM, so Excel shows 张三 right.")
@click.option("--feedback-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write each student's report (STUDENT.txt and STUDENT.json, hidden tests redacted) here.")
@click.option("--similarity", is_flag=True,
              help="Then rank every pair of submissions by similarity (as `quizkit similarity`): "
                   "EXERCISE_ID-similarity.csv and .html go beside --output, or in the current folder without it.")
@lang_option
@reveal_hidden_option
def grade_batch(exercise_id: str, folder: Path, jobs: int, scheduler: str | None, tls_ca_file: Path | None,
                tls_cert: Path | None, tls_key: Path | None, output: Path | None, resume: bool, excel: bool,
                feedback_dir: Path | None, similarity: bool, lang: str | None, reveal_hidden: bool) -> None:
    """Grade every submission in FOLDER: each *.py, or each sub-folder holding EXERCISE_ID.py.

    \b
    --jobs N grades on N worker processes of a dask cluster started here; --scheduler grades on a running one.
    Only each submission's bytes go to a worker, and only its report (JSON text) comes back.
    Ctrl-C keeps the results so far, prints the --resume command that grades the rest, and exits 130.
    """
    from rich.console import Console

    from quizkit.grading.batch import ClusterError, discover
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.results import FeedbackDir, ResultsFile
    from quizkit.render.i18n import set_lang, t

    lang = set_lang(lang)
    ex = load_exercise(exercise_id)
    tls = _cluster_args(jobs, scheduler, tls_ca_file, tls_cert, tls_key)
    if resume and output is None:
        raise UsageError(t("batch.usage.resume_output"))
    if excel and output is None:
        raise UsageError(t("batch.usage.excel_output"))
    students = discover(ex.id, folder)
    if not students:
        raise UsageError(t("batch.usage.no_submissions", folder=folder, exercise=ex.id))
    results = ResultsFile(output, resume, excel=excel)
    feedback = FeedbackDir(feedback_dir, lang)
    hashes = {s.name: s.sha256() for s in students}
    todo = [s for s in students if not (results.graded(s.name, hashes[s.name]) and feedback.has(s.name))]
    console = Console(stderr=True, highlight=False)
    if resume and results.rows:
        changed = sum(1 for s in todo if s.name in results.rows and not results.graded(s.name, hashes[s.name]))
        console.print(t("batch.resuming", skipped=len(students) - len(todo), todo=len(todo), changed=changed))

    def record(student, report):  # type: ignore[no-untyped-def]
        feedback.write(student.name, report)  # before the row: a row in the results means the feedback is there
        results.add(_row(student, hashes[student.name], report, reveal_hidden))

    try:
        _run(ex, todo, console, record, jobs=jobs, scheduler=scheduler, tls=tls, lang=lang)
    except KeyboardInterrupt:
        _stopped(ex, students, results, output, console, "batch.interrupted")
        raise SystemExit(130) from None
    except ClusterError as err:
        console.print(t("cli.error", message=err), soft_wrap=True, markup=False)
        _stopped(ex, students, results, output, console, "batch.stopped")
        raise SystemExit(1) from None
    _summary(ex, results.sorted_rows(), output)
    if similarity:  # after the grades are saved: a class too small to compare still keeps its results
        from quizkit.cli.similarity import report_similarity

        report_similarity(ex, students, folder, output.parent if output else Path("."), excel=excel)


def _cluster_args(jobs: int, scheduler: str | None, ca: Path | None, cert: Path | None,  # type: ignore[no-untyped-def]
                  key: Path | None):
    """distributed's Security for a tls:// scheduler (None otherwise), after checking the options fit."""
    from quizkit.render.i18n import t

    given = [x for x in (ca, cert, key) if x is not None]
    if given and len(given) != 3:
        raise UsageError(t("batch.usage.tls_together"))
    if scheduler is None:  # the embedded cluster: dask is imported later, while its forkserver starts
        if given:
            raise UsageError(t("batch.usage.tls_without_scheduler"))
        return None
    from quizkit.grading.cluster import check_address, security

    tls = security(ca, cert, key)
    if jobs != 1:
        raise UsageError(t("batch.usage.jobs_and_scheduler"))
    check_address(scheduler, tls)
    return tls


def _stopped(ex, students: list, results, output: Path | None, console: Console,  # type: ignore[no-untyped-def]
             key: str) -> None:
    """What is kept after a stop, and the command that grades the rest."""
    from quizkit.render.i18n import t

    graded = sum(1 for s in students if s.name in results.rows)
    if output is None:
        console.print(t("batch.interrupted.unsaved", done=graded, total=len(students)), soft_wrap=True)
        _summary(ex, results.sorted_rows(), None)  # no file to keep them in: at least they are on stdout
    else:
        console.print(t(key, done=graded, total=len(students), path=output), soft_wrap=True)
        console.print("  " + resume_command(click.get_current_context()), soft_wrap=True, markup=False)


def _row(student, sha256: str, report, reveal_hidden: bool) -> dict:  # type: ignore[no-untyped-def]
    from quizkit.grading.results import row

    return row(student.name, student.path, sha256, report if reveal_hidden else report.for_student())


def _run(ex, todo: list, console: Console, on_result, **where) -> None:  # type: ignore[no-untyped-def]
    """Grade `todo` under a progress bar on stderr: done/total, failures so far, elapsed time and ETA. `where`:
    jobs, scheduler, tls and lang, passed on to grade_all."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from quizkit.grading.batch import grade_all
    from quizkit.render.i18n import t

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[failed]}"), TimeElapsedColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), console=console, transient=False) as progress:
        task = progress.add_task(t("batch.progress", exercise=ex.id), total=len(todo),
                                 failed=t("batch.progress.failed", n=0))
        failed = 0

        def one(student, report):  # type: ignore[no-untyped-def]
            nonlocal failed
            on_result(student, report)
            failed += not report.passed
            progress.update(task, advance=1, failed=t("batch.progress.failed", n=failed))

        def started(workers: int, link: str | None) -> None:
            address = where["scheduler"] or t("batch.cluster.embedded")
            progress.console.print(t("batch.cluster.start", workers=workers, address=address), soft_wrap=True,
                                   markup=False)
            if link:
                progress.console.print(t("batch.cluster.dashboard", link=link), soft_wrap=True, markup=False)

        grade_all(ex, todo, on_result=one, on_cluster=started, **where)


def resume_command(ctx: click.Context) -> str:
    """The command line that grades the rest: this one's arguments and options, with --resume."""
    p = ctx.params
    args = ["quizkit", "grade-batch", p["exercise_id"], str(p["folder"]), "--output", str(p["output"])]
    if p["jobs"] != 1:
        args += ["--jobs", str(p["jobs"])]
    if p.get("scheduler"):
        args += ["--scheduler", p["scheduler"]]
    for name in ("tls_ca_file", "tls_cert", "tls_key"):
        if p.get(name) is not None:
            args += ["--" + name.replace("_", "-"), str(p[name])]
    if p["excel"]:
        args.append("--excel")
    if p["feedback_dir"] is not None:
        args += ["--feedback-dir", str(p["feedback_dir"])]
    if p["lang"] is not None:
        args += ["--lang", p["lang"]]
    if p["reveal_hidden"]:
        args.append("--reveal-hidden")
    if p.get("similarity"):
        args.append("--similarity")
    return shlex.join([*args, "--resume"])


def _summary(ex, graded: list[dict], output: Path | None) -> None:  # type: ignore[no-untyped-def]
    from quizkit.render.i18n import t

    if graded:
        mean = sum(float(r["score"]) for r in graded) / len(graded)
        passed = sum(str(r["passed"]) in ("True", "true", "1") for r in graded)
        click.echo(t("batch.summary", n=len(graded), passed=passed, mean=f"{mean:.2f}", points=ex.points)
                   + (t("batch.results_in", path=output) if output else ""))
    if output is None:
        for r in graded:
            click.echo(f"{r['student']}\t{r['score']}/{r['max_score']}\t{t('batch.passed' if r['passed'] else 'batch.failed')}")
