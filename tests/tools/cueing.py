"""Measure answer cueing in the banks (issue 14): key length, keyed sets, absolute words, giveaway prompts.

Reads questions/*.yaml with PyYAML. Width counts a CJK character as 2, after stripping $...$ markup.
Usage: python tests/tools/cueing.py [questions] [-v]
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import yaml

ABSOLUTE = ("一定", "彻底", "总是", "永远", "完全", "绝对", "只有", "必然", "必定", "任何", "从不", "只能", "唯一")
NOT_ABSOLUTE = ("绝对值", "只有一个", "完全连接", "一定程度")
ALL_OF = ("以上都对", "以上都不对", "以上都是", "以上皆是", "以上皆非", "以上均")


def width(text: str) -> int:
    text = re.sub(r"\\[A-Za-z]+", "", str(text)).replace("$", "").replace("{", "").replace("}", "")
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text.strip())


def questions(root: Path):
    for path in sorted(root.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for q in data.get("questions") or []:
            yield path.name, q


def keys_of(q) -> list[int]:
    ans = q["answer"] if isinstance(q["answer"], list) else re.findall(r"[A-Z]", str(q["answer"]).upper())
    return [ord(str(c).strip().upper()) - 65 for c in ans]


def measure(root: Path, verbose: bool = False) -> dict:
    singles = longest = over = multi = klongest = 0
    abs_q, allof, giveaway, over_list, kl_list = [], [], [], [], []
    abs_key = abs_dis = 0
    for name, q in questions(root):
        if q.get("type") not in ("single", "multiple"):
            continue
        opts = [str(o) for o in q["options"]]
        plain = [o for o in opts]
        for w in NOT_ABSOLUTE:
            plain = [o.replace(w, "") for o in plain]
        ws = [width(o) for o in opts]
        keys = keys_of(q)
        dis = [i for i in range(len(opts)) if i not in keys]
        if q["type"] == "single":
            singles += 1
            k = keys[0]
            maxd = max(ws[i] for i in dis)
            if ws[k] > maxd:
                longest += 1
            if ws[k] > 1.5 * maxd:
                over += 1
                over_list.append((round(ws[k] / maxd, 1), q["id"], name))
        else:
            multi += 1
            order = sorted(range(len(opts)), key=lambda i: -ws[i])
            kk = len(keys)
            if kk < len(opts) and set(order[:kk]) == set(keys) and ws[order[kk - 1]] > ws[order[kk]]:
                klongest += 1
                kl_list.append(q["id"])
        in_key = [w for w in ABSOLUTE for i in keys if w in plain[i]]
        in_dis = [w for w in ABSOLUTE for i in dis if w in plain[i]]
        abs_key += len(in_key)
        abs_dis += len(in_dis)
        if in_dis and not in_key:
            abs_q.append((q["id"], name, sorted(set(in_dis))))
        if any(a in o for a in ALL_OF for o in opts):
            allof.append(q["id"])
        prompt = str(q.get("prompt", ""))
        for i in keys:
            core = re.sub(r"[（(].*?[)）]", "", opts[i]).strip()
            if len(core) >= 2 and core in prompt:
                giveaway.append((q["id"], core))
    res = dict(single=singles, key_longest=longest, key_longest_pct=round(100 * longest / max(singles, 1), 1),
               over_1_5=over, multiple=multi, keyed_k_longest=klongest,
               keyed_k_longest_pct=round(100 * klongest / max(multi, 1), 1),
               absolute_in_keys=abs_key, absolute_in_distractors=abs_dis,
               questions_absolute_only_in_distractors=len(abs_q), all_of_above=len(allof), giveaway=len(giveaway))
    if verbose:
        for r in sorted(over_list, reverse=True):
            print("over1.5", *r)
        for r in kl_list:
            print("k-longest", r)
        for r in abs_q:
            print("absolute-only-distractor", *r)
        for r in giveaway:
            print("giveaway", *r)
        for r in allof:
            print("all-of", r)
    return res


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    out = measure(Path(args[0] if args else "questions"), "-v" in sys.argv)
    for k, v in out.items():
        print(f"{k}: {v}")
