"""`quizkit bank export` and `quizkit bank import`: Moodle XML, GIFT and Anki (attached to `bank` in bank.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from quizkit.cli.options import lang_option, seed_option
from quizkit.errors import UsageError
from quizkit.interop.convert import EXPORT_FORMATS, IMPORT_FORMATS


@click.command("export")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="moodle-xml (Moodle XML), gift (Moodle's text format) or anki (.apkg through genanki).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The file to write (replaced atomically).")
@click.option("--variants", type=click.IntRange(min=0), default=0, show_default=True,
              help="Export each parametrized question as this many fixed variants (<id>.v1, ...); 0 lists them "
                   "as skipped.")
@seed_option
@lang_option
def export_cmd(paths: tuple[str, ...], fmt: str, output: Path, variants: int, seed: int | None,
               lang: str | None) -> None:
    """Export banks to Moodle XML, GIFT or an Anki package.

    PATHS are bank files or folders (default: the shipped banks). Whatever the format cannot hold is named per
    question on stderr, as `bank:line: warning: 'id': ...`. Parametrized questions are listed as skipped unless
    --variants asks for fixed draws of their numbers.
    """
    from quizkit.interop.convert import drawer, export_banks, not_carried
    from quizkit.paths import write_atomic
    from quizkit.render.i18n import set_lang, t

    set_lang(lang)

    draw = drawer(variants, seed) if variants else None
    content, report = export_banks(paths or None, fmt, lang=lang, draw=draw)
    if not report.written:
        raise UsageError(t("bank.nothing_to_export"))
    for note in report.notes:
        click.echo(str(note), err=True)
    write_atomic(output, content)
    size = len(content.encode("utf-8") if isinstance(content, str) else content)
    skipped = t("bank.skipped", n=len(report.skipped)) if report.skipped else ""
    click.echo(t("bank.exported", n=report.written, output=output, fmt=fmt, size=f"{size:,}", skipped=skipped,
                 warnings=len(report.notes), lost=", ".join(not_carried(fmt))))


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The bank file to write (YAML).")
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), default=None,
              help="Default: from the extension (.xml Moodle XML, .gift/.txt GIFT), else from the content.")
@click.option("--title", default=None, help="The bank's title (default: the category's, else the file name).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def import_cmd(file: Path, output: Path, fmt: str | None, title: str | None, force: bool) -> None:
    """Import a GIFT or Moodle XML file into a bank that passes `quizkit bank validate`.

    Ids, types, answers, feedback and tags are kept; whatever quizkit cannot express is named per question as
    `file:line: warning: 'id': ...`.
    """
    from quizkit.bank.validate import validate
    from quizkit.interop.convert import import_file
    from quizkit.paths import write_atomic
    from quizkit.render.i18n import t

    if not file.is_file():
        raise UsageError(t("cli.no_such_file", path=file))
    if output.exists() and not force:
        raise UsageError(t("cli.exists", path=output))
    text, draft = import_file(file, fmt, title=title)
    for note in draft.notes:
        click.echo(str(note), err=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output, text)
    result = validate([output])
    for diag in result.errors:
        click.echo(str(diag), err=True)
    click.echo(t("bank.imported", n=len(draft.questions), output=output, notes=len(draft.notes),
                 errors=len(result.errors), warnings=len(result.warnings)))
    sys.exit(1 if result.errors else 0)
