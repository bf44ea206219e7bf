"""LaTeX in prompts and explanations, shown as readable Unicode.

Only the math segments ($...$, $$...$$, \\(...\\), \\[...\\]) are converted; the prose around them is left alone
(pylatexenc would read a bare `%` in "50%" as a comment). `\\frac{a}{b}` becomes `a/b`, with parentheses only
where a part would otherwise lose its grouping (`1/(1+e⁻ˣ)`, `(1/2)‖w‖²`), and `^{...}`/`_{...}` become Unicode
super/subscripts where every character has one (`ℝᵏˣⁿ`), `^(...)` otherwise.

pylatexenc takes longer to import and set up than answering a question, so each formula's rendering is kept in
`user_home()/cache/math-v1.json` (keyed by its source and a fingerprint of this module); pylatexenc is imported
only for a formula never rendered before.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$|(?<!\\)\$((?:\\.|[^\\$])+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
MATH_SEGMENT = _MATH  # one segment with its delimiters; the Markdown reader uses it
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))
_SUP.update(zip("−×αβγδεϵθιφχ′", "⁻ˣᵅᵝᵞᵟᵋᵋᶿᶥᵠᵡ′"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUB.update(zip("−×βγρφχ", "₋ₓᵦᵧᵨᵩᵪ"))
# Macros a script may hold, as the character looked up in _SUP/_SUB: `^{k\times n}` is ᵏˣⁿ.
_SCRIPT_MACROS = {"times": "×", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ",
                  "varepsilon": "ε", "theta": "θ", "iota": "ι", "phi": "φ", "varphi": "φ", "chi": "χ", "rho": "ρ",
                  "prime": "′"}
_SCRIPT_MACRO = re.compile(r"\\([A-Za-z]+)\s*(?:\{\})?")
_SCRIPT_CHARS = frozenset(_SUP.values()) | frozenset(_SUB.values())
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
    return re.sub(r"[ \t]{2,}", " ", _unstash(out).replace(_SPACE, " ")).strip()


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
            out.append(_stash(_fraction(_render(num), _render(den), "".join(out), src[i:])))
            continue
        ch = src[i]
        if ch in "^_":
            arg, i = _group(src, i + 1)
            if out and re.search(r"\\[A-Za-z]+$", out[-1]):
                out.append("{}")  # \sum then ᵢ would read as one macro name, since ᵢ is a letter
            out.append(_script(arg, ch))
            continue
        if src.startswith("\\|", i):
            out.append("‖")  # pylatexenc drops the norm bars
            i += 2
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
    if arg.strip() in ("\\top", "T", "\\intercal") and kind == "^":
        return "ᵀ"
    letters = _SCRIPT_MACRO.sub(lambda m: _SCRIPT_MACROS.get(m.group(1), m.group(0)), arg)
    letters = letters.replace(" ", "").replace("{}", "")
    if letters and all(c in table for c in letters):
        return "".join(table[c] for c in letters)
    inner = _rewrite(arg)
    plain = inner.replace(" ", "").replace(_SPACE, "")
    if len(plain) == 1 or re.fullmatch(r"\\[A-Za-z]+", plain):
        return kind + inner
    # Braces would be eaten by pylatexenc; parentheses keep the grouping visible.
    return f"{kind}({inner})"


# A fraction's parts are rendered first, then set in a line: pylatexenc sees only a private-use placeholder,
# so nothing in the rendered text (a brace, a backslash) is read as LaTeX a second time.
_stashed: dict[str, str] = {}
_STASH_FIRST = 0xE100
_stash_count = 0


def _stash(text: str) -> str:
    global _stash_count
    _stash_count += 1
    key = chr(_STASH_FIRST + _stash_count % 0x1700)  # a fresh key while earlier ones still wait
    _stashed[key] = text
    return key


def _unstash(text: str) -> str:
    for key in [c for c in text if c in _stashed]:
        text = text.replace(key, _stashed.pop(key))
    return text


_OPENERS = {"(": ")", "[": "]", "{": "}", "⌊": "⌋", "⌈": "⌉", "⟨": "⟩"}
_BARS = "|‖"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LOW_PRECEDENCE = set("+-−±∓=≠<>≤≥≈≡∼∝,;:→←⇒⇔∈∉⊂⊆∪∩∧∨") | {" "}
_BIG_OPERATORS = set("∑∏∫∮⋃⋂")


def _closing(s: str, i: int) -> int:
    """Index just past the group opening at s[i] (brackets or a pair of bars), or -1."""
    opener = s[i]
    closer = _OPENERS.get(opener, opener)
    depth = 0
    for j in range(i, len(s)):
        if s[j] == closer and (depth == 1 or opener in _BARS) and j > i:
            return j + 1
        if s[j] == opener and opener not in _BARS:
            depth += 1
        elif s[j] == closer:
            depth -= 1
    return -1


def _atom_end(s: str, i: int) -> int:
    """Where the atom starting at s[i] ends, or -1: a number, a letter, a function applied, a bracketed group,
    or a root, each with its primes, scripts and call parentheses."""
    if i >= len(s):
        return -1
    if s[i] in "∂∇√":
        return _atom_end(s, i + 1)
    m = _NUMBER.match(s, i)
    if m:
        j = m.end()
    elif s[i] in _OPENERS or s[i] in _BARS:
        j = _closing(s, i)
        if j < 0:
            return -1
    elif s[i].isalpha():
        j = i + 1
        while j < len(s) and s[j].isascii() and s[j].isalpha() and s[i].isascii():
            j += 1
        ident = re.compile(r"(?:_[A-Za-z0-9]+)+").match(s, j) if j - i > 1 else None
        if ident:
            j = ident.end()  # max_norm: one name
        elif j - i > 1 and s[j:j + 1] != "(":
            return -1  # `mn` is a product, not one symbol; `log(x)` is one
        while j < len(s) and unicodedata.combining(s[j]):
            j += 1
    else:
        return -1
    while j < len(s):
        if s[j] in _SCRIPT_CHARS or s[j] in "′'":
            j += 1
        elif s[j] in "^_" and j + 1 < len(s):
            k = _closing(s, j + 1) if s[j + 1] == "(" else j + 2
            if k < 0:
                return -1
            j = k
        elif s[j] == "(":
            k = _closing(s, j)
            if k < 0:
                return -1
            j = k
        else:
            break
    return j


def _is_atom(s: str) -> bool:
    return bool(s) and _atom_end(s, 0) == len(s)


def _is_product(s: str) -> bool:
    """Atoms multiplied together: `a·b` and `2x` need no parentheses as a numerator, `a+b` and `a/b` do."""
    i = 1 if s[:1] in "-−" else 0
    while True:
        j = _atom_end(s, i)
        if j < 0 and s[i:i + 1].isalpha():
            j = i + 1  # `ab` as a numerator: a times b
        if j < 0:
            return False
        if j == len(s):
            return True
        i = j + 1 if s[j] in "·×∗" else j


def _fraction(num: str, den: str, before: str, after: str) -> str:
    """`num/den` with the parentheses the line needs, given the LaTeX source before and after it."""
    derivative = num[:1] in ("d", "∂") and den[:1] == num[:1] and _is_atom(den[1:].replace(" ", ""))
    if derivative:
        num = num.replace(" ", "")  # ∂²L
    num_ok = _is_product(num[1:].lstrip("".join(_SCRIPT_CHARS)) or "1") if derivative else _is_product(num)
    line = (num if num_ok else f"({num})") + "/" + (den if derivative or _is_atom(den) else f"({den})")
    before = before.rstrip(" " + _SPACE)
    macro = _LETTER_MACRO_END.search(before)
    last = before[-1:]
    glued_before = bool(last) and (last.isalnum() and not macro or last in ")]|′‖" or last in _SCRIPT_CHARS
                                   or last in _stashed or bool(macro and macro.group(0)[1:] not in _OPERATORS))
    nxt = after.lstrip(" ")
    if nxt.startswith("\\,"):
        nxt = nxt[2:].lstrip(" ")
    m = re.match(r"\\([A-Za-z]+)", nxt)
    glued_after = bool(nxt) and (nxt[0].isalnum() or nxt[0] in "([^_" or nxt.startswith("\\|")
                   or bool(m and m.group(1) not in _OPERATORS and not _CLOSER.match(nxt)
                           and m.group(1) not in ("right", "end", "quad", "qquad")))
    if glued_before or glued_after:
        return f"({line})"
    return line
