"""The expression side of the string catalogue (merged into render/i18n.py STRINGS; looked up with `t`).

Why a symbolic (quizkit/symbolic.py) or numeric (quizkit/safeexpr.py) answer could not be read.
"""

from __future__ import annotations

EXPR: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "expr.empty": ("表达式为空", "empty expression"),
    "expr.too_long": ("表达式超过 {n} 个字符", "expression longer than {n} characters"),
    "expr.syntax": ("不是表达式：{msg}", "not an expression: {msg}"),
    "expr.syntax_at": ("不是表达式：第 {column} 列 {msg}；乘号不能省略（写 2*s，不要写 2s）",
                       "not an expression: {msg} at column {column}; write products with * (2*s, not 2s)"),
    "expr.too_deep": ("表达式嵌套太深", "expression nested too deeply"),
    "expr.unknown_variable": ("未知的名字 '{name}'（可用变量：{allowed}）", "unknown name '{name}' (variables: {allowed})"),
    "expr.unknown_name": ("未知的名字 '{name}'（可用的名字：{allowed}）", "unknown name '{name}' (names: {allowed})"),
    "expr.unknown_name_plain": ("未知的名字 '{name}'", "unknown name '{name}'"),
    "expr.none": ("无", "none"),
    "expr.power_too_large": ("幂 {power} 太大", "power {power} is too large"),
    "expr.zero_division": ("除以零", "division by zero"),
    "expr.plain_arguments": ("{name}() 只接受普通参数", "{name}() takes plain arguments"),
    "expr.function": ("不允许使用函数 '{name}'（允许：{allowed}）", "function '{name}' is not allowed (allowed: {allowed})"),
    "expr.construct": ("表达式中不允许使用 {what}", "{what} is not allowed in an expression"),
    "expr.literal": ("不允许使用字面量 {value}（只能用数字）", "the literal {value} is not allowed (numbers only)"),
    "expr.keywords": ("不允许使用关键字参数", "keyword arguments are not allowed"),
    "expr.this_call": ("这种调用", "this call"),
    "expr.result_too_large": ("结果太大", "the result is too large"),
    "expr.undefined": ("无定义：{detail}", "undefined: {detail}"),
    "expr.nan": ("结果不是数（NaN）", "the result is not a number (NaN)"),
    "expr.timeout": ("检查表达式超过了 {seconds} 秒", "checking the expression took longer than {seconds} s"),
    "expr.cpu": ("检查表达式被停止（CPU 时间超过 {seconds} 秒）",
                 "checking the expression stopped (over {seconds} s of CPU time)"),
    "expr.crash": ("无法计算该表达式（{detail}）", "the expression could not be evaluated ({detail})"),
    "expr.not_allowed": ("不允许使用 {what}", "{what} is not allowed"),
    "expr.node.attribute": ("属性访问（a.b）", "attribute access (a.b)"),
    "expr.node.subscript": ("下标（a[i]）", "indexing (a[i])"),
    "expr.node.lambda": ("lambda", "lambda"),
    "expr.node.list": ("列表", "a list"),
    "expr.node.tuple": ("元组", "a tuple"),
    "expr.node.dict": ("字典", "a dict"),
    "expr.node.set": ("集合", "a set"),
    "expr.node.bitxor": ("'^'（乘方请写 **）", "'^' (write ** for a power)"),
    "expr.node.fstring": ("f-字符串", "an f-string"),
    "expr.node.comprehension": ("推导式", "a comprehension"),
    "expr.node.keyword": ("关键字参数", "a keyword argument"),
}
