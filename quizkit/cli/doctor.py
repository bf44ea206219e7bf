"""`quizkit doctor`: which sandbox isolation layers this machine gives, and why any is missing."""

from __future__ import annotations

import os
import sys

import click

from quizkit.cli.options import lang_option


@click.command()
@lang_option
def doctor(lang: str | None) -> None:
    """List the sandbox's isolation layers on this machine, and why any is missing.

    \b
    A real sandboxed child is started; its layers are the ones grading gets. Exit 0 with the full set,
    1 when layers are missing (grading still works; `quizkit grade --require-isolation` refuses).
    """
    from quizkit.grading.sandbox.diagnose import diagnose
    from quizkit.grading.sandbox.layers import label
    from quizkit.render.i18n import detect_lang, set_lang, t

    lang = set_lang(lang or detect_lang())
    report = diagnose(lang)
    who = "root" if report.uid == 0 else os.environ.get("USER") or t("doctor.ordinary_user")
    click.echo(f"{t('doctor.title')}: {t('doctor.as_user', who=who, uid=report.uid)}")
    for layer in report.in_force:
        click.echo(f"  {t('doctor.in_force', label=label(layer, lang))}")
    for layer, reason in report.missing.items():
        click.echo(f"  {t('doctor.missing', label=label(layer, lang), reason=reason)}")
    click.echo(t("doctor.full") if report.full else t("doctor.partial", n=len(report.missing)))
    sys.exit(0 if report.full else 1)
