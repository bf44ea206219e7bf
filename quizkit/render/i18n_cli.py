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
    # files and exercises named on the command line
    "cli.no_such_file": ("{path}：没有这个文件", "{path}: no such file"),
    "cli.not_a_file": ("{path}：不是文件", "{path}: not a file"),
    "cli.unknown_exercise": ("没有名为 '{exercise}' 的练习（已有：{known}）", "unknown exercise '{exercise}' (known: {known})"),
    "cli.none": ("无", "none"),
    "cli.error": ("错误：{message}", "Error: {message}"),
    "cli.not_finite": ("{value} 不是有限的数。", "{value} is not a finite number."),
    "bank.in_folder": ("题库所在文件夹 {folder}：", "Banks in {folder}:"),
    # quizkit grade
    "grade.not_recorded": ("警告：这次评分没有记入你的进度：{error}", "Warning: the attempt was not recorded: {error}"),
    "grade.written": ("{exercise}：{score}/{max}，报告已写入 {output}", "{exercise}: {score}/{max}, report written to {output}"),
    # grading (runner.py, harness/session.py): a broken exercise or sandbox, not the student's fault
    "runner.syntax": ("{file}{line}：语法错误（SyntaxError）：{detail}", "{file}{line}: SyntaxError: {detail}"),
    "runner.budget": ("{file}：limits.total_seconds 是 {seconds} 秒，超过了一份提交在沙箱中最多可用的 {room} 秒"
                      "（每份报告必须在 {bound} 秒内给出）",
                      "{file}: limits.total_seconds is {seconds} s, more than the {room} s a submission may spend "
                      "in the sandbox (every report must be ready within {bound} s)"),
    "runner.no_test_file": ("{file}：这个练习没有测试文件", "{file}: the exercise has no test file"),
    "runner.failed": ("评分 {path} 失败：{error}", "grading {path} failed: {error}"),
    "runner.not_collected": ("{file}：无法收集评分测试：{error}", "{file}: the grading tests could not be collected: {error}"),
    "runner.unknown_error": ("未知错误", "unknown error"),
    "runner.no_tests": ("{file}：没有收集到任何测试", "{file}: no tests were collected"),
    "harness.no_start": ("沙箱无法启动：{error}", "the sandbox could not start: {error}"),
    "harness.lost": ("{what}：沙箱在之前的崩溃或超时后重启，这个对象已经丢失",
                     "{what}: the object was lost when the sandbox restarted after an earlier crash or timeout"),
    "harness.unsendable_args": ("无法发送 {what} 的参数：{error}", "cannot send the arguments of {what}: {error}"),
    # quizkit dev check (devcheck.py, cli/dev.py)
    "dev.ok": ("通过", "ok  "),
    "dev.fail": ("失败", "FAIL"),
    "dev.line": ("{mark} {exercise}：{text}", "{mark} {exercise}: {text}"),
    "dev.sep": ("；", "; "),
    "dev.banks": ("{mark} 题库：{banks} 个题库共 {questions} 道题，{problems} 个问题",
                  "{mark} banks: {questions} questions in {banks} banks, {problems} problem(s)"),
    "dev.summary": ("{ok}/{total} 个练习通过检查", "{ok}/{total} exercises check out"),
    "dev.no_section": ("README.md 缺少 '{heading}' 一节", "README.md has no '{heading}' section"),
    "dev.bad_topic": ("主题 '{topic}' 不是题库中的主题（{topics}）", "topic '{topic}' is not a bank topic ({topics})"),
    "dev.no_hints": ("exercise.yaml 没有提示", "exercise.yaml has no hints"),
    "dev.hint_langs": ("提示 {n} 需要同时有 zh 和 en", "hint {n} needs both zh and en"),
    "dev.reference_fails": ("参考答案得分 {score}/{max}：{failed}", "reference scores {score}/{max}: {failed}"),
    "dev.points": ("exercise.yaml 写的是 {points} 分，但测试共 {max} 分",
                   "exercise.yaml says {points} points but the tests are worth {max}"),
    "dev.starter_passes": ("起始代码通过了所有测试", "the starter passes every test"),
    "dev.fact.reference": ("参考答案 {score}/{max}", "reference {score}/{max}"),
    "dev.fact.starter": ("起始代码 {score}/{max}", "starter {score}/{max}"),
    "dev.fact.caught": ("{caught}/{total} 个变体被查出", "{caught}/{total} mutants caught"),
    "dev.fact.named": ("{en}/{total} 个在 en 中点明错误，{zh}", "{en}/{total} named in en, {zh}"),
    "dev.fact.named_zh": ("{zh}/{total} 个在 zh 中点明错误", "{zh}/{total} in zh"),
    "dev.fact.zh_unchecked": ("未检查 zh（测试信息只有英文）", "zh not checked (messages are English only)"),
    "dev.too_few_mutants": ("mutants/ 中有 {n} 个变体，至少需要 {min} 个", "{n} mutant(s) in mutants/, need at least {min}"),
    "dev.mutant_passes": ("变体 {name} 通过了所有测试", "mutant {name} passes every test"),
    "dev.unnamed": ("变体 {name}：没有哪个失败的可见测试在 {lang} 中点明它的错误（期望其中之一：{phrases}；第一条信息：{first}）",
                    "mutant {name}: no failing visible test names its mistake in {lang} "
                    "(expected one of {phrases}; first message: {first})"),
    "dev.no_visible_failure": ("（没有可见测试失败）", "(no visible test failed)"),
    # quizkit exercise export (interop/gradescope.py)
    "export.wrote": ("已写入 {output}：{names}", "Wrote {output}: {names}"),
    "export.upload": ("把它上传为 Gradescope 编程作业的 autograder；学生提交 {exercise}.py。",
                      "Upload it as the autograder of a Gradescope programming assignment; students submit "
                      "{exercise}.py."),
    "export.not_checkout": ("{root}：不是 quizkit 的源码目录（构建 autograder 的 wheel 需要 pyproject.toml 和 "
                            "requirements.lock）",
                            "{root}: not a quizkit checkout (pyproject.toml and requirements.lock are needed to build "
                            "the autograder's wheel)"),
    "export.wheel_failed": ("{root}：构建 quizkit 的 wheel 失败：{error}", "{root}: building the quizkit wheel failed: {error}"),
    "export.no_wheel": ("没有生成 wheel", "no wheel was built"),
    "export.one_exercise": ("--format gradescope 一次导出一个练习：quizkit exercise export EX --format gradescope "
                            "--output autograder.zip",
                            "--format gradescope exports one exercise: quizkit exercise export EX --format gradescope "
                            "--output autograder.zip"),
    "export.folder": ("{output}：这是一个文件夹；请给出要写入的 zip 文件，如 autograder.zip",
                      "{output}: a folder; give the zip file to write, e.g. autograder.zip"),
    "export.recording": ("  正在记录 {exercise} ……", "  recording {exercise} ..."),
    "export.student_line": ("{exercise}：{visible} 个可见测试，{points} 分；去掉了 {hidden} 个隐藏测试",
                            "{exercise}: {visible} visible tests, {points} points; {hidden} hidden tests left out"),
    "export.student_wrote": ("已把学生版写入 {output}。把它交给学生练习；计分请用你自己的版本（quizkit grade / grade-batch / "
                             "Gradescope autograder），其中有隐藏测试。",
                             "Wrote the student build to {output}. Give it to students for practice; grade for credit "
                             "with your own build (quizkit grade / grade-batch / the Gradescope autograder), which has "
                             "the hidden tests."),
    "doctor.ordinary_user": ("普通用户", "an ordinary user"),
    # quizkit bank (cli/bank.py, cli/bank_io.py)
    "cli.exists": ("{path}：已存在（用 --force 覆盖）", "{path}: already exists (use --force to overwrite)"),
    "bank.validated": ("{banks} 个题库，{questions} 道题：{errors} 个错误，{warnings} 个警告",
                       "{banks} bank(s), {questions} question(s): {errors} error(s), {warnings} warning(s)"),
    "bank.lint": ("lint：单选题中正确答案是最长选项的占 {longest}；{over} 个正确答案比最长的干扰项长 1.5 倍以上；"
                  "多选题中正确选项恰好是最长的 k 个的占 {k_longest}",
                  "lint: key is the longest option in {longest} single-choice; {over} key(s) over 1.5x the longest "
                  "distractor; keyed set is the k longest in {k_longest} multiple-choice"),
    "bank.no_question": ("没有 id 为 '{id}' 的题目{hint}", "no question with id '{id}'{hint}"),
    "bank.did_you_mean": ("；你是不是想找 {names}？", "; did you mean {names}?"),
    "bank.no_question_listed": ("没有 id 为 '{id}' 的题目（用 `quizkit bank stats` 列出所有题目）",
                                "no question with id '{id}' (list them with `quizkit bank stats`)"),
    "bank.wrote_template": ("已写入 {path}。下一步：编辑它，然后运行 `quizkit bank validate --strict {path}`。",
                            "Wrote {path}. Next: edit it, then run `quizkit bank validate --strict {path}`."),
    "bank.nothing_to_export": ("没有可导出的内容：题库中没有适合这种格式的题目",
                               "nothing to export: no question in the banks fits the format"),
    "bank.skipped": ("，跳过 {n} 道", ", {n} skipped"),
    "bank.exported": ("已把 {n} 道题写入 {output}（{fmt}，{size} 字节{skipped}；{warnings} 个警告）。{fmt} 无法保存：{lost}。",
                      "Wrote {n} question(s) to {output} ({fmt}, {size} bytes{skipped}; {warnings} warning(s)). "
                      "Never carried by {fmt}: {lost}."),
    "bank.imported": ("已把 {n} 道题写入 {output}；{notes} 条说明；校验：{errors} 个错误，{warnings} 个警告。",
                      "Wrote {n} question(s) to {output}; {notes} note(s); validate: {errors} error(s), "
                      "{warnings} warning(s)."),
    # why the child is gone (sandbox/supervisor.py), shown as "the sandboxed process <detail> while <what>"
    "sandbox.stopped": ("意外停止了", "stopped unexpectedly"),
    "sandbox.exited_code": ("以退出码 {code} 退出（os._exit 或崩溃）", "exited with code {code} (os._exit or a crash)"),
    "sandbox.killed": ("被 {signal} 终止", "was killed by {signal}"),
    "sandbox.killed_why": ("被 {signal} 终止（{why}）", "was killed by {signal} ({why})"),
    "sandbox.why.SIGXCPU": ("CPU 时间上限 {cpu} 秒", "the CPU time limit of {cpu} s"),
    "sandbox.why.SIGSEGV": ("段错误", "a segmentation fault"),
    "sandbox.why.SIGKILL": ("被强制终止，可能是内存不足", "killed, possibly for memory"),
    "sandbox.why.SIGXFSZ": ("文件大小上限 {file_mb} MB", "the file size limit of {file_mb} MB"),
    "sandbox.why.SIGABRT": ("本地代码中止（abort）", "an abort in native code"),
    "sandbox.why.SIGBUS": ("总线错误，可能是内存不足", "a bus error, possibly out of memory"),
    "sandbox.did_not_start": ("沙箱没有启动", "the sandbox did not start"),
    "sandbox.not_running": ("沙箱没有在运行", "the sandbox is not running"),
    "sandbox.malformed": ("发来了格式错误的回复（{error}）", "sent a malformed reply ({error})"),
    "sandbox.malformed_plain": ("发来了格式错误的回复", "sent a malformed reply"),
    "sandbox.out_of_order": ("发来了顺序错乱的回复（不是对所发请求的回答）",
                             "sent a reply out of order (not the answer to the request it was sent)"),
    # what cannot cross the boundary (wire/codec.py); the child words it after "returned"
    "codec.too_large": ("过大的数据（张量超过 {mb} MB，无法发送）", "the data is too large to send (more than {mb} MB of tensors)"),
    "codec.too_deep": ("嵌套太深或太大、无法发送的值", "the value is nested too deeply or is too large to send"),
    "codec.dict_key": ("键的类型为 {type} 的字典（只能发送 str 类型的键）", "a dict key of type {type} (only str keys can be sent)"),
    "codec.type": ("类型为 {type} 的值（可以发送的类型：{allowed}）", "a value of type {type} (allowed: {allowed})"),
    "codec.layout": ("布局为 {layout} 的张量（只能发送稠密张量）", "a {layout} tensor (only dense tensors can be sent)"),
    "codec.device": ("位于设备 {device} 上的张量（请先移到 CPU）", "a tensor on device {device} (move it to the CPU)"),
    "codec.dtype": ("dtype 为 {dtype} 的张量（不支持）", "a tensor of dtype {dtype} (not supported)"),
    "codec.message_too_large": ("过大的消息（{mb} MB 的 JSON，无法发送）", "the message is too large to send ({mb} MB of JSON)"),
    # notebook submissions (interop/notebook.py): where a line came from, and what was not Python
    "notebook.cell_line": ("第 {cell} 个单元格第 {line} 行", "cell {cell}, line {line}"),
    "notebook.not_utf8": ("{file}：不是 UTF-8 文本（第 {byte} 字节）；请重新保存这个 notebook",
                          "{file}: not UTF-8 text (byte {byte}); save the notebook again"),
    "notebook.not_notebook": ("{file}：不是 Jupyter notebook（{type}）", "{file}: not a Jupyter notebook ({type})"),
    "notebook.dropped_cell": ("第 {cell} 个单元格：去掉了单元格魔法命令 {magic}（不是 Python）",
                              "cell {cell}: dropped the cell magic {magic} (not Python)"),
    "notebook.dropped_line": ("第 {cell} 个单元格第 {line} 行：去掉了 {code}（IPython 语法，不是 Python）",
                              "cell {cell}, line {line}: dropped {code} (IPython, not Python)"),
    # mutants' `expect:` blocks (grading/mutants.py), reported by `dev check`
    "mutant.unreadable": ("{file}：无法作为 Python 读取这个变体（{error}）", "{file}: the mutant cannot be read as Python ({error})"),
    "mutant.no_docstring": ("{file}:1：这个变体没有带 'expect:' 块的文档字符串（见 README 的 'Writing exercises'）",
                            "{file}:1: the mutant has no docstring with an 'expect:' block (see README, "
                            "'Writing exercises')"),
    "mutant.no_expect": ("{file}:{line}：文档字符串中没有列出 en 和 zh 短语的 'expect:' 块",
                         "{file}:{line}: the docstring has no 'expect:' block with en and zh phrases"),
    "mutant.bad_yaml": ("{file}:{line}：'expect:' 块不是合法的 YAML（{error}）",
                        "{file}:{line}: the 'expect:' block is not valid YAML ({error})"),
    "mutant.not_mapping": ("{where}：'expect:' 必须把 en 和 zh 映射到短语列表",
                           "{where}: 'expect:' must map en and zh to lists of phrases"),
    "mutant.no_phrases": ("{where}：'expect:' 需要一个非空的 {lang} 短语列表",
                          "{where}: 'expect:' needs a non-empty list of {lang} phrases"),
    "mutant.unknown_keys": ("{where}：'expect:' 有未知的键 {keys}（只能用 en、zh）",
                            "{where}: 'expect:' has unknown key(s) {keys} (use en, zh)"),
    # exercise.yaml (grading/exercises.py, sandbox/limits.py): file:line comes first
    "yaml.not_mapping": ("{file}:1：应为包含 id、title、topic、points 等键的映射", "{file}:1: expected a mapping with id, title, topic, points, ..."),
    "yaml.id_folder": ("`id` 必须是文件夹名 '{folder}'，而不是 {got}", "`id` must be the folder name '{folder}', not {got}"),
    "yaml.id_chars": ("`id` 只能由小写字母、数字和 _ 组成", "`id` must be lower-case letters, digits and _"),
    "yaml.title": ("`title` 必须是 {zh: ..., en: ...}", "`title` must be {zh: ..., en: ...}"),
    "yaml.topic": ("`topic` 必须是以下之一：{topics}（实际是 {got}）", "`topic` must be one of: {topics} (got {got})"),
    "yaml.points": ("`points` 必须是正整数，而不是 {got}", "`points` must be a positive whole number, not {got}"),
    "yaml.forbidden": ("`forbidden` 必须是带点的名字列表，如 torch.sigmoid",
                       "`forbidden` must be a list of dotted names such as torch.sigmoid"),
    "yaml.hints": ("`hints` 必须是 {zh: ..., en: ...} 的列表", "`hints` must be a list of {zh: ..., en: ...}"),
    "yaml.hidden_visibility": ("`hidden_visibility` 必须是以下之一：{choices}", "`hidden_visibility` must be one of: {choices}"),
    "yaml.unknown_key": ("未知的键 `{name}`", "unknown key `{name}`"),
    "yaml.unreadable": ("{file}：无法读取：{error}", "{file}: cannot read: {error}"),
    "yaml.invalid": ("{file}{line}：不是合法的 YAML：{problem}", "{file}{line}: invalid YAML: {problem}"),
    "yaml.modules": ("`{name}` 必须是带点的模块名列表，如 torch.nn.functional",
                     "`{name}` must be a list of dotted module names such as torch.nn.functional"),
    "yaml.operators": ("`operators` 必须是 {allow: [aten 算子名，如 exp、where], autograd: true|false}",
                       "`operators` must be {allow: [aten operator names such as exp, where], autograd: true|false}"),
    "yaml.autograd": ("`operators.autograd` 必须是 true 或 false", "`operators.autograd` must be true or false"),
    "yaml.in_place": ("`operators.allow` 应写不带原地 `_` 的算子名（{base} 已包含 {name}），而不是 {name}",
                      "`operators.allow` names operators without the in-place `_` ({base} covers {name}), not {name}"),
    "yaml.limits": ("{where}：`limits` 必须是 名字: 数值 的映射", "{where}: `limits` must be a mapping of name: number"),
    "yaml.unknown_limit": ("{where}：未知的限制 `{name}`（已有：{known}）", "{where}: unknown limit `{name}` (known: {known})"),
    "yaml.processes": ("{where}：限制 `processes` 必须是 >= 0 的整数，而不是 {got}",
                       "{where}: limit `processes` must be a whole number >= 0, not {got}"),
    "yaml.positive": ("{where}：限制 `{name}` 必须是正数，而不是 {got}", "{where}: limit `{name}` must be a positive number, not {got}"),
}
