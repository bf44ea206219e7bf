"""What the formats share: the report of what was lost, math delimiters, text <-> HTML, the rubric block,
numbers, Moodle's answer weights and the handling of parametrized questions."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from quizkit.bank.model import KeyPoint, Question
from quizkit.errors import QuizkitError

# A function that turns a parametrized question into fixed variants (the lead plugs one in; see PARAMS.md).
Draw = Callable[[Question], list[Question]]


class FormatError(QuizkitError):
    """A file that cannot be read at all (not UTF-8, not XML, a DTD); the message is `path:line: error: ...`."""


@dataclass(frozen=True)
class Note:
    """One thing a format could not carry (or a question it had to skip), at `path:line`."""

    where: str
    qid: str
    message: str

    def __str__(self) -> str:
        who = f"'{self.qid}': " if self.qid else ""
        return f"{self.where}: warning: {who}{self.message}"


@dataclass
class Report:
    notes: list[Note] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    written: int = 0

    def note(self, where: str, qid: str, message: str) -> None:
        self.notes.append(Note(where, qid, message))

    def warn(self, q: Question, message: str) -> None:
        self.note(f"{q.bank}:{q.line}", q.id, message)

    def skip(self, where: str, qid: str, message: str) -> None:
        self.skipped.append(qid)
        self.note(where, qid, "skipped: " + message)


def prepare(questions: Iterable[Question], report: Report, draw: Draw | None = None) -> list[Question]:
    """The questions a fixed format can hold: a parametrized one becomes its drawn variants when `draw` is
    given, and is listed as skipped otherwise (never dropped silently)."""
    out: list[Question] = []
    for q in questions:
        if not getattr(q, "params", None):
            out.append(q)
        elif draw is None:
            report.skip(f"{q.bank}:{q.line}", q.id, "a parametrized question has no fixed numbers to export "
                                                    "(--variants N exports N draws of them)")
        else:
            variants = draw(q)
            report.warn(q, f"exported as {len(variants)} fixed variant(s): "
                           + ", ".join(v.id for v in variants))
            out.extend(variants)
    return out


# -- math ------------------------------------------------------------------------------------------------
_DOLLARS = re.compile(r"(?<!\\)\$\$(.+?)\$\$|(?<!\\)\$((?:\\.|[^\\$])+)\$", re.DOTALL)
_PARENS = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


def tex_delims(text: str) -> str:
    """`$x$` -> `\\(x\\)` and `$$x$$` -> `\\[x\\]`, the delimiters Moodle's and Anki's MathJax read."""
    return _DOLLARS.sub(lambda m: f"\\[{m[1]}\\]" if m[1] is not None else f"\\({m[2]}\\)", text)


def dollar_delims(text: str) -> str:
    """The inverse of `tex_delims`: quizkit banks write math between dollars."""
    return _PARENS.sub(lambda m: f"$${m[2]}$$" if m[2] is not None else f"${m[1]}$", text)


# -- text <-> HTML -----------------------------------------------------------------------------------------
def to_html(text: str) -> str:
    """Bank text as HTML that reads back exactly: escaped, line breaks as <br>, math as \\( ... \\)."""
    return html.escape(tex_delims(text), quote=False).replace("\n", "<br>")


@dataclass
class Parsed:
    text: str
    blob: str | None = None  # the data-quizkit attribute of a quizkit-rubric block, if there was one
    lost: set[str] = field(default_factory=set)  # tags whose content could not be kept (img, table, ...)


class _TextParser(HTMLParser):
    BLOCKS = {"div", "li", "tr", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
    DROP = {"script", "style", "head", "title"}
    LOST = {"img", "table", "video", "audio", "iframe", "object", "embed", "svg", "math", "canvas"}
    VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col", "embed"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.out = Parsed("")

    def _break(self, blank: bool) -> None:
        text = "".join(self.parts)
        if text.strip():
            want = "\n\n" if blank else "\n"
            tail = len(text) - len(text.rstrip("\n"))
            self.parts.append(want[min(tail, len(want)):])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.LOST:
            self.out.lost.add(tag)
        if self.skip:
            self.skip += tag not in self.VOID
            return
        attr = dict(attrs)
        if "quizkit-rubric" in (attr.get("class") or "").split():
            self.out.blob = attr.get("data-quizkit")
            self.skip = 1
        elif tag in self.DROP:
            self.skip = 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "p":
            self._break(blank=True)
        elif tag in self.BLOCKS or tag == "hr":
            self._break(blank=False)
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= tag not in self.VOID
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data.replace("\r\n", " ").replace("\n", " "))


def from_html(source: str) -> Parsed:
    parser = _TextParser()
    parser.feed(source)
    parser.close()
    parser.out.text = dollar_delims(re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip())
    return parser.out


# -- the rubric block (short answers and symbolic answers, which no Moodle type grades) -------------------
RUBRIC_TYPES = ("short_answer", "symbolic")


def key_point_data(kp: KeyPoint) -> dict[str, Any]:
    """Every field of a key point, whatever fields the model has by now, as JSON-ready data."""
    return {f.name: _plain(getattr(kp, f.name)) for f in dataclasses.fields(kp)}


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def rubric_block(q: Question, t: Callable[..., str]) -> str:
    """HTML a grader can read, carrying the exact rubric in a data attribute so that an import restores it."""
    blob: dict[str, Any] = {"type": q.type, "answer": str(q.answer)}
    if q.type == "symbolic":
        blob["variables"] = list(q.variables)
    if q.key_points:
        blob["key_points"] = [key_point_data(kp) for kp in q.key_points]
    if q.examples:
        blob["examples"] = [{"answer": e.answer, "score": [number(e.low), number(e.high)]} for e in q.examples]
    lines = [f"<p><b>{html.escape(t('model_answer'))}</b>{to_html(str(q.answer))}</p>"]
    if q.type == "symbolic":
        lines.append(f"<p><b>{html.escape(t('interop.variables'))}</b>{html.escape(', '.join(q.variables))}</p>")
    if q.key_points:
        lines.append(f"<p><b>{html.escape(t('interop.rubric'))}</b></p><ul>")
        for kp in q.key_points:
            lines.append(f"<li>{kp.points:g} · {to_html(kp.label)} ← {to_html(' | '.join(kp.any))}</li>")
        lines.append("</ul>")
    data = html.escape(json.dumps(blob, ensure_ascii=False), quote=True)
    return f'<div class="quizkit-rubric" data-quizkit="{data}">' + "".join(lines) + "</div>"


def read_rubric(blob: str) -> dict[str, Any]:
    """The bank fields a rubric block carries; ValueError (with the reason) when it is not one of ours."""
    try:
        data = json.loads(blob)
    except json.JSONDecodeError as err:
        raise ValueError(f"the quizkit rubric block is not JSON ({err.msg})") from None
    if not isinstance(data, dict) or data.get("type") not in RUBRIC_TYPES or not isinstance(data.get("answer"), str):
        raise ValueError("the quizkit rubric block lacks a type and an answer")
    out: dict[str, Any] = {"type": data["type"], "answer": data["answer"]}
    if data["type"] == "symbolic":
        variables = data.get("variables")
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise ValueError("the quizkit rubric block of a symbolic question lacks its variables")
        out["variables"] = variables
    else:
        points = data.get("key_points")
        if not isinstance(points, list) or not points or not all(isinstance(p, dict) for p in points):
            raise ValueError("the quizkit rubric block has no key points")
        out["key_points"] = [key_point_yaml(p) for p in points]
        examples = data.get("examples", [])
        if examples:
            if not isinstance(examples, list) or not all(isinstance(e, dict) and isinstance(e.get("answer"), str)
                                                         for e in examples):
                raise ValueError("the quizkit rubric block has malformed examples")
            out["examples"] = [{"answer": e["answer"], "score": e.get("score")} for e in examples]
    return out


def key_point_yaml(data: dict[str, Any]) -> dict[str, Any]:
    """A key point as a bank writes it: defaults left out, fields this quizkit does not know left out."""
    defaults = {f.name: f.default for f in dataclasses.fields(KeyPoint)}
    phrasings = data.get("any") or []
    out: dict[str, Any] = {"points": number(data.get("points", 1))}
    label = data.get("label")
    if label and (not phrasings or label != phrasings[0]):
        out["label"] = label
    if phrasings:
        out["any"] = phrasings
    for name, value in data.items():
        if name in defaults and name not in out and name not in ("label", "any"):
            default = defaults[name]
            if default is dataclasses.MISSING or _plain(default) != value:
                out[name] = value
    return out


# -- numbers and weights ---------------------------------------------------------------------------------
def number(x: Any) -> Any:
    """An integral float as an int (3.0 -> 3); anything else unchanged."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


def fmt_number(x: float) -> str:
    """Shortest text that reads back as the same float."""
    return str(number(float(x))) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def abs_tolerance(q: Question, report: Report) -> float:
    """The absolute tolerance Moodle and GIFT can hold; a relative one is converted, with a note."""
    tol = q.tolerance or 0.0
    if q.rel_tolerance is not None:
        converted = q.rel_tolerance * abs(float(q.answer))  # type: ignore[arg-type]
        report.warn(q, f"relative tolerance {q.rel_tolerance:g} exported as the absolute tolerance "
                       f"{max(tol, converted):g} (the format has no relative one)")
        tol = max(tol, converted)
    return tol


# Moodle accepts only these answer weights (question_bank::fraction_options_full), and their negatives.
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)


def moodle_percent(fraction: float) -> str:
    """The nearest allowed weight, as Moodle writes it: 1/3 -> '33.33333', -1/2 -> '-50'."""
    nearest = min(MOODLE_FRACTIONS, key=lambda f: abs(abs(fraction) - f))
    text = f"{nearest * 100:.5f}".rstrip("0").rstrip(".")
    return "-" + text if fraction < 0 and nearest else text


def choice_weights(q: Question, report: Report) -> list[str]:
    """Percent weight of each option of a multiple-choice question: net_correct is ±100/|C| exactly; any
    other scheme is named in a warning and exported as net_correct, its nearest relative."""
    correct = set(q.answer if isinstance(q.answer, tuple) else (q.answer,))
    if q.scoring != "net_correct":
        report.warn(q, f"scoring '{q.scoring}' cannot be expressed with Moodle's answer weights; "
                       "exported as net_correct (±100/|C| per option)")
    share = 1 / len(correct)
    return [moodle_percent(share if q.letter_of(i) in correct else -share) for i in range(len(q.options))]


def scheme_of(fractions: list[float]) -> str | None:
    """'net_correct' when the weights are exactly ±1/|C| (as fractions of 1), else None."""
    right = [f for f in fractions if f > 0]
    if not right:
        return None
    share = 1 / len(right)
    ok = all(abs(f - share) < 1e-5 for f in right) and all(abs(f + share) < 1e-5 for f in fractions if f <= 0)
    return "net_correct" if ok else None


# -- ids and categories ------------------------------------------------------------------------------------
ID_RE = re.compile(r"^[a-z0-9._-]+$")


def make_id(candidates: Iterable[str], taken: set[str], fallback: str) -> str:
    """A bank id from an idnumber or a name: kept when valid, else slugged; unique within the import."""
    base = ""
    for text in candidates:
        text = (text or "").strip()
        if ID_RE.match(text):
            base = text
            break
        slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.")
        if slug and not base:
            base = slug[:60]
    base = base or fallback
    qid, n = base, 2
    while qid in taken:
        qid, n = f"{base}-{n}", n + 1
    taken.add(qid)
    return qid


CATEGORY_ROOT = "$course$/top/quizkit"


def category_topic(path: str) -> str:
    """The topic a Moodle category path names: its last part."""
    parts = [p.strip() for p in path.replace("\\/", "\x00").split("/") if p.strip()]
    return parts[-1].replace("\x00", "/") if parts else ""


def weighted_multiple(options: list[str], fractions: list[float], feedback: Any, letters: str,
                      skip: Callable[[str], None], lost: list[str]) -> dict[str, Any] | None:
    """A multiple-choice question from per-option weights, as both importers read it: the positive ones are
    keyed, and weights that fit no quizkit scheme are named in `lost`."""
    right = [letters[i] for i, f in enumerate(fractions) if f > 0]
    if not right:
        skip("no option has a positive weight")
        return None
    if scheme_of(fractions) is None:
        shown = ", ".join(f"{letters[i]} {f * 100:g}%" for i, f in enumerate(fractions))
        lost.append(f"the weights ({shown}), which are no quizkit scheme: scored as net_correct")
    return {"type": "multiple", "options": options, "answer": right, "_feedback": feedback}
