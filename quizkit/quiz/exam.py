"""Mock exams: a layout of sections in the real exam's order, and the report at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from quizkit.bank.model import Question
from quizkit.errors import UsageError
from quizkit.quiz.select import Presented, parse_types, present, sample
from quizkit.quiz.session import Outcome, Summary
from quizkit.render.i18n import t

# The real paper: 单选, 多选, 判断, 简答; numeric and symbolic only when the layout asks for them.
SECTION_ORDER = ("single", "multiple", "true_false", "short_answer", "numeric", "symbolic")
DEFAULT_LAYOUT = "single=20,multiple=10,true_false=10,short_answer=4"
# Points per question; with the default layout the paper is out of 100.
DEFAULT_POINTS = {"single": 2.0, "multiple": 3.0, "true_false": 1.0, "short_answer": 5.0, "numeric": 3.0,
                  "symbolic": 3.0}


@dataclass(frozen=True)
class Section:
    type: str
    count: int
    points: float


def parse_layout(spec: str | None) -> list[Section]:
    """`single=20,multiple=10:3` -> sections in exam order; `:P` sets the points per question."""
    import math

    spec = spec or DEFAULT_LAYOUT

    def refuse(why: str) -> UsageError:
        return UsageError(t("usage.layout", spec=spec, default=DEFAULT_LAYOUT, why=why))

    wanted: dict[str, Section] = {}
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        name, eq, rest = part.partition("=")
        count_s, _, points_s = rest.partition(":")
        try:
            (qtype,) = parse_types([name])
        except UsageError:
            raise refuse(t("usage.layout.type", name=name, types=", ".join(SECTION_ORDER))) from None
        try:
            count = int(count_s)
            points = float(points_s) if points_s else DEFAULT_POINTS[qtype]
        except ValueError:
            raise refuse(t("usage.layout.syntax", part=part)) from None
        if not eq or count < 0 or not (math.isfinite(points) and points > 0):
            raise refuse(t("usage.layout.range", part=part))
        wanted[qtype] = Section(qtype, count, points)
    sections = [wanted[k] for k in SECTION_ORDER if k in wanted and wanted[k].count > 0]
    if not sections:
        raise refuse(t("usage.layout.empty"))
    return sections


@dataclass
class Paper:
    items: list[Presented]
    sections: list[Section]  # as laid out, with counts clipped to the banks
    item_sections: list[Section]  # the section of each item
    clipped: list[tuple[str, int, int]] = field(default_factory=list)  # (type, have, wanted)

    @property
    def total(self) -> float:
        return sum(s.count * s.points for s in self.sections)


def build(questions: Sequence[Question], layout: list[Section], seed: int | None, shuffle: bool = True) -> Paper:
    items: list[Presented] = []
    sections: list[Section] = []
    item_sections: list[Section] = []
    clipped = []
    used_groups: set[str] = set()  # one question per group over the whole paper, whatever its section
    for sec in layout:
        pool = [q for q in questions if q.type == sec.type]
        chosen = sample(pool, sec.count, seed if seed is None else seed + SECTION_ORDER.index(sec.type),
                        used_groups)
        if len(chosen) < sec.count:
            clipped.append((sec.type, len(chosen), sec.count))
        if not chosen:
            continue
        real = Section(sec.type, len(chosen), sec.points)
        sections.append(real)
        items.extend(present(chosen, seed, shuffle))
        item_sections.extend([real] * len(chosen))
    return Paper(items, sections, item_sections, clipped)


@dataclass
class Line:
    name: str
    questions: int = 0
    right: int = 0
    score: float = 0.0
    total: float = 0.0

    @property
    def pct(self) -> float:
        return 100.0 * self.score / self.total if self.total else 0.0


@dataclass
class Report:
    sections: list[Line]
    topics: list[Line]
    score: float
    total: float
    pass_mark: float
    wrong: list[Outcome]  # not fully right (wrong, partial, skipped, unanswered), in paper order
    summary: Summary

    @property
    def pct(self) -> float:
        return 100.0 * self.score / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.pct + 1e-9 >= self.pass_mark

    def to_dict(self) -> dict[str, object]:
        def line(x: Line) -> dict[str, object]:
            return {"name": x.name, "questions": x.questions, "right": x.right, "score": round(x.score, 2),
                    "total": x.total}

        return {"score": round(self.score, 2), "total": self.total, "percent": round(self.pct, 1),
                "pass_mark": self.pass_mark, "passed": self.passed,
                "sections": [line(x) for x in self.sections], "topics": [line(x) for x in self.topics],
                "wrong": [o.item.question.id for o in self.wrong], "ended_by": self.summary.ended_by}


def report(paper: Paper, summary: Summary, pass_mark: float) -> Report:
    by_id = {o.item.question.id: o for o in summary.outcomes}
    sections: dict[str, Line] = {}
    topics: dict[str, Line] = {}
    wrong: list[Outcome] = []
    for item, sec in zip(paper.items, paper.item_sections):
        q = item.question
        o = by_id.get(q.id) or Outcome(item, "unanswered")
        got = o.score * sec.points
        for line in (sections.setdefault(sec.type, Line(sec.type)), topics.setdefault(q.topic, Line(q.topic))):
            line.questions += 1
            line.right += o.verdict == "right"
            line.score += got
            line.total += sec.points
        if o.verdict != "right":
            wrong.append(o)
    score = sum(x.score for x in sections.values())
    topic_lines = sorted(topics.values(), key=lambda x: (x.pct, x.name))
    return Report(list(sections.values()), topic_lines, score, paper.total, pass_mark, wrong, summary)
