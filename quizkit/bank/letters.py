"""Option letters in explanations follow the options when they are shuffled.

An explanation may say "D 错：…" or "A–C 都对" about the options as written. When a session shows the options in
another order, every stand-alone capital A-H outside `$math$` and `code` is a reference to a written option and is
relabelled to the letter the student saw; a list or range of letters becomes the sorted list of shown letters.
"""

from __future__ import annotations

import re

_ONE = r"(?<![A-Za-z0-9_\\^'])[A-H](?![A-Za-z0-9_'])"
# "A", "A、C", "A, B 和 D", "A–D": letters joined by list separators or a range dash.
_GROUP = re.compile(rf"{_ONE}(?:\s*(?:[、,，/]|和|与|及|[-–~～])\s*{_ONE})*")
_RANGE = re.compile(r"([A-H])\s*[-–~～]\s*([A-H])")
_PROTECTED = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.DOTALL)


def _letters(group: str) -> list[str]:
    expanded = _RANGE.sub(lambda m: "".join(chr(c) for c in range(ord(m.group(1)), ord(m.group(2)) + 1)), group)
    return re.findall(r"[A-H]", expanded)


def relabel(text: str, mapping: dict[str, str]) -> str:
    """Rewrite written letters to shown letters (mapping: written -> shown), leaving math and code alone."""
    if not mapping or all(k == v for k, v in mapping.items()):
        return text

    def swap(match: re.Match[str]) -> str:
        letters = _letters(match.group(0))
        if len(letters) == 1:
            return mapping.get(letters[0], letters[0])
        return "、".join(sorted(mapping.get(letter, letter) for letter in letters))

    out, last = [], 0
    for protected in _PROTECTED.finditer(text):
        out.append(_GROUP.sub(swap, text[last:protected.start()]))
        out.append(protected.group(0))
        last = protected.end()
    out.append(_GROUP.sub(swap, text[last:]))
    return "".join(out)
