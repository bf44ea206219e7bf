"""The command and sandbox side of the string catalogue (merged into render/i18n.py STRINGS; looked up with `t`).

What the sandboxed child words itself (in the language each spawn request carries), and what the commands
`grade`, `dev check` and `exercise export` print around the reports.
"""

from __future__ import annotations

CLI: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    # the sandboxed child's own messages (sandbox/server.py, forbidden/guard.py); file:line comes first
    "child.guard": ("{where}: 用到了 {name}，本练习禁止使用它。", "{where}: uses {name}, which this exercise forbids"),
    "child.guard_bound": ("{file}: `{name}` 就是 {label}，本练习禁止使用它。",
                          "{file}: `{name}` is {label}, which this exercise forbids"),
    "child.missing": ("{file} 没有定义 `{name}`", "{file} does not define `{name}`"),
    "child.not_callable": ("{file} 中的 `{name}` 是 {type}，不是函数或类", "`{name}` in {file} is a {type}, not a function or class"),
    "child.out_of_memory": ("内存不足（上限是 {mb} MB）", "out of memory (the limit is {mb} MB)"),
    "child.unsendable": ("返回了{error}", "returned {error}"),
}
