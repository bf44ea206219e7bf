"""Item-writing lint: answer cues a test-wise student can exploit without knowing the material.

Each finding is a warning (an error under `validate --strict`) that names its kind in brackets, the question,
what was measured and a one-line hint. Option lengths are display widths (CJK = 2 columns) of the text with
math delimiters, LaTeX commands and Markdown markers stripped, so Chinese and English compare fairly.
Parametrized questions are linted on one fixed draw.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from quizkit.bank.model import LETTERS, Diagnostic, Question

KEY_RATIO = 1.5  # a key wider than this times the widest distractor ...
KEY_MIN_GAP = 4  # ... and at least this many columns wider (so "10" vs "5" is no cue)
ALPHA = 0.05  # significance of "keys are the longest option more often than chance"
MIN_DISTINCT = 4  # columns of a key's own text that the prompt must repeat to give it away

# Absolute words: wrong options tend to be the sweeping ones. Hedged forms (不一定, 一定程度) are not absolutes.
ABSOLUTE_WORDS: tuple[tuple[str, str], ...] = (
    ("一定", r"(?<![不])一定(?!程度)"), ("彻底", "彻底"), ("总是", r"(?<![不])总是"), ("永远", "永远"),
    ("完全", r"(?<![不])完全"), ("绝对", "绝对(?!值|误差)"), ("所有", r"(?<![非不是])所有"), ("只有", r"(?<![不])只有"),
    ("只能", r"(?<![不])只能"), ("必然", r"(?<![不])必然"), ("必定", "必定"), ("从不", "从不"),
    ("从来", "从来"), ("绝不", "[绝决]不"), ("任何", "任何"), ("唯一", "唯一"), ("毫无", "毫无"),
    ("一律", "一律"), ("always", r"\balways\b"), ("never", r"\bnever\b"), ("completely", r"\bcompletely\b"),
    ("entirely", r"\bentirely\b"), ("absolutely", r"\babsolutely\b"), ("totally", r"\btotally\b"),
    ("guaranteed", r"\bguarantee[sd]?\b"), ("impossible", r"\bimpossible\b"), ("only", r"(?<!not )\bonly\b"),
    ("every", r"\bevery\b"), ("must", r"\bmust\b"), ("none", r"(?-i:\bnone\b)(?! of the above)"),
)
# Case-insensitive, except 'none' (Python's None is a value, not an absolute); code spans are not prose.
_ABSOLUTE = tuple((word, re.compile(rx, re.IGNORECASE)) for word, rx in ABSOLUTE_WORDS)
_CODE = re.compile(r"`[^`]*`")
_ALL_OF_ABOVE = re.compile(
    r"以上.{0,4}?(?:都|均|皆|全)(?:不)?(?:对|正确|是|非|错|成立|不对)|以上(?:皆是|皆非|全对|全错)|"
    r"\b(?:all|none|both|neither) of the above\b|\ball of these\b|\bnone of these\b", re.IGNORECASE)
_MATH = re.compile(r"\$\$(.*?)\$\$|\$([^$]*)\$", re.DOTALL)
_LATEX_CMD = re.compile(r"\\[A-Za-z]+")
_MARKUP = re.compile(r"\*\*|__|`|~~|[{}^_\\]")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Finding:
    kind: str
    question: Question
    message: str
    hint: str

    def diagnostic(self) -> Diagnostic:
        q = self.question
        return Diagnostic(q.bank, q.line, "warning", f"[{self.kind}] '{q.id}': {self.message}; hint: {self.hint}")


def plain(text: str) -> str:
    """Text as a student reads it: math without delimiters, a LaTeX command as one symbol, no Markdown marks."""
    text = _MATH.sub(lambda m: _LATEX_CMD.sub("x", m.group(1) or m.group(2) or ""), text)
    return " ".join(_MARKUP.sub("", text).split())


def width(text: str) -> int:
    """Display columns of plain(text): wide and full-width characters (CJK) count 2, combining marks 0."""
    total = 0
    for ch in plain(text):
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _norm(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", plain(text)).lower())


def keyed(q: Question) -> set[int]:
    answer = (q.answer,) if isinstance(q.answer, str) else tuple(q.answer)  # type: ignore[arg-type]
    return {LETTERS.index(a) for a in answer}


def _letters(indices: Iterable[int]) -> str:
    return ", ".join(LETTERS[i] for i in sorted(indices))


def _drawn(q: Question) -> Question:
    if not q.params:
        return q
    from quizkit.bank.params import ParamError, instantiate

    try:
        return instantiate(q, random.Random("lint:" + q.id))
    except (ParamError, ValueError):
        return q  # the validator reports why it cannot be drawn


# -- per question -----------------------------------------------------------------------------------------
def key_length(q: Question) -> Finding | None:
    if q.type != "single":
        return None
    key = keyed(q).pop()
    widths = [width(o) for o in q.options]
    longest = max(w for i, w in enumerate(widths) if i != key)
    if widths[key] > KEY_RATIO * longest and widths[key] - longest >= KEY_MIN_GAP:
        ratio = widths[key] / longest if longest else float("inf")
        return Finding("key-length", q, f"the key ({LETTERS[key]}) is {ratio:.1f}× the longest distractor "
                                        f"({widths[key]} vs {longest} columns)",
                       "shorten the key to its core claim, or give the distractors the same detail")
    return None


def k_longest(q: Question) -> Finding | None:
    keys = keyed(q)
    if q.type != "multiple" or not 0 < len(keys) < len(q.options):
        return None
    widths = [width(o) for o in q.options]
    shortest_key = min(widths[i] for i in keys)
    if shortest_key > max(w for i, w in enumerate(widths) if i not in keys):
        return Finding("k-longest", q, f"the {len(keys)} keyed options ({_letters(keys)}) are exactly the "
                                       f"{len(keys)} longest",
                       "make a distractor as long and specific as the keys, or shorten a key")
    return None


def absolute_words(q: Question) -> Finding | None:
    keys = keyed(q)
    prose = [plain(_CODE.sub(" ", o)) for o in q.options]
    in_keys = {w for i in keys for w, rx in _ABSOLUTE if rx.search(prose[i])}
    cued: dict[str, list[int]] = {}
    for i, opt in enumerate(prose):
        if i in keys:
            continue
        for word, rx in _ABSOLUTE:
            if word not in in_keys and rx.search(opt):
                cued.setdefault(word, []).append(i)
    if not cued:
        return None
    words = "、".join(f"'{w}' ({_letters(ix)})" for w, ix in cued.items())
    return Finding("absolute-word", q, f"absolute words appear only in distractors: {words}",
                   "students learn that sweeping options are wrong: reword them, or let a key be absolute too")


def all_of_the_above(q: Question) -> Finding | None:
    hits = [i for i, o in enumerate(q.options) if _ALL_OF_ABOVE.search(plain(o))]
    if not hits:
        return None
    return Finding("all-of-the-above", q, f"option {_letters(hits)} says '{plain(q.options[hits[0]])}'",
                   "a student who knows two options can guess it; write a real option instead")


def _distinctive(key: str, others: Sequence[str]) -> list[str]:
    """The runs of `key` (normalised) that share no 2-character stretch with any other option."""
    covered = [False] * len(key)
    for a in range(len(key) - 1):
        b = a + 2
        while b <= len(key) and any(key[a:b] in o for o in others):
            b += 1
        if b > a + 2:
            for i in range(a, b - 1):
                covered[i] = True
    runs, run = [], ""
    for ch, cov in zip(key, covered):
        if cov:
            if run:
                runs.append(run)
            run = ""
        else:
            run += ch
    if run:
        runs.append(run)
    return [r for r in runs if width(r) >= 2]


def prompt_has_key(q: Question) -> Finding | None:
    prompt = _norm(q.prompt)
    options = [_norm(o) for o in q.options]
    for i in sorted(keyed(q)):
        others = [o for j, o in enumerate(options) if j != i]
        runs = _distinctive(options[i], others)
        if runs and sum(width(r) for r in runs) >= MIN_DISTINCT and all(r in prompt for r in runs):
            shown = "、".join(f"'{r}'" for r in runs)
            return Finding("prompt-has-key", q, f"the prompt contains {shown}, which only the key ({LETTERS[i]}) "
                                                "has",
                           "reword the prompt so it does not echo the answer, or make a distractor share the words")
    return None


CHECKS = (key_length, k_longest, absolute_words, all_of_the_above, prompt_has_key)


# -- per bank ---------------------------------------------------------------------------------------------
def key_is_longest(q: Question) -> bool:
    key = keyed(q).pop()
    widths = [width(o) for o in q.options]
    return all(widths[key] > w for i, w in enumerate(widths) if i != key)


def tail_probability(ps: Sequence[float], x: int) -> float:
    """P(X >= x) for X a sum of independent Bernoulli(p_i): the binomial test with one p per question."""
    dist = [1.0]
    for p in ps:
        nxt = [0.0] * (len(dist) + 1)
        for k, mass in enumerate(dist):
            nxt[k] += mass * (1 - p)
            nxt[k + 1] += mass * p
        dist = nxt
    return min(1.0, sum(dist[x:]))


def longest_key_bias(questions: Sequence[Question]) -> Finding | None:
    singles = [q for q in questions if q.type == "single" and len(q.options) >= 2]
    longest = [q for q in singles if key_is_longest(q)]
    if not longest:
        return None
    p = tail_probability([1 / len(q.options) for q in singles], len(longest))
    if p >= ALPHA:
        return None
    chance = sum(1 / len(q.options) for q in singles) / len(singles)
    ids = ", ".join(q.id for q in longest[:8]) + (", ..." if len(longest) > 8 else "")
    first = min(singles, key=lambda q: q.line)
    return Finding("key-longest", first,
                   f"in this bank the key is the longest option in {len(longest)} of {len(singles)} single-choice "
                   f"questions ({len(longest) / len(singles):.0%}; chance {chance:.0%}, binomial p={p:.2g})",
                   f"lengthen distractors or shorten keys in: {ids}")


def lint(questions: Sequence[Question]) -> list[Finding]:
    drawn = [_drawn(q) for q in questions if q.is_choice and q.options]
    out = [f for q in drawn for check in CHECKS if (f := check(q)) is not None]
    by_bank: dict[str, list[Question]] = {}
    for q in drawn:
        by_bank.setdefault(q.bank, []).append(q)
    out.extend(f for qs in by_bank.values() if (f := longest_key_bias(qs)) is not None)
    return out


def figures(questions: Sequence[Question]) -> dict[str, float | int]:
    """The cueing figures of issue 14 over all the questions given (for the validate summary)."""
    drawn = [_drawn(q) for q in questions if q.is_choice and q.options]
    singles = [q for q in drawn if q.type == "single"]
    multiples = [q for q in drawn if q.type == "multiple"]
    return {
        "single": len(singles), "key_longest": sum(key_is_longest(q) for q in singles),
        "key_over_ratio": sum(key_length(q) is not None for q in singles),
        "multiple": len(multiples), "k_longest": sum(k_longest(q) is not None for q in multiples),
    }
