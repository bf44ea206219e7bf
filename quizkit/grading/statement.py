"""An exercise README holds the statement twice, under `## 中文` and `## English`."""

from __future__ import annotations

SECTIONS = {"zh": "## 中文", "en": "## English"}


def statement(readme: str, lang: str) -> str:
    """The README's section in `lang` (from its heading to the next language heading), with the title line."""
    lines = readme.splitlines()
    stripped = [ln.strip() for ln in lines]
    heading = SECTIONS[lang]
    if heading not in stripped:
        return readme
    title = [ln for ln in lines[:1] if ln.startswith("# ")]
    start = stripped.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if stripped[i] in SECTIONS.values()), len(lines))
    return "\n".join(title + lines[start + 1:end]).strip() + "\n"


def missing_sections(readme: str) -> list[str]:
    stripped = {ln.strip() for ln in readme.splitlines()}
    return [heading for heading in SECTIONS.values() if heading not in stripped]
