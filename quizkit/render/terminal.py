"""The terminal port: draws questions and feedback with rich, reads answers from stdin.

When stdin is not a terminal, answers are read line by line and echoed after the prompt, so a piped session
reads like a transcript. Colour is off when stdout is not a terminal or NO_COLOR is set (rich does both).
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

from quizkit.bank.model import LETTERS
from quizkit.quiz.scoring import AnswerError, Result, correct_letters, format_number, shown_letters
from quizkit.quiz.select import Presented
from quizkit.quiz.session import Summary, TimeUp
from quizkit.render import latex
from quizkit.render.fmt import fmt_interval, fmt_num, fmt_pct, fmt_time, fmt_when
from quizkit.render.i18n import t
from quizkit.render.wrap import GLUE, break_offsets, wrap_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

def _wants_rich() -> bool:
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


VERDICT_STYLE = {"right": "bold green", "partial": "bold yellow", "wrong": "bold red", "skipped": "yellow",
                 "unanswered": "yellow"}


def make_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, emoji=False, markup=False)


def _plain_width() -> int:
    # What rich uses when stdout is not a terminal.
    try:
        return int(os.environ.get("COLUMNS", "80"))
    except ValueError:
        return 80


class Terminal:
    """Rendering helpers shared by the port and the report views.

    On a terminal (or with FORCE_COLOR) text goes through rich. When stdout is piped there is no colour to draw,
    so paragraphs are written directly, with the same line breaking, and rich is imported only for tables.
    """

    def __init__(self, raw_math: bool = False, console: Console | None = None, rich: bool | None = None):
        self._console = console
        self.raw_math = raw_math
        self.rich = rich if rich is not None else (console is not None or _wants_rich())

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = make_console()
        return self._console

    @property
    def width(self) -> int:
        return max(20, min(self.console.width if self.rich else _plain_width(), 100))

    def write(self, text: str) -> None:
        """Unstyled text without a newline (prompts, echoed answers)."""
        if self.rich:
            self.console.print(text, end="")
            self.console.file.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()

    def math(self, text: str) -> str:
        return text if self.raw_math else latex.to_unicode(text)

    def markdown(self, text: str, *lead: str | tuple[str, str], indent: int = 0, hang: int = 0,
                 breaks: bool = True, inline: bool = False) -> None:
        """Bank text (or a statement, with breaks=False) as Markdown with math; `lead` is a label such as
        "A. " that starts the first line, whose continuation lines hang by `hang`."""
        from quizkit.render.show import show

        show(self, text, lead, indent=indent, hang=hang, breaks=breaks, inline=inline)

    def content(self, text: str) -> list[str | tuple[str, str]]:
        """Bank text as the parts of one paragraph (its blocks on separate lines), for callers that add to it."""
        from quizkit.render.show import paragraph

        return paragraph(self, text)

    def plain(self, text: str) -> str:
        """Bank text on one line, without markup: for listings."""
        from quizkit.render.markdown import plain

        return self.math(plain(text)) if not self.raw_math else plain(text)

    def text(self, *parts: str | tuple[str, str]) -> Text:
        from rich.text import Text

        out = Text()
        for p in parts:
            if isinstance(p, tuple):
                out.append(p[0], style=p[1])
            else:
                out.append(p)
        return out

    def para(self, *parts: str | tuple[str, str], indent: int = 0, hang: int = 0, end: str = "\n") -> None:
        """Print parts as one wrapped paragraph; `indent` on every line, `hang` more on continuation lines."""
        if not self.rich:
            plain = "".join(p[0] if isinstance(p, tuple) else p for p in parts)
            pad, more = " " * indent, " " * hang
            lines = []
            for n, (a, b) in enumerate(break_offsets(plain, self.width - indent, hang)):
                cont = n and a > 0 and plain[a - 1] != "\n"
                lines.append(pad + (more if cont else "") + plain[a:b].replace(GLUE, " "))
            sys.stdout.write("\n".join(lines) + end)
            return
        body = self.text(*parts)
        wrapped = wrap_text(body, self.width - indent, hang)
        if indent:
            from rich.text import Text

            pad_text = Text(" " * indent)
            wrapped = Text("\n").join(pad_text + line for line in wrapped.split("\n"))
        self.console.print(wrapped, soft_wrap=True, end=end)

    def line(self, text: str, style: str = "", indent: int = 0) -> None:
        """One line as written, never wrapped (code)."""
        if not self.rich:
            sys.stdout.write(" " * indent + text + "\n")
            return
        from rich.text import Text

        self.console.print(Text(" " * indent) + Text(text, style=style), soft_wrap=True)

    def blank(self) -> None:
        if self.rich:
            self.console.print()
        else:
            sys.stdout.write("\n")

    def answer_text(self, item: Presented) -> str:
        """The right answer, in the letters the student saw."""
        q = item.question
        if q.is_choice:
            return shown_letters(correct_letters(q), item.order or None)
        if q.type == "true_false":
            return t("true") if q.answer else t("false")
        if q.type == "numeric":
            text = format_number(float(q.answer))  # type: ignore[arg-type]
            if q.unit:
                text += f" {q.unit}"
            if q.tolerance is not None:
                text += f" (±{format_number(q.tolerance)})"
            elif q.rel_tolerance is not None:
                text += f" (±{format_number(100 * q.rel_tolerance)}%)"
            return text
        return self.math(str(q.answer))

    def given_text(self, item: Presented, result: Result) -> str:
        q = item.question
        if q.type == "true_false":
            return t("true") if result.given == "T" else t("false")
        return result.given

    def explanation(self, item: Presented, indent: int = 0) -> None:
        """The explanation, with option letters it mentions relabelled to the order the student saw."""
        q = item.question
        if not q.explanation:
            return
        text = q.explanation
        if item.order and list(item.order) != sorted(item.order):
            from quizkit.bank.letters import relabel

            text = relabel(text, {LETTERS[w]: LETTERS[i] for i, w in enumerate(item.order)})
        self.markdown(text, (t("explanation"), "bold"), indent=indent)


_COMMANDS = {"?", "？", "q", ":q", "quit", "s", ":s", "skip"}


def _tty_line(stdin: Any, prompt: str | None) -> str:
    """A line from a terminal, with a trailing newline ('' at end of input). When stdin is the process's own
    terminal, GNU readline reads it in raw mode, which has no line-length limit (the kernel's canonical mode cuts
    a line at 4,095 bytes) and gives line editing. Given the prompt, readline shows it once the terminal is in
    raw mode, so nothing typed after the prompt appears meets the limit."""
    if stdin is sys.stdin:
        try:
            import readline  # noqa: F401 - importing it makes input() use it
        except ImportError:  # pragma: no cover - Windows
            pass
        try:
            return input(prompt or "") + "\n"
        except EOFError:
            return ""
    if prompt:
        sys.stdout.write(prompt)
        sys.stdout.flush()
    return str(stdin.readline())


class TerminalPort(Terminal):
    def __init__(self, raw_math: bool = False, stdin: Any = None, console: Console | None = None):
        super().__init__(raw_math, console)
        self._stdin = stdin
        self._types_seen: set[str] = set()
        self._suggested = 0

    @property
    def stdin(self) -> Any:
        return self._stdin if self._stdin is not None else sys.stdin

    @property
    def interactive(self) -> bool:
        try:
            return bool(self.stdin.isatty())
        except (AttributeError, ValueError):
            return False

    # -- input ----------------------------------------------------------------------------------------
    def read(self, kind: str, deadline: float | None = None) -> str | None:
        """One answer. On a terminal a short answer ("text") runs until an empty line, and lines are read through
        readline, so they are not cut at the terminal's 4,095-byte line limit. Piped input stays line by line."""
        if kind == "rating":
            prompt = t("prompt.rating", suggested=f"{self._suggested} {t(f'rating.{self._suggested}')}")
        else:
            prompt = t("prompt.answer")
        line = self._line(prompt, deadline)
        if line is None or kind != "text" or not self.interactive or line.strip() in _COMMANDS or not line.strip():
            return line
        lines = [line]
        while True:
            more = self._line(t("prompt.more"), deadline)
            if not more or not more.strip():
                return "\n".join(lines)
            lines.append(more)

    def _line(self, prompt: str, deadline: float | None) -> str | None:
        if self.interactive and deadline is None:
            line = _tty_line(self.stdin, prompt)  # readline draws the prompt itself
        else:
            self.para((prompt, "bold cyan"), end="")
            if self.rich:
                self.console.file.flush()
            else:
                sys.stdout.flush()
        if self.interactive:
            if deadline is not None:
                self._wait(deadline)
                line = _tty_line(self.stdin, None)
        else:
            line = self.stdin.readline()
            if line:
                self.write(line.rstrip("\r\n") + "\n")  # echo, so the transcript shows the answer
        if not line:
            self.blank()
            return None
        return line.rstrip("\r\n")

    def _wait(self, deadline: float) -> None:
        """Block until a line is typed; raise TimeUp when the deadline passes first (POSIX terminals)."""
        try:
            import select

            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.blank()
                    raise TimeUp
                ready, _, _ = select.select([self.stdin], [], [], min(left, 1.0))
                if ready:
                    return
        except (ImportError, OSError, ValueError):
            return  # no select on this stdin: the deadline is checked after the answer instead

    # -- output ---------------------------------------------------------------------------------------
    def question(self, item: Presented, number: int, total: int, *, section: str | None,
                 remaining: float | None, asked: bool = True) -> None:
        q = item.question
        if section:
            self.blank()
            self.para((section, "bold magenta"))
        self.blank()
        header = [(f"[{number}/{total}] ", "bold"), (t(f"type.{q.type}"), "bold cyan"),
                  (f" · {q.topic} · {q.id}", "dim")]
        if remaining is not None:
            header.append((" · " + t("remaining", time=fmt_time(remaining)), "bold yellow"))
        self.para(*header)
        self.markdown(q.prompt)
        for i, opt in enumerate(item.options):
            label = f"  {q.letter_of(i)}. "
            self.markdown(opt, (label, "bold"), hang=len(label), inline=True)
        if not asked:  # shown, not asked (`bank show`): no input help
            return
        if q.type not in self._types_seen:
            self._types_seen.add(q.type)
            hint = t("hint.short_answer.tty" if q.type == "short_answer" and self.interactive else f"hint.{q.type}")
            if q.type == "symbolic" and q.variables:
                hint += " · " + t("hint.variables", names=", ".join(q.variables))
            self.para((hint + " · " + t("hint.keys"), "dim"))
        elif q.type == "numeric" and q.unit:
            self.para((t("hint.unit", unit=q.unit), "dim"))

    def invalid(self, err: AnswerError) -> None:
        self.para((t(f"invalid.{err.key}", **err.args_), "yellow"))

    def help(self, item: Presented) -> None:
        q = item.question
        self.para((t("help.title"), "bold"))
        self.para(t(f"hint.{q.type}"), indent=2)
        if q.type == "symbolic" and q.variables:
            self.para(t("hint.variables", names=", ".join(q.variables)), indent=2)
        if q.type == "numeric" and q.unit:
            self.para(t("hint.unit", unit=q.unit), indent=2)
        for line in t("help.commands").split("\n"):
            self.para(line, indent=2)

    def feedback(self, item: Presented, result: Result) -> None:
        verdict = result.verdict
        parts: list[str | tuple[str, str]] = [(t(f"verdict.{verdict}"), VERDICT_STYLE[verdict])]
        if verdict == "partial":
            parts.append(("  " + t("score", score=fmt_num(result.score)), "yellow"))
        if verdict != "right":
            parts.append("  " + t("your_answer", answer=self.given_text(item, result)))
        parts.append("  " + t("correct_answer", answer=self.answer_text(item)))
        self.para(*parts)
        self.explanation(item)

    def rubric(self, item: Presented, result: Result) -> None:
        q = item.question
        got, total = result.detail.get("points", 0.0), result.detail.get("total", 0.0)
        self._suggested = result.rating
        self.para((t("rubric.suggested", got=got, total=total, pct=fmt_pct(result.score)), "bold"))
        for ev in result.detail.get("evidence", ()):
            status = ev["status"]
            line: list[str | tuple[str, str]] = [
                (t(f"rubric.{status}", label=self.math(ev["label"]), why=ev["why"]),
                 "green" if status == "hit" else "red")]
            if ev["clause"]:
                line.append(("  " + t("rubric.evidence", clause=ev["clause"]), "dim"))
            self.para(*line, indent=2, hang=2)
        self.markdown(str(q.answer), (t("model_answer"), "bold"))
        self.explanation(item)

    def notice(self, key: str, **args: Any) -> None:
        if key == "skipped":
            item: Presented = args["answer"]
            if item.question.type == "short_answer":
                self.para((t("notice.skipped"), "yellow"))
                self.markdown(str(item.question.answer), (t("model_answer"), "bold"))
            else:
                self.para((t("notice.skipped"), "yellow"), "  ",
                          t("correct_answer", answer=self.answer_text(item)))
            self.explanation(item)
            return
        if key == "rated":
            rating = args["rating"]
            self.para((t("notice.rated", rating=f"{rating} {t(f'rating.{rating}')}",
                         score=fmt_num(args["score"])), "dim"))
            return
        if key == "next_due":
            self.para((t("notice.next_due", when=fmt_when(args["due"]),
                         interval=fmt_interval(args["due"] - (args["reviewed"] or args["due"]))), "dim"))
            return
        style = "bold yellow" if key == "time_up" else "cyan"
        self.para((t(f"notice.{key}", **args), style))


def summary(term: Terminal, s: Summary, store_path: object | None = None) -> None:
    term.blank()
    if s.ended_by != "done":
        term.para((t(f"summary.ended.{s.ended_by}"), "dim"))
    if not s.outcomes:
        term.para((t("summary.title"), "bold"), "  ", t("summary.nothing"))
        return
    counts = {k: s.count(k) for k in ("right", "partial", "wrong", "skipped")}
    term.para((t("summary.title"), "bold"), "  ", t("summary.line", asked=len(s.outcomes), **counts))
    total = len(s.outcomes)
    term.para("  " + t("summary.score", score=fmt_num(s.score), total=total, pct=fmt_pct(s.score / total),
                       time=fmt_time(s.seconds)))
    if counts["wrong"] or counts["partial"]:
        term.para(("  " + t("summary.to_mistakes"), "dim"))
    if store_path is not None:
        term.para(("  " + t("summary.saved", path=store_path), "dim"))
