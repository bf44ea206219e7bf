"""Every interface string, in Chinese and English, in one place.

The language comes from --lang, else the locale (LC_ALL, LC_MESSAGES, LANG starting with "zh" -> zh), else en.
"""

from __future__ import annotations

import os

from quizkit.render.plural import FORMATTER

STRINGS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    # question header and prompts
    "type.single": ("单选", "single choice"),
    "type.multiple": ("多选", "multiple choice"),
    "type.true_false": ("判断", "true/false"),
    "type.short_answer": ("简答", "short answer"),
    "type.numeric": ("计算", "numeric"),
    "type.symbolic": ("公式", "symbolic"),
    "prompt.answer": ("答案> ", "answer> "),
    "prompt.more": ("  …  ", "  …  "),
    "prompt.rating": ("评分 [1 重来 2 困难 3 良好 4 简单，回车={suggested}]> ",
                      "rate [1 again 2 hard 3 good 4 easy, Enter={suggested}]> "),
    "hint.keys": ("? 帮助 · s 跳过 · q 结束", "? help · s skip · q quit"),
    "hint.single": ("输入一个字母，如 B", "type one letter, e.g. B"),
    "hint.multiple": ("输入所有正确选项的字母，如 AC、a,c 或 A C", "type every right letter: AC, a,c or A C"),
    "hint.true_false": ("输入 T/F、对/错 或 y/n", "type T/F, 对/错 or y/n"),
    "hint.numeric": ("输入一个数或算式，如 0.25、1/4、1e-3、132,863,336、2^10",
                     "type a number or arithmetic: 0.25, 1/4, 1e-3, 132,863,336, 2^10"),
    "hint.symbolic": ("输入表达式，如 s*(1-s)、exp(-x)/(1+exp(-x))**2；乘号不能省略",
                      "type an expression such as s*(1-s) or exp(-x)/(1+exp(-x))**2; write * for products"),
    "hint.short_answer": ("用一行写出要点；随后对照评分要点给自己打分",
                          "write the key points on one line; then rate yourself against the rubric"),
    "hint.short_answer.tty": ("写出要点，可以换行，空一行结束作答；随后对照评分要点给自己打分",
                              "write the key points, over several lines if you like; an empty line ends the "
                              "answer. Then rate yourself against the rubric"),
    "hint.variables": ("可用变量：{names}", "variables: {names}"),
    "hint.unit": ("单位：{unit}", "unit: {unit}"),
    "help.title": ("帮助", "Help"),
    "help.commands": ("?  显示本帮助\ns  跳过本题\nq  结束并查看小结\nCtrl-C 也会保存已作答的题目",
                      ("?  show this help\ns  skip this question\nq  end the session and show the summary\n"
                      "Ctrl-C also keeps everything answered so far")),
    "remaining": ("剩余 {time}", "{time} left"),
    "difficulty": ("难度", "difficulty"),
    # feedback
    "verdict.right": ("✓ 正确", "✓ Right"),
    "verdict.partial": ("◐ 部分正确", "◐ Partly right"),
    "verdict.wrong": ("✗ 错误", "✗ Wrong"),
    "verdict.skipped": ("→ 跳过", "→ Skipped"),
    "verdict.unanswered": ("… 未作答", "… Unanswered"),
    "correct_answer": ("正确答案：{answer}", "Answer: {answer}"),
    "your_answer": ("你的答案：{answer}", "Your answer: {answer}"),
    "score": ("得分 {score}", "score {score}"),
    "explanation": ("解析：", "Why: "),
    "model_answer": ("参考答案：", "Model answer: "),
    "interop.rubric": ("评分要点：", "Rubric: "),
    "interop.variables": ("变量：", "Variables: "),
    "rubric.suggested": ("评分要点：建议得分 {got:g}/{total:g}（{pct}）", "Rubric: suggested {got:g}/{total:g} ({pct})"),
    "rubric.hit": ("✓ {label}", "✓ {label}"),
    "rubric.missed": ("✗ {label}", "✗ {label}"),
    "rubric.negated": ("✗ {label}（被否定，不计分：{why}）", "✗ {label} (negated, not counted: {why})"),
    "rubric.echoed": ("✗ {label}（照抄题干，不计分：{why}）", "✗ {label} (copied from the prompt, not counted: {why})"),
    "rubric.listed": ("✗ {label}（只列出名词，没有说明，不计分：{why}）",
                      "✗ {label} (only named, no claim stated, not counted: {why})"),
    "rubric.voided": ("✗ {label}（含常见错误说法，不计分：{why}）",
                      "✗ {label} (a known misconception stands beside it, not counted: {why})"),
    "rubric.evidence": ("「{clause}」", "“{clause}”"),
    "rubric.try": ("答案 {n}：{score}", "Answer {n}: {score}"),
    "rating.1": ("重来", "Again"),
    "rating.2": ("困难", "Hard"),
    "rating.3": ("良好", "Good"),
    "rating.4": ("简单", "Easy"),
    "notice.rated": ("记为 {rating} · 得分 {score}", "Recorded as {rating} · score {score}"),
    "notice.skipped": ("已跳过。", "Skipped."),
    "notice.time_up": ("⏰ 时间到，考试结束；未作答的题目记 0 分。", "⏰ Time is up: the exam is over; unanswered questions score 0."),
    "notice.mistake_cleared": ("连续答对 2 次，已移出错题本。", "Right twice in a row: removed from the mistakes list."),
    "notice.mistake_streak": ("再答对 {left} 次即可移出错题本。", "{left} more right answer(s) in a row to clear it."),
    "notice.clipped": ("题库中{type}只有 {have} 道（要求 {want} 道）。", "The banks have only {have} {type} question(s) ({want} asked for)."),
    # invalid input
    "invalid.empty": ("请输入答案；? 查看帮助。", "Type an answer; ? for help."),
    "invalid.bad_choice": ("请输入 {letters} 之间的字母。", "Type letters between {letters}."),
    "invalid.one_letter": ("单选题只能选一个字母。", "Single choice: type exactly one letter."),
    "invalid.bad_bool": ("请输入 T/F、对/错 或 y/n。", "Type T/F, 对/错 or y/n."),
    "invalid.bad_number": ("无法识别的数字；示例：0.25、1/4、1e-3、132,863,336。",
                           "Not a number; try 0.25, 1/4, 1e-3 or 132,863,336."),
    "invalid.number_zero_division": ("这个算式除以了零；请输入一个数。", "That divides by zero; type a number."),
    "invalid.number_too_large": ("这个数太大（超出 1e300）；请检查指数。", "That number is too large (over 1e300); check the exponent."),
    "invalid.bad_expression": ("无法解析的表达式：{reason}", "Cannot read that expression: {reason}"),
    "invalid.bad_rating": ("请输入 1-4，或直接回车接受建议。", "Type 1-4, or press Enter to accept the suggestion."),
    # session summary
    "summary.title": ("小结", "Summary"),
    "summary.line": ("共 {asked} 题 · 答对 {right} · 部分 {partial} · 答错 {wrong} · 跳过 {skipped}",
                     "{asked} asked · {right} right · {partial} partly · {wrong} wrong · {skipped} skipped"),
    "summary.score": ("得分 {score}/{total}（{pct}）· 用时 {time}", "Score {score}/{total} ({pct}) · time {time}"),
    "summary.ended.quit": ("已结束本次练习。", "Session ended."),
    "summary.ended.eof": ("输入结束。", "End of input."),
    "summary.ended.interrupt": ("已中断；作答记录均已保存。", "Interrupted; every answer so far is saved."),
    "summary.ended.time": ("时间到。", "Time is up."),
    "summary.saved": ("进度已保存到 {path}", "Progress saved in {path}"),
    "summary.to_mistakes": ("答错或部分正确的题已记入错题本：quizkit mistakes",
                            "Wrong and partly right answers went to the mistakes list: quizkit mistakes"),
    "summary.nothing": ("没有作答任何题目。", "No questions answered."),
    "empty.selection": ("没有符合条件的题目（检查 --tag/--type/--difficulty）。",
                        "No questions match (check --tag/--type/--difficulty)."),
    "empty.review": ("现在没有到期的复习题。{next}", "Nothing is due for review now. {next}"),
    "empty.review.next": ("下一题将于 {when} 到期。", "The next one falls due {when}."),
    "empty.review.new": ("先用 quizkit quiz 学些新题吧。", "Learn some new questions with quizkit quiz first."),
    "empty.mistakes": ("错题本是空的。", "The mistakes list is empty."),
    "review.start": ("{n} 道题到期（FSRS）。", "{n} question(s) due (FSRS)."),
    "review.start_some": ("共 {total} 道题到期（FSRS），本次复习 {n} 道。", "{total} question(s) due in all (FSRS); reviewing {n} now."),
    "notice.next_due": ("下次复习：{when}（{interval}后）", "Comes back {when} (in {interval})"),
    "interval.minutes": ("{n} 分钟", "{n} min"),
    "interval.hours": ("{n} 小时", "{n} h"),
    "interval.days": ("{n} 天", "{n} day(s)"),
    "cram.start": ("突击模式：不改变复习计划。", "Cram mode: the review schedule is left untouched."),
    # exam
    "exam.title": ("模拟考试", "Mock exam"),
    "exam.intro": ("共 {n} 题，满分 {total:g} 分，及格 {pass_mark:g}%。{limit}交卷前不显示对错。",
                   ("{n: question|questions}, {total:g point|points}, pass mark {pass_mark:g}%. {limit}"
                    "No feedback until the end.")),
    "exam.limit": ("限时 {minutes:g} 分钟。", "Time limit {minutes:g} min. "),
    "exam.section": ("{index}、{name}（{n} 题，每题 {points:g} 分）", "Part {index}: {name} ({n} × {points:g point|points})"),
    "exam.report": ("成绩单", "Report"),
    "exam.summary": ("共 {asked} 题 · 答对 {right} · 部分 {partial} · 答错 {wrong} · 未作答 {unanswered}",
                     "{asked: question|questions} · {right} right · {partial} partly · {wrong} wrong · {unanswered} unanswered"),
    "exam.by_section": ("按题型", "By section"),
    "exam.by_topic": ("按主题", "By topic"),
    "exam.total": ("总分 {score:g}/{total:g}（{pct}）· 及格线 {pass_mark:g}%", "Total {score:g}/{total:g} ({pct}) · pass mark {pass_mark:g}%"),
    "exam.passed": ("通过 ✓", "PASSED ✓"),
    "exam.failed": ("未通过 ✗", "NOT PASSED ✗"),
    "exam.wrong": ("错题与解析", "Wrong answers, with explanations"),
    "exam.all_right": ("全部答对！", "Everything right!"),
    # grading: constructs the static scan refuses, and operators the child refuses (file:line is prepended)
    "forbidden.name": ("`{code}` 用到了 {name}，本练习禁止使用它。", "`{code}` uses {name}, which this exercise forbids."),
    "forbidden.import": ("`{code}` 导入了 {name}，本练习禁止导入它；可以导入的模块：{allowed}。",
                         "`{code}` imports {name}, which this exercise forbids; it may import: {allowed}."),
    "forbidden.relative": ("`{code}` 是相对导入，评分禁止相对导入；请用绝对导入（如 import torch）。",
                           "`{code}` is a relative import, which grading forbids; use an absolute import (import torch)."),
    "forbidden.module": ("`{code}` 访问了模块 {name}，本练习禁止使用它；可以使用的模块：{allowed}。",
                         "`{code}` reaches the module {name}, which this exercise forbids; it may use: {allowed}."),
    "forbidden.module_value": ("`{code}` 把模块 {name} 当作值传递，评分禁止这样做；请直接写 {name}.名字，或导入你需要的名字。",
                               "`{code}` passes the module {name} around as a value, which grading forbids; "
                               "write {name}.<name> where you use it, or import the names you need."),
    "forbidden.private": ("`{code}` 用到了私有名字 {name}，评分禁止这样做；请使用本练习允许的公开 API。",
                          "`{code}` uses the private name {name}, which grading forbids; use the public API "
                          "this exercise allows."),
    "forbidden.dunder": ("`{code}` 访问了特殊属性 {name}，评分禁止这样做；可以用 type(x)、isinstance(x, T) 或对象的公开方法。"
                         "（在类里定义 __init__ 等方法、调用 super().__init__() 没有问题。）",
                         "`{code}` reads the special attribute {name}, which grading forbids; use type(x), "
                         "isinstance(x, T) or the object's public methods. (Defining __init__ and other methods "
                         "in a class, and calling super().__init__(), are fine.)"),
    "forbidden.introspection": ("`{code}` 读取了 {name}（栈帧或代码对象的内部），评分禁止这样做；请直接使用你需要的值。",
                                "`{code}` reads {name}, the inside of a frame or code object, which grading "
                                "forbids; use the values you need directly."),
    "forbidden.reflection": ("`{code}` 用 {name} 访问一个计算出来的属性名，评分禁止这样做；请直接写 obj.name。",
                             "`{code}` uses {name} with a computed attribute name, which grading forbids; "
                             "write obj.name instead."),
    "forbidden.builtin": ("`{code}` 调用了 {name}，评分禁止这样做；{advice}", "`{code}` uses {name}, which grading forbids; {advice}"),
    "forbidden.patch": ("`{code}` 给导入的模块或类 {name} 赋值，评分禁止这样做；只修改你自己的对象。",
                        "`{code}` assigns to {name}, part of an imported module or class, which grading forbids; "
                        "change only your own objects."),
    "forbidden.advice.code": ("请把代码直接写出来。", "write the code out directly."),
    "forbidden.advice.import": ("请用 import 语句导入本练习允许的模块。", "use an import statement for a module the exercise allows."),
    "forbidden.advice.files": ("提交的代码不能读写文件。", "a submission may not read or write files."),
    "forbidden.advice.io": ("评分时没有终端可用，请删掉它。", "there is no terminal while grading; remove it."),
    "forbidden.advice.names": ("请直接使用这些名字。", "use the names directly."),
    "forbidden.operator": ("{where}运行了 aten 算子 {op}，本练习禁止使用它（不管它叫什么名字）；请用本练习允许的运算自己写出来。",
                           "{where}runs the aten operator {op}, which this exercise forbids under any name; "
                           "write it yourself from the operations the exercise allows."),
    "forbidden.autograd": ("{where}用了自动求导（{op}），本练习禁止使用它；请手动推导并计算梯度。",
                           "{where}uses autograd ({op}), which this exercise forbids; derive and compute the "
                           "gradients by hand."),
    "col.section": ("题型", "Section"),
    "col.topic": ("主题", "Topic"),
    "col.questions": ("题数", "Questions"),
    "col.right": ("答对", "Right"),
    "col.score": ("得分", "Score"),
    "col.accuracy": ("正确率", "Accuracy"),
    "col.mastery": ("掌握度", "Mastery"),
    "col.seen": ("已学", "Seen"),
    "col.due": ("到期", "Due"),
    "col.id": ("题目", "Question"),
    "col.wrong": ("错次", "Wrong"),
    "col.last": ("最近答错", "Last wrong"),
    "col.streak": ("连对", "Streak"),
    # grading: isolation layers (ids in grading/sandbox/layers.py) and `quizkit doctor`
    "layer.process": ("独立进程（fork，独立会话）", "separate process (forked, own session)"),
    "layer.pid_namespace": ("PID 命名空间（评分结束时其启动的一切进程都被终止）",
                            "PID namespace (everything it started dies with the grade)"),
    "layer.subreaper": ("子进程收割（遗留进程回到 zygote 并被终止）",
                        "subreaper (orphaned processes come back to the zygote and are killed)"),
    "layer.network_namespace": ("网络命名空间（无网络，连 127.0.0.1 也不通）",
                                "network namespace (no network, not even 127.0.0.1)"),
    "layer.mount_namespace": ("挂载命名空间（私有根目录：只有系统和 Python 目录及工作目录）",
                              "mount namespace (a private root: system and Python folders, and the work folder)"),
    "layer.workdir_tmpfs": ("私有、限大小的 tmpfs 工作目录", "private size-limited tmpfs working folder"),
    "layer.workdir": ("全新的临时工作目录", "fresh temporary working folder"),
    "layer.landlock": ("Landlock（系统路径只读，只能写工作目录，无 TCP，不能向外发信号）",
                       "landlock (read-only system paths, writes only in the working folder, no TCP, no signals out)"),
    "layer.seccomp": ("seccomp（不能新建套接字或 connect，不能 ptrace，不能挂载或建命名空间）",
                      "seccomp (no new sockets or connect, no ptrace, no mounts or namespaces)"),
    "layer.uid": ("无特权的临时用户", "unprivileged throw-away user"),
    "layer.rlimits": ("资源限制（CPU、内存、进程数、文件大小、打开文件数）",
                      "resource limits (CPU, memory, processes, file size, open files)"),
    "layer.env": ("清理过的环境变量", "scrubbed environment"),
    "layer.operators": ("aten 算子白名单（在分发器上检查）", "aten operator allowlist at the dispatcher"),
    "layer.static_scan": ("静态扫描（导入白名单，禁止反射）", "static scan (imports allowlist, no reflection)"),
    "doctor.title": ("本机可提供的沙箱隔离层", "Sandbox isolation layers this machine gives"),
    "doctor.as_user": ("以 {who} 身份检查，uid {uid}", "checked as {who}, uid {uid}"),
    "doctor.in_force": ("✓ {label}", "✓ {label}"),
    "doctor.missing": ("✗ {label}：{reason}", "✗ {label}: {reason}"),
    "doctor.full": ("完整隔离：可以使用 quizkit grade --require-isolation。",
                    "Full isolation: quizkit grade --require-isolation will grade here."),
    "doctor.partial": ("缺少 {n} 个隔离层：评分仍可进行，报告会列出缺少的层；--require-isolation 会拒绝评分。",
                       ("{n} layer(s) missing: grading still works and its report lists them; "
                        "--require-isolation refuses to grade.")),
    "doctor.refuse": ("拒绝评分：本机缺少隔离层 {layers}（运行 quizkit doctor 查看原因）",
                      "refusing to grade: this machine lacks the isolation layer(s) {layers} (run quizkit doctor to see why)"),
    "reason.not_linux": ("只有 Linux 提供（当前系统：{system}）", "Linux only (this is {system})"),
    "reason.no_userns": ("不能创建无特权用户命名空间（{detail}）；以 root 运行或放开该限制",
                         "unprivileged user namespaces are not allowed ({detail}); run as root or lift the restriction"),
    "reason.apparmor_userns": ("Ubuntu 默认的 kernel.apparmor_restrict_unprivileged_userns=1",
                               "Ubuntu's default kernel.apparmor_restrict_unprivileged_userns=1"),
    "reason.userns_clone": ("kernel.unprivileged_userns_clone=0", "kernel.unprivileged_userns_clone=0"),
    "reason.userns_max": ("user.max_user_namespaces=0", "user.max_user_namespaces=0"),
    "reason.userns_other": ("unshare 失败：{error}", "unshare failed: {error}"),
    "reason.no_landlock": ("内核没有启用 Landlock（需要 Linux 5.13+ 且 lsm= 包含 landlock）",
                           "the kernel has no Landlock (needs Linux 5.13+ with landlock in lsm=)"),
    "reason.no_seccomp_arch": ("没有为本机架构 {machine} 编写 seccomp 过滤器",
                               "no seccomp filter is written for this machine's architecture ({machine})"),
    "reason.no_seccomp": ("内核拒绝了 seccomp 过滤器", "the kernel refused the seccomp filter"),
    "reason.not_root": ("需要以 root 运行评分", "needs the grader to run as root"),
    "reason.switched_off": ("被 QUIZKIT_SANDBOX_DISABLE 关闭", "switched off by QUIZKIT_SANDBOX_DISABLE"),
    "reason.unknown": ("本机未能提供（原因未知）", "this machine did not give it (reason unknown)"),
    # grading: grade-batch (why a submission failed, the feedback handed back, Ctrl-C and --resume)
    "batch.reason.forbidden": ("使用了禁止的 API", "forbidden API"),
    "batch.reason.syntax_error": ("语法错误", "syntax error"),
    "batch.reason.unreadable": ("文件无法读取", "unreadable file"),
    "batch.reason.import_crash": ("导入时出错", "import crash"),
    "batch.reason.timeout": ("超时", "timeout"),
    "batch.reason.output_flood": ("输出过多", "too much output"),
    "batch.reason.crash": ("进程崩溃或退出", "crash"),
    "batch.reason.missing": ("缺少函数", "missing function"),
    "batch.reason.exception": ("运行时抛出异常", "exception"),
    "batch.reason.wrong": ("结果错误", "wrong result"),
    "batch.reason.not_graded": ("未能评分", "not graded"),
    "batch.feedback.student": ("学生：{name}", "Student: {name}"),
    "batch.feedback.reason": ("未通过的主要原因：{reason}", "Main reason: {reason}"),
    "batch.resuming": ("继续评分：{skipped} 名已评，还剩 {todo} 名（其中 {changed} 名重新提交）。",
                       "Resuming: {skipped} already graded, {todo} to go ({changed} resubmitted)."),
    "batch.progress.failed": ("未通过 {n}", "{n} failed"),
    "batch.interrupted": ("已中断：{done}/{total} 名学生的结果已保存在 {path}。继续评分其余学生：",
                          "Interrupted: {done} of {total} students are graded and saved in {path}. To grade the rest, run:"),
    "batch.interrupted.unsaved": ("已中断：已评 {done}/{total} 名学生；没有 --output，无法继续（下次加上 --output results.csv）。",
                                  ("Interrupted after {done} of {total} students; without --output there is nothing to resume "
                                   "from (give --output results.csv next time).")),
    # grading: similarity across the class (quizkit similarity, grade-batch --similarity)
    "similarity.no_submissions": ("{folder}：没有可比较的提交（*.py、*.ipynb 文件，或包含 {id}.py 的子文件夹）",
                                  "{folder}: no submissions to compare (*.py or *.ipynb files, or sub-folders holding {id}.py)"),
    "similarity.too_few": ("{folder}：至少需要 2 份可读的提交才能比较相似度，只有 {n} 份（跳过 {skipped} 份）",
                           "{folder}: similarity needs at least 2 readable submissions; found {n} ({skipped} skipped)"),
    "similarity.not_utf8": ("{file}：不是 UTF-8 文本（第 {byte} 字节）", "{file}: not UTF-8 text (byte {byte})"),
    "similarity.skipped": ("警告：{why}；已跳过，不参与比较", "warning: {why}; skipped, not compared"),
    "similarity.compared": ("已比较 {exercise} 的 {n} 份提交（{pairs} 对）；起始代码 {starter} 中的代码不计入相似度。",
                            "Compared {n} submissions of {exercise} ({pairs} pairs); code from the starter {starter} "
                            "does not count."),
    "similarity.above": ("相似度高于 {threshold} 的有 {n} 对：", "{n} pair(s) above {threshold}:"),
    "similarity.pair": ("  {a} ↔ {b}  {score}（{a} 的 {ab} 出现在 {b} 中，{b} 的 {ba} 出现在 {a} 中；共同 token {tokens} 个）",
                        "  {a} ↔ {b}  {score}  ({ab} of {a} is in {b}, {ba} of {b} is in {a}; {tokens} tokens in common)"),
    "similarity.more": ("  ……另有 {n} 对，见 CSV", "  … and {n} more in the CSV"),
    "similarity.none_above": ("没有一对的相似度高于 {threshold}；最相似的是 {a} ↔ {b}（{score}）。",
                              "No pair is above {threshold}; the most similar is {a} ↔ {b} at {score}."),
    "similarity.written": ("全部配对（按相似度排序）：{csv}\n报告（高亮相同代码）：{html}",
                           "All pairs, most similar first: {csv}\nReport, shared code highlighted: {html}"),
    "batch.stopped": ("已停止：{done}/{total} 名学生的结果已保存在 {path}。继续评分其余学生：",
                      "Stopped: {done} of {total} students are graded and saved in {path}. To grade the rest, run:"),
    # grading: grade-batch on a dask cluster
    "batch.cluster.embedded": ("本机的嵌入式集群", "an embedded cluster on this machine"),
    "batch.cluster.start": ("在 {workers} 个 dask worker 上评分（{address}）", "Grading on {workers} dask worker(s) ({address})"),
    "batch.cluster.dashboard": ("dask 仪表盘：{link}", "dask dashboard: {link}"),
    "batch.cluster.unreachable": ("无法连接 dask scheduler {address}：{error}",
                                  "cannot reach the dask scheduler at {address}: {error}"),
    "batch.cluster.no_workers": ("{seconds} 秒内没有 dask worker 连接到 {address}；请在装有 quizkit 的机器上运行 `dask worker {address}`",
                                 "no dask worker joined {address} within {seconds} s; start some with `dask worker {address}` where quizkit is installed"),
    "batch.cluster.setup_failed": ("dask worker 无法准备练习 {exercise}：{error}",
                                   "a dask worker could not prepare exercise {exercise}: {error}"),
    "batch.cluster.mismatch": ("{host} 上的 quizkit 或练习 {exercise} 与本机不同；请在所有机器上安装相同版本的 quizkit",
                               "the quizkit or the exercise {exercise} on {host} differs from this machine's; install the same quizkit version everywhere"),
    "batch.cluster.killed_worker": ("评这份提交时 dask worker 反复退出（已在其他 worker 上重试），未能评分",
                                    "the dask workers grading this submission kept dying (it was retried on others); not graded"),
    "batch.cluster.task_failed": ("评 {student} 时集群出错：{error}", "the cluster failed while grading {student}: {error}"),
    # stats
    "stats.title": ("学习进度", "Progress"),
    "stats.totals": ("共作答 {attempts} 次 · 正确率 {accuracy} · 已学 {seen}/{total} 题 · 学习 {days} 天 · 累计 {time}",
                     "{attempts} answers · accuracy {accuracy} · {seen}/{total} questions seen · {days} study day(s) · {time} in total"),
    "stats.streak": ("连续学习 {streak} 天（最长 {best} 天）", "Study streak: {streak} day(s) (best {best})"),
    "stats.due_now": ("现在到期 {n} 题：quizkit review", "{n} due now: quizkit review"),
    "stats.mistakes": ("错题本 {n} 题：quizkit mistakes --redo", "{n} in the mistakes list: quizkit mistakes --redo"),
    "stats.forecast": ("未来 7 天到期", "Due in the next 7 days"),
    "stats.today": ("今天", "today"),
    "stats.weekdays": ("周一 周二 周三 周四 周五 周六 周日", "Mon Tue Wed Thu Fri Sat Sun"),
    "stats.weakest": ("最薄弱的主题", "Weakest topics"),
    "stats.not_started": ("未开始", "not started"),
    "stats.exported": ("已导出 {n} 条作答记录到 {path}（只含题号、答案、得分、用时和你填写的名字）。",
                       "Exported {n} answer(s) to {path} (question, answer, score, time, and the name you gave)."),
    "stats.none": ("还没有学习记录。从这里开始：quizkit quiz", "No study history yet. Start with: quizkit quiz"),
    "mistakes.title": ("错题本（最近、最常错的在前）", "Mistakes (most recent and most often first)"),
    "mistakes.redo": ("重做：quizkit mistakes --redo", "Redo them: quizkit mistakes --redo"),
    "mistakes.missing": ("（不在当前题库中）", "(not in the loaded banks)"),
    "true": ("对 (T)", "True (T)"),
    "false": ("错 (F)", "False (F)"),
    # quiz-side usage and store errors
    "usage.difficulty": ("--difficulty {spec!r}：请写一个等级如 2、一个范围如 1-3，或一个列表如 1,3（等级为 1、2、3）",
                         "--difficulty {spec!r}: use a level like 2, a range like 1-3, or a list like 1,3 "
                         "(levels are 1, 2, 3)"),
    "usage.type": ("--type {value!r}：请从 {types} 中选择", "--type {value!r}: choose from {types}"),
    "usage.layout": ("--layout {spec!r}：请写成 题型=题数[:每题分值] 的列表，如 {default}（{why}）",
                     "--layout {spec!r}: write TYPE=COUNT[:POINTS] pairs, e.g. {default} ({why})"),
    "usage.layout.type": ("未知题型 {name!r}；请从 {types} 中选择", "unknown question type {name!r}; choose from {types}"),
    "usage.layout.syntax": ("{part!r} 不是这种写法", "{part!r} is not one"),
    "usage.layout.range": ("{part!r}：题数须为 0 或以上，分值须大于 0", "{part!r}: a count of 0 or more, points above 0"),
    "usage.layout.empty": ("这里每一部分都是 0 题", "every section here has 0 questions"),
    "usage.finite": ("{option} 的值无效：{value} 不是有限的数。", "Invalid value for '{option}': {value} is not a finite number."),
    "usage.now": ("QUIZKIT_NOW={value!r} 不是 ISO 格式的日期时间，应写成 2025-06-01T09:00",
                  "QUIZKIT_NOW={value!r} is not an ISO date-time like 2025-06-01T09:00"),
    "usage.no_bank": ("{path}：没有这个文件或文件夹", "{path}: no such file or folder"),
    "store.unreadable": ("{path}：无法读取学习进度数据库（{error}）。文件未被改动；把它移走即可重新开始，或设置 QUIZKIT_HOME 使用另一个文件夹。",
                         "{path}: the progress database is unreadable ({error}). It was left untouched; move it "
                         "aside to start afresh, or set QUIZKIT_HOME to use another folder."),
    "store.foreign": ("{path}：这个 SQLite 文件不是 quizkit 写的；文件未被改动。请把它移走，或设置 QUIZKIT_HOME 使用另一个文件夹。",
                      "{path}: this SQLite file was not written by quizkit; it was left untouched. Move it aside "
                      "or set QUIZKIT_HOME to another folder."),
    "store.newer": ("{path}：学习进度数据库的结构版本是 {version}，而这个 quizkit 最多只认识 {supported}。请升级 quizkit；文件未被改动。",
                    "{path}: the progress database has schema version {version}, but this quizkit understands up "
                    "to {supported}. Upgrade quizkit; the file was left untouched."),
    "store.busy": ("{path}：学习进度数据库正忙（另一个 quizkit 正在写入）；请稍后再试。",
                   "{path}: the progress database is busy (another quizkit is writing); try again."),
    "store.no_folder": ("{path}：无法创建 quizkit 数据文件夹（{error}）。", "{path}: cannot create the quizkit data folder ({error})."),
    "store.is_dir": ("{path}：这是一个文件夹，不是 quizkit 的学习进度数据库。", "{path}: is a folder, not the quizkit progress database."),
    "store.cannot_open": ("{path}：无法打开学习进度数据库（{error}）。", "{path}: cannot open the progress database ({error})."),
    "store.export_failed": ("{problem}：无法写入导出文件。", "{problem}: cannot write the export."),
    "show.tags": ("标签", "tags"),
    "show.source": ("出处", "source"),
    "show.group": ("题组", "group"),
    "show.params": ("参数", "params"),
}

# The grading and expression strings live in their own modules so that no one file grows past its size limit;
# they are part of the same catalogue, looked up with the same `t`.
from quizkit.render.i18n_cli import CLI  # noqa: E402
from quizkit.render.i18n_expr import EXPR  # noqa: E402
from quizkit.render.i18n_grading import GRADING  # noqa: E402
from quizkit.render.i18n_student import STUDENT  # noqa: E402

for _part in (GRADING, EXPR, STUDENT, CLI):
    _clash = STRINGS.keys() & _part.keys()
    if _clash:
        raise RuntimeError(f"string catalogue: keys defined twice: {sorted(_clash)}")
    STRINGS.update(_part)

_lang = "en"


def detect_lang(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_lang(lang: str | None) -> str:
    global _lang
    _lang = lang if lang in ("zh", "en") else detect_lang()
    return _lang


def get_lang() -> str:
    return _lang


def t(key: str, **args: object) -> str:
    zh, en = STRINGS[key]
    text = zh if _lang == "zh" else en
    return FORMATTER.format(text, **args) if args else text
