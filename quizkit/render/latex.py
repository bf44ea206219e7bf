"""LaTeX in prompts and explanations, shown as readable Unicode.

Only the math segments ($...$, $$...$$, \\(...\\), \\[...\\]) are converted; the prose around them is left alone
(pylatexenc would read a bare `%` in "50%" as a comment). `\\frac{a}{b}` becomes `(a)/(b)` so precedence
survives on one line, and `^{...}`/`_{...}` become Unicode super/subscripts where every character has one,
`^(...)` otherwise.

pylatexenc takes longer to import and set up than answering a question, so each formula's rendering is kept in
`user_home()/cache/math-v1.json` (keyed by its source and a fingerprint of this module); pylatexenc is imported
only for a formula never rendered before.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$|(?<!\\)\$((?:\\.|[^\\$])+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_SUP = dict(zip("0123456789+-=()nixyTtklmj", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣʸᵀᵗᵏˡᵐʲ"))
_SUP["−"] = "⁻"
_SUB = dict(zip("0123456789+-=()ijknmtxaeoprsuvhl", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₙₘₜₓₐₑₒₚᵣₛᵤᵥₕₗ"))
_SUB["−"] = "₋"
_FRACS = ("\\frac", "\\dfrac", "\\tfrac")
# Spaces pass through pylatexenc as this private-use character: it keeps some spaces and drops others.
_SPACE = "\ue000"
_LETTER_MACRO_END = re.compile(r"\\[A-Za-z]+$")
_OPENER_END = re.compile(r"\\(?:lfloor|lceil|langle|left[(\[|.]?|left\\[{|])$")
# Binary operators and relations keep the spaces the author wrote around them.
_OPERATORS = frozenset({
    "cdot", "times", "div", "ast", "star", "circ", "bullet", "odot", "otimes", "oplus", "pm", "mp", "leq",
    "le", "geq", "ge", "neq", "ne", "approx", "equiv", "sim", "simeq", "propto", "in", "notin", "ni",
    "subset", "subseteq", "supset", "supseteq", "cup", "cap", "to", "gets", "rightarrow", "leftarrow",
    "Rightarrow", "Leftarrow", "leftrightarrow", "mapsto", "implies", "iff", "ll", "gg", "mid", "perp",
    "parallel", "land", "lor", "wedge", "vee",
})
# Function names keep the space before their argument: `y\log p` is "y log p", not "ylogp".
_FUNCTIONS = frozenset({
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "max",
    "min", "arg", "argmax", "argmin", "det", "dim", "lim", "sup", "inf", "Pr", "gcd", "ker", "sgn",
})
# Macros that take the next token as their argument: `\hat v` is `\hat{v}`, so the space only separates.
_TAKES_ARGUMENT = frozenset({
    "hat", "widehat", "bar", "overline", "underline", "tilde", "widetilde", "vec", "dot", "ddot", "check",
    "breve", "acute", "grave", "mathbf", "mathrm", "mathit", "mathcal", "mathbb", "boldsymbol", "bm", "text",
    "textbf", "operatorname",
})
_CLOSER = re.compile(r"\\(?:rfloor|rceil|rangle|right)")
_converter: Any = None
_cache: dict[str, str] | None = None
_cache_path: Path | None = None  # fixed when the cache is read, so an exit-time save goes to the same place
_cache_dirty = False
CACHE_NAME = "math-v1.json"


def has_math(text: str) -> bool:
    return "$" in text or "\\(" in text or "\\[" in text


def to_unicode(text: str) -> str:
    """Replace each math segment of text by its Unicode rendering."""
    if not text or not has_math(text):
        return text
    return _MATH.sub(lambda m: math_to_unicode(next(g for g in m.groups() if g is not None)), text)


def math_to_unicode(src: str) -> str:
    global _cache_dirty
    cache = _load_cache()
    hit = cache.get(src)
    if hit is None:
        hit = cache[src] = _render(src)
        if not _cache_dirty:
            _cache_dirty = True
            import atexit

            atexit.register(_save_cache)
    return hit


def _fingerprint() -> str:
    try:
        st = Path(__file__).stat()
        return f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:  # pragma: no cover
        return "?"


def _cache_file() -> Path:
    from quizkit.paths import user_home

    return user_home() / "cache" / CACHE_NAME


def _load_cache() -> dict[str, str]:
    global _cache, _cache_path
    if _cache is None:
        _cache = {}
        try:
            _cache_path = _cache_file()
            data = json.loads(_cache_path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("fingerprint") == _fingerprint():
                _cache = {k: v for k, v in data.get("math", {}).items() if isinstance(v, str)}
        except (OSError, ValueError, AttributeError):
            pass
    return _cache


def _save_cache() -> None:
    """Best effort and atomic; a cache that cannot be written only costs speed."""
    if not _cache or _cache_path is None:
        return
    try:
        path = _cache_path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fingerprint": _fingerprint(), "math": _cache}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _render(src: str) -> str:
    global _converter
    if _converter is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _converter = LatexNodes2Text(math_mode="text", strict_latex_spaces="based-on-source")
    prepared = _rewrite(src)
    try:
        out = _converter.latex_to_text(prepared)
    except Exception:  # noqa: BLE001 - a malformed formula is shown as written rather than lost
        return src
    return re.sub(r"[ \t]{2,}", " ", out.replace(_SPACE, " ")).strip()


def _group(src: str, i: int) -> tuple[str, int]:
    """The argument starting at src[i] (after spaces): a {...} group, a \\macro, or one character."""
    while i < len(src) and src[i] == " ":
        i += 1
    if i >= len(src):
        return "", i
    if src[i] == "{":
        depth, j = 0, i
        while j < len(src):
            if src[j] == "{":
                depth += 1
            elif src[j] == "}":
                depth -= 1
                if depth == 0:
                    return src[i + 1:j], j + 1
            elif src[j] == "\\":
                j += 1
            j += 1
        return src[i + 1:], len(src)
    if src[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", src[i:])
        assert m is not None
        return m.group(0), i + len(m.group(0))
    return src[i], i + 1


def _rewrite(src: str) -> str:
    """Rewrite fractions and scripts in LaTeX source; the rest is left for pylatexenc."""
    out: list[str] = []
    i = 0
    while i < len(src):
        frac = next((f for f in _FRACS if src.startswith(f, i) and not src[i + len(f):i + len(f) + 1].isalpha()),
                    None)
        if frac:
            num, i = _group(src, i + len(frac))
            den, i = _group(src, i)
            out.append(f"({_rewrite(num)})/({_rewrite(den)})")
            continue
        ch = src[i]
        if ch in "^_":
            arg, i = _group(src, i + 1)
            if out and re.search(r"\\[A-Za-z]+$", out[-1]):
                out.append("{}")  # \sum then ᵢ would read as one macro name, since ᵢ is a letter
            out.append(_script(arg, ch))
            continue
        if ch == "\\" and i + 1 < len(src):
            m = re.match(r"\\([A-Za-z]+|.)", src[i:])
            assert m is not None
            if m.group(1) in _FUNCTIONS and out and out[-1][-1:].isalnum():
                out.append(_SPACE)  # `y\log p` reads "y log p"
            out.append(m.group(0))  # a whole macro name, or an escape like \{ kept intact
            i += len(m.group(0))
            continue
        if ch == " ":
            j = i
            while j < len(src) and src[j] == " ":
                j += 1
            prev = out[-1] if out else ""
            tail = "".join(out[-2:])
            macro = _LETTER_MACRO_END.search(prev)
            if macro and macro.group(0)[1:] in _TAKES_ARGUMENT:
                arg, i = _group(src, j)  # `\hat v` is `\hat{v}`: the space only ends the name
                out.append("{" + _rewrite(arg) + "}")
                continue
            if macro:
                out.append("{}")  # ends the macro name without a space for pylatexenc to eat or keep
            if macro and macro.group(0)[1:] in _FUNCTIONS:
                out.append(_SPACE)
                i = j
                continue
            operator = macro is not None and macro.group(0)[1:] in _OPERATORS
            letter_like = macro is not None and not operator
            # `x\le 0`: a space after an operator that has none before it only ends the macro name.
            lopsided = operator and (len(out) < 3 or out[-3] != _SPACE)
            drop = ((letter_like and src[j:j + 1].isalnum()) or lopsided or _OPENER_END.search(tail)
                    or _CLOSER.match(src, j))
            if not drop:  # `\partial L` is ∂L and `\lfloor (n` is ⌊(n, as in LaTeX; other spaces are the author's
                out.append(_SPACE)
            i = j
            continue
        if ch == "'":
            ch = "′"  # pylatexenc would turn '' into a closing quote
        out.append(ch)
        i += 1
    return "".join(out)


def _script(arg: str, kind: str) -> str:
    table = _SUP if kind == "^" else _SUB
    inner = _rewrite(arg)
    if arg.strip() in ("\\top", "T", "\\intercal") and kind == "^":
        return "ᵀ"
    plain = inner.replace(" ", "").replace(_SPACE, "")
    if plain and all(c in table for c in plain):
        return "".join(table[c] for c in plain)
    if len(plain) == 1 or re.fullmatch(r"\\[A-Za-z]+", plain):
        return kind + inner
    # Braces would be eaten by pylatexenc; parentheses keep the grouping visible.
    return f"{kind}({inner})"
