"""Mark a short answer against its key-point rubric: claims matched clause by clause, not keywords anywhere.

A key point is a claim. Each of its groups (`any:` and every `all:` group) must be matched by one of its phrasings
in the same clause, or in one of the CARRY clauses just before it in the same sentence ("L1 是绝对值之和，会使权重稀疏"),
unless a clause between opens with another point's subject ("训练时关闭，测试时随机丢弃").
A match does not count when a negator stands before it in its clause ("不是线性模型"), when an `unless:` phrasing
(a known misconception, or the other role of a pair) stands in the evidence, or when every phrasing used is copied
from the prompt. Answers and phrasings both pass through `normalise`, which folds case, width, spacing and the
synonyms of `SYNONYMS`, so 链式求导 matches 链式法则.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

from quizkit.bank.model import KeyPoint, Question
from quizkit.quiz.scoring import Result
from quizkit.quiz.synonyms import SYNONYMS

CARRY = 3  # a clause may borrow a group's match from this many clauses before it, in the same sentence

# Negators that scope over the rest of their clause, up to a breaker ("不是线性模型", "并不能解决").
_VERB_NEG = ("不", "没", "没有", "并非", "绝非", "而非", "无法", "无需", "无须", "无从", "毫无", "并无", "未能",
             "并未", "从未", "尚未", "难以", "不可", "¬")
# Negators that follow what they negate ("和连乘无关").
_POST_NEG = ("无关", "没关系", "没有关系", "不成立", "是错的", "是错误的")
# Negators that only negate what follows at once ("无衰减", "非凸", "未归一化").
_PREFIX_NEG = ("非", "无", "未")
# Words that contain a negator character but negate nothing.
_NOT_NEG = ("不同", "不断", "不仅", "不但", "不过", "不论", "不管", "不少", "不久", "不止", "不停", "不妨", "不等式",
            "无论", "无关", "无穷", "非常", "非线性", "除非", "是否", "未来", "并且", "没错", "不错")
# Words that close a negator's scope ("没有激活函数时，..." → what follows 时 is asserted).
_BREAKERS = ("时", "则", "就", "的话", "导致", "使得", "所以", "因此", "因为", "由于", "从而", "只要", "如果", "若",
             "否则", "那么", "的", ":", "when", "then", "because", "if")
_EN_NEG = re.compile(r"\b(?:not|no|never|cannot|can't|isn't|aren't|doesn't|don't|won't|without|neither|nor)\b")
_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "’": "'"})


def _alternation(words: dict[str, str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_CANON = {canon: canon for canon in SYNONYMS}  # a canonical form is kept whole ("对称性" is not "对称" + "性")
_CANON.update({variant: canon for canon, variants in SYNONYMS.items() for variant in variants})
_SYN_RE = _alternation(_CANON)
_TOKENS = {**{w: "v" for w in _VERB_NEG}, **{w: "p" for w in _PREFIX_NEG}, **{w: "x" for w in _NOT_NEG},
           **{w: "b" for w in _BREAKERS}}
_TOKEN_RE = _alternation(_TOKENS)


def normalise(text: str) -> str:
    """NFKC, lower case, no spaces, English negators as ¬, synonyms in their canonical form."""
    s = unicodedata.normalize("NFKC", text).lower().translate(_DASHES)
    s = _EN_NEG.sub("¬", s)
    s = _SPACES.sub("", s)
    return _SYN_RE.sub(lambda m: _CANON[m.group(0)], s)


# -- clauses ----------------------------------------------------------------------------------------------
_SENTENCE_END = set("。；;！？!?")
_CLAUSE_END = set("，,\n") | _SENTENCE_END  # a line break ends a clause, not a sentence: lines wrap
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")  # "117,760" is one number
_CONNECTOR = re.compile(r"(?<!不)(?=而|但|然而|whereas\b|but\b|while\b|however\b)")


class Clause(NamedTuple):
    text: str  # as written, for the feedback
    norm: str  # as matched
    sentence: int


def clauses(text: str) -> list[Clause]:
    """Split on 。；，,;!? and newlines (an ASCII comma inside ASCII brackets does not split: "(0,1)", "max(0,x)"),
    and before 而 / 但 / whereas / but."""
    out: list[Clause] = []
    sentence, depth, start = 0, 0, 0

    def close(end: int, ends_sentence: bool) -> None:
        nonlocal sentence
        chunk = text[start:end]
        for part in _CONNECTOR.split(chunk):
            if part.strip():
                out.append(Clause(part.strip(), normalise(part), sentence))
        if ends_sentence:
            sentence += 1

    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        split = ch in _CLAUSE_END and not (ch == "," and (depth > 0 or (i > 0 and _THOUSANDS.match(text, i - 1))))
        period = (ch == "." and (i + 1 == len(text) or text[i + 1].isspace()) and i > 0
                  and not text[i - 1].isdigit())
        if split or period:
            close(i, ch in _SENTENCE_END or period)
            start = i + 1
            if ch in _SENTENCE_END:
                depth = 0
    close(len(text), True)
    return out


# -- matching ---------------------------------------------------------------------------------------------
def negated_at(norm: str, start: int, end: int | None = None) -> bool:
    """Is the text at `start` under a negator of its clause? A negator inside the match itself does not count;
    one of _POST_NEG within a few characters after `end` does."""
    if end is not None and any(w in norm[end:end + 5] for w in _POST_NEG):
        return True
    verb = prefix = False
    for m in _TOKEN_RE.finditer(norm, 0, start):
        if m.end() > start:
            break
        kind = _TOKENS[m.group(0)]
        if kind == "b":
            verb = False
        elif kind == "v":
            verb = True
        prefix = kind == "p" and m.end() >= start - 1
    return verb or prefix


class _Match(NamedTuple):
    phrasing: str  # normalised
    clause: int
    negated: bool
    bare: bool = False  # the phrasing is a whole item of an enumeration ("局部连接、参数共享、平移")


_ITEM_SEP = re.compile("[、:/]")
_FILLERS = ("比如", "例如", "包括", "以及", "如", "有", "和", "及", "或", "与")


def _bare(norm: str, start: int, phrasing: str) -> bool:
    """Does the phrasing fill its whole item (between 、 or : or the clause ends), but for 如 ... 等?"""
    left = max((m.end() for m in _ITEM_SEP.finditer(norm, 0, start)), default=0)
    right = _ITEM_SEP.search(norm, start + len(phrasing))
    item = norm[left:right.start() if right else len(norm)]
    for f in _FILLERS:
        item = item.removeprefix(f)
    return item.removesuffix("等等").removesuffix("等").rstrip(".") == phrasing


SHORT_ITEM = 10  # characters, once normalised


def items(cl: Clause) -> list[str]:
    """The items of a clause split on 、 : /, without a heading before the first colon ("缺点：...")."""
    head, colon, rest = cl.norm.partition(":")
    return [i for i in _ITEM_SEP.split(rest if colon else head) if i]


def _find(group: tuple[str, ...], cl: Clause, index: int, echoes: frozenset[str] = frozenset()) -> _Match | None:
    """The best match of the group in the clause: asserted and not from the prompt, else asserted, else negated."""
    negated = echoed = None
    for p in group:
        pos = cl.norm.find(p)
        while pos >= 0:
            if not negated_at(cl.norm, pos, pos + len(p)):
                m = _Match(p, index, False, _bare(cl.norm, pos, p))
                if p not in echoes:
                    return m
                echoed = echoed or m
            negated = negated or _Match(p, index, True)
            pos = cl.norm.find(p, pos + 1)
    return echoed or negated


class Compiled(NamedTuple):
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    echoes: frozenset[str]  # normalised phrasings that occur in the prompt


@lru_cache(maxsize=4096)
def compile_point(kp: KeyPoint, prompt: str) -> Compiled:
    groups = ([tuple(kp.any)] if kp.any else []) + [tuple(g) for g in kp.all]
    norm_groups = tuple(tuple(dict.fromkeys(n for n in map(normalise, g) if n)) for g in groups)
    prompt_norm = normalise(prompt)
    echoes = frozenset(p for g in norm_groups for p in g if p in prompt_norm)
    return Compiled(norm_groups, tuple(n for n in map(normalise, kp.unless) if n), echoes)


class Evidence(NamedTuple):
    """How one key point fared: status is hit | negated | echoed | listed | voided | missed."""

    label: str
    points: float
    status: str
    clause: str = ""  # the clause(s) as written that hit, or that would have hit
    why: str = ""  # the phrasing that negated, echoed or voided it


def _unless_in(cp: Compiled, cls: list[Clause], first: int, last: int) -> str:
    for i in range(first, last + 1):
        for u in cp.unless:
            pos = cls[i].norm.find(u)
            while pos >= 0:
                if not negated_at(cls[i].norm, pos):
                    return u
                pos = cls[i].norm.find(u, pos + 1)
    return ""


_LEAD = re.compile("^(?:而|但|但是|在|对于|对|至于)")


def _own_topic(cl: Clause, topics: frozenset[str]) -> bool:
    """Does the clause open with the subject of another key point ("训练时关闭，测试时随机丢弃")?"""
    head = _LEAD.sub("", cl.norm)
    return any(head.startswith(t) for t in topics)


def _span(cp: Compiled, cls: list[Clause], end: int, topics: frozenset[str] = frozenset()
          ) -> tuple[int, list[_Match | None]]:
    """Matches of every group ending at clause `end`, borrowing from up to CARRY earlier clauses of its sentence."""
    found: list[_Match | None] = [_find(g, cls[end], end, cp.echoes) for g in cp.groups]
    first = end
    if _own_topic(cls[end], topics):
        return first, found
    for back in range(1, CARRY + 1):
        if all(m is not None for m in found):
            break
        j = end - back
        if j < 0 or cls[j].sentence != cls[end].sentence or _own_topic(cls[j], topics):
            break  # nor does a clause with a topic of its own lend anything
        for k, g in enumerate(cp.groups):
            if found[k] is None:
                m = _find(g, cls[j], j, cp.echoes)
                if m is not None:
                    found[k] = m
                    first = j
    return first, found


def judge(kp: KeyPoint, prompt: str, cls: list[Clause], lists: set[int] | None = None,
          topics: frozenset[str] = frozenset()) -> Evidence:
    """The best status the point reaches in any clause: hit > voided > listed > echoed > negated > missed.

    `lists` are the clauses that are keyword lists (see list_clauses): a phrasing that is a whole item there names
    a thing without stating a claim, unless the point says `enumeration: true`."""
    cp = compile_point(kp, prompt)
    lists = lists or set()
    rank = {"missed": 0, "negated": 1, "echoed": 2, "listed": 3, "voided": 4, "hit": 5}
    best = Evidence(kp.label, kp.points, "missed")
    for end in range(len(cls)):
        first, found = _span(cp, cls, end, topics)
        if any(m is None for m in found) or not cp.groups:
            continue
        where = "，".join(c.text for c in cls[first:end + 1])
        neg = next((m for m in found if m is not None and m.negated), None)
        if neg is not None:
            status, why = "negated", neg.phrasing
        elif all(m.phrasing in cp.echoes for m in found if m is not None):
            status, why = "echoed", "、".join(m.phrasing for m in found if m is not None)
        elif not kp.enumeration and all((m.bare and m.clause in lists) or m.phrasing in cp.echoes
                                        for m in found if m is not None):
            status, why = "listed", "、".join(m.phrasing for m in found if m is not None)
        else:
            why = _unless_in(cp, cls, first, end)
            status = "voided" if why else "hit"
        if rank[status] > rank[best.status]:
            best = Evidence(kp.label, kp.points, status, where, why)
            if status == "hit":
                break
    return best


def mark(q: Question, text: str) -> list[Evidence]:
    cls = clauses(text)
    lists = list_clauses(cls)
    # The subjects (first `all:` group) of the points: a clause that opens with another point's subject has a topic
    # of its own, so it neither borrows from nor lends to its neighbours.
    subjects = [frozenset(n for n in map(normalise, kp.all[0]) if n) if kp.all else frozenset()
                for kp in q.key_points]
    every = frozenset().union(*subjects)
    return [judge(kp, q.prompt, cls, lists, every - mine) for kp, mine in zip(q.key_points, subjects, strict=True)]


def list_clauses(cls: list[Clause]) -> set[int]:
    """Clauses that are keyword lists: three or more items after the first, all short ("如非线性、可微、饱和")."""
    out: set[int] = set()
    for i, cl in enumerate(cls):
        its = items(cl)
        if len(its) >= 3 and all(len(x) <= SHORT_ITEM for x in its[1:]):
            out.add(i)
    return out


def rubric(q: Question, text: str) -> Result:
    """The suggested score is the points of the claims hit over the total points."""
    evidence = mark(q, text)
    total = sum(e.points for e in evidence)
    got = sum(e.points for e in evidence if e.status == "hit")
    detail: dict[str, Any] = {"points": got, "total": total, "evidence": [e._asdict() for e in evidence]}
    return Result(got / total if total > 0 else 0.0, text.strip(),
                  tuple(e.label for e in evidence if e.status == "hit"),
                  tuple(e.label for e in evidence if e.status != "hit"), detail)


def trial(q: Question, text: str) -> dict[str, Any]:
    """Mark one answer to any question as a quiz would, as plain data (`quizkit bank try`)."""
    from quizkit.quiz.scoring import AnswerError, score

    out: dict[str, Any] = {"id": q.id, "type": q.type, "answer": text}
    try:
        result = score(q, text)
    except AnswerError as err:
        return {**out, "score": 0.0, "hits": [], "missed": [], "error": err.key,
                "error_args": {k: str(v) for k, v in err.args_.items()}}
    out.update(score=round(result.score, 4), given=result.given, hits=list(result.hits), missed=list(result.missed))
    if "evidence" in result.detail:
        out.update(points=result.detail["points"], total=result.detail["total"], evidence=result.detail["evidence"])
    return out
