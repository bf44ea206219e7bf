"""Every command and sub-command the CLI registers has help text, found by walking the CLI, not from a list."""

from __future__ import annotations

import click
from click.testing import CliRunner

from quizkit.cli import cli


def walk(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group, info_name=path[-1] if path else "quizkit")
    found = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, f"{' '.join(path + (name,))}: listed but cannot be loaded"
        found.append((path + (name,), cmd))
        if isinstance(cmd, click.Group):
            found.extend(walk(cmd, path + (name,)))
    return found


def missing_help(commands: list[tuple[tuple[str, ...], click.Command]]) -> list[str]:
    problems = []
    for path, cmd in commands:
        where = "quizkit " + " ".join(path)
        if not (cmd.help or cmd.short_help or "").strip():
            problems.append(f"{where}: no help text")
        for param in cmd.params:
            if isinstance(param, click.Option) and not (param.help or "").strip() and not param.hidden:
                problems.append(f"{where} {param.opts[0]}: no help text")
    return problems


def test_every_registered_command_and_option_has_help():
    commands = walk(cli)
    names = {" ".join(path) for path, _ in commands}
    # the walk reaches sub-commands too, so a new one is checked without editing this test
    assert {"quiz", "grade", "bank validate", "exercise start", "dev check"} <= names, names
    assert len(commands) > 11
    assert missing_help(commands) == []


def test_every_command_answers_help():
    for path, _ in walk(cli):
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output and len(result.output.strip().splitlines()) >= 3, (path, result.output)


def test_the_check_catches_a_command_without_help():
    """Positive control: the same walk flags a command and an option that lack help."""

    @click.group()
    def demo() -> None:
        """Demo group."""

    @demo.command()
    @click.option("--count")
    def bare() -> None:
        pass

    problems = missing_help(walk(demo))
    assert problems == ["quizkit bare: no help text", "quizkit bare --count: no help text"]
