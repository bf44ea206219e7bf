"""Item statistics over a class's exports (`quizkit stats --export`), with Moodle's quiz-statistics definitions.

Each export file is one student; a student's first attempt at a question is the one that counts (later ones
have seen the feedback). For a question answered by n students, with scores x in 0..1:

- facility index F = mean(x): the share of the credit the class earned;
- discrimination index D = corr(x, rest), where rest is the student's mean score on the other questions they
  answered (Moodle's "correlation with the rest of the quiz", normalised because practice sets differ);
- option pick rates: the share of students who picked each option (written letters; T/F for true/false);
- per test, Cronbach's α = k/(k-1) · (1 - Σ var(x_i) / var(Σ x_i)) over the questions every student answered.

An item is flagged when D < 0.2 or F lies outside 0.2-0.9.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizkit.errors import QuizkitError, describe_os_error

LOW_DISCRIMINATION = 0.2
FACILITY_RANGE = (0.2, 0.9)
FORMAT = "quizkit-attempts"


class AnalyzeError(QuizkitError):
    """An export file that cannot be read; the message names the file."""


@dataclass
class Student:
    name: str
    scores: dict[str, float] = field(default_factory=dict)  # question id -> first score
    answers: dict[str, str] = field(default_factory=dict)  # question id -> first answer as stored
    types: dict[str, str] = field(default_factory=dict)


@dataclass
class ItemStats:
    id: str
    type: str
    n: int
    facility: float
    discrimination: float | None
    picks: dict[str, float]
    key: str = ""
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "n": self.n, "facility": round(self.facility, 4),
                "discrimination": None if self.discrimination is None else round(self.discrimination, 4),
                "picks": {k: round(v, 4) for k, v in self.picks.items()}, "key": self.key, "flags": self.flags}


@dataclass
class Analysis:
    students: int
    answers: int
    items: list[ItemStats]
    alpha: float | None
    alpha_items: int

    def to_dict(self) -> dict[str, Any]:
        return {"students": self.students, "answers": self.answers,
                "cronbach_alpha": None if self.alpha is None else round(self.alpha, 4),
                "alpha_questions": self.alpha_items, "questions": [i.to_dict() for i in self.items],
                "flagged": [i.id for i in self.items if i.flags]}


def read_export(path: Path) -> Student:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise AnalyzeError(f"{describe_os_error(err, path)}: cannot read the export") from None
    except UnicodeDecodeError:
        raise AnalyzeError(f"{path}: not UTF-8 text; expected a file from `quizkit stats --export`") from None
    except json.JSONDecodeError as err:
        raise AnalyzeError(f"{path}:{err.lineno}: not JSON ({err.msg}); expected a file from "
                           "`quizkit stats --export`") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("attempts"), list):
        raise AnalyzeError(f"{path}: not a quizkit attempts export (write one with `quizkit stats --export`)")
    student = Student(str(doc.get("student") or path.stem))
    for n, a in enumerate(doc["attempts"], 1):
        try:
            qid, score = str(a["question_id"]), float(a["score"])
        except (KeyError, TypeError, ValueError):
            raise AnalyzeError(f"{path}: attempt {n} has no question_id or score") from None
        if not 0 <= score <= 1 or qid in student.scores:
            continue  # out of range is not ours; a later attempt does not count
        student.scores[qid] = score
        student.answers[qid] = str(a.get("answer", ""))
        student.types[qid] = str(a.get("type", ""))
    return student


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _var(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None  # everyone scored the same: nothing to discriminate
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(students: Sequence[Student]) -> tuple[float | None, int]:
    """α over the questions every student answered; (None, k) when fewer than 2 questions or students."""
    common = set.intersection(*(set(s.scores) for s in students)) if students else set()
    items = sorted(common)
    k = len(items)
    if k < 2 or len(students) < 2:
        return None, k
    totals = [sum(s.scores[i] for i in items) for s in students]
    total_var = _var(totals)
    if total_var <= 1e-12:
        return None, k
    item_var = sum(_var([s.scores[i] for s in students]) for i in items)
    return k / (k - 1) * (1 - item_var / total_var), k


def _picks(qtype: str, answers: Sequence[str], options: int) -> dict[str, float]:
    if qtype in ("single", "multiple"):
        letters = "ABCDEFGH"[:options] if options else "".join(sorted({c for a in answers for c in a}))
        return {c: sum(c in a for a in answers) / len(answers) for c in letters}
    if qtype == "true_false":
        return {c: sum(a == c for a in answers) / len(answers) for c in ("T", "F")}
    return {}


def item_stats(qid: str, students: Sequence[Student], key_of: Mapping[str, tuple[str, str, int]]) -> ItemStats:
    who = [s for s in students if qid in s.scores]
    xs = [s.scores[qid] for s in who]
    pairs = [(s.scores[qid], (sum(s.scores.values()) - s.scores[qid]) / (len(s.scores) - 1))
             for s in who if len(s.scores) > 1]
    d = pearson([p[0] for p in pairs], [p[1] for p in pairs])
    qtype, key, options = key_of.get(qid, (who[0].types.get(qid, ""), "", 0))
    if not key and qtype in ("single", "multiple", "true_false"):  # not in the banks: a full-credit answer is it
        key = next((s.answers[qid] for s in who if s.scores[qid] >= 1 - 1e-9), "")
    item = ItemStats(qid, qtype, len(who), _mean(xs), d, _picks(qtype, [s.answers[qid] for s in who], options), key)
    lo, hi = FACILITY_RANGE
    if item.facility < lo:
        item.flags.append(f"hard: facility {item.facility:.0%} < {lo:.0%}")
    elif item.facility > hi:
        item.flags.append(f"easy: facility {item.facility:.0%} > {hi:.0%}")
    if d is not None and d < LOW_DISCRIMINATION:
        item.flags.append(f"discrimination {d:.0%} < {LOW_DISCRIMINATION:.0%}")
    return item


def analyze(paths: Sequence[Path | str], key_of: Mapping[str, tuple[str, str, int]] | None = None) -> Analysis:
    """key_of: question id -> (type, key as letters or T/F, number of options), from the banks when known."""
    students = [read_export(Path(p)) for p in paths]
    ids = sorted({q for s in students for q in s.scores})
    items = [item_stats(q, students, key_of or {}) for q in ids]
    alpha, k = cronbach_alpha(students)
    return Analysis(len(students), sum(len(s.scores) for s in students), items, alpha, k)


def keys_from_banks(questions: Sequence[Any]) -> dict[str, tuple[str, str, int]]:
    out = {}
    for q in questions:
        if q.is_choice:
            key = q.answer if isinstance(q.answer, str) else "".join(q.answer)
        elif q.type == "true_false" and isinstance(q.answer, bool):
            key = "T" if q.answer else "F"
        else:
            key = ""
        out[q.id] = (q.type, key, len(q.options))
    return out


def render_text(a: Analysis) -> list[str]:
    alpha = "n/a (fewer than 2 questions answered by everyone)" if a.alpha is None else f"{a.alpha:.2f}"
    lines = [f"{a.students} student(s) · {len(a.items)} question(s) · {a.answers} first answers · "
             f"Cronbach's α = {alpha}" + (f" over the {a.alpha_items} questions everyone answered"
                                          if a.alpha is not None else ""),
             f"{'question':<34} {'n':>4} {'facility':>8} {'discrim.':>8}  options (* key)"]
    for i in a.items:
        d = "-" if i.discrimination is None else f"{i.discrimination:.0%}"
        picks = " ".join(f"{c} {r:.0%}{'*' if c in i.key else ''}" for c, r in i.picks.items())
        lines.append(f"{i.id:<34} {i.n:>4} {i.facility:>8.0%} {d:>8}  {picks}")
        lines.extend(f"{'':<34} ⚑ {flag}" for flag in i.flags)
    flagged = sum(1 for i in a.items if i.flags)
    lines.append(f"{flagged} question(s) flagged (discrimination < {LOW_DISCRIMINATION:.0%}, or facility "
                 f"outside {FACILITY_RANGE[0]:.0%}-{FACILITY_RANGE[1]:.0%})")
    return lines
