"""The grading side of the string catalogue (merged into render/i18n.py STRINGS; looked up with `t`).

Test messages (grading/testing.py), grade reports, `watch`, `exercise ...` and grade-batch summaries.
"""

from __future__ import annotations

GRADING: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    # test messages: "Called <call>. Expected <what>, got <what came back>. <usual cause>"
    "test.called": ("调用 {call}。", "Called {call}."),
    "test.expected_got": ("期望 {expected}，实际得到 {got}。", "Expected {expected}, got {got}."),
    "test.tensor": ("形状为 {shape}、dtype 为 {dtype} 的张量", "a tensor of shape {shape} and dtype {dtype}"),
    "test.subclass": ("{name}（张量的子类，不是普通张量）", "a {name} (a tensor subclass)"),
    "test.value": ("{type} {text}", "{type} {text}"),
    "test.shape": ("期望形状 {want}，实际形状 {got}。", "Expected shape {want}, got shape {got}."),
    "test.dtype": ("期望 dtype {want}，实际 dtype {got}。", "Expected dtype {want}, got {got}."),
    "test.dtype_hint": ("保持输入的 dtype：常量也用同样的 dtype 构造（例如 torch.ones_like(x)）。",
                        "Keep the input's dtype: build constants with the same dtype (e.g. torch.ones_like(x))."),
    "test.at_index": ("下标 {index} 处期望 {want}，实际得到 {got}。", "Expected {want} at index {index}, got {got}."),
    "test.tolerance": ("期望与参考答案的误差在 rtol={rtol}、atol={atol} 以内；最大误差为 {err}，位于下标 {index}"
                       "（实际 {got}，期望 {want}）。",
                       "Expected values within rtol={rtol}, atol={atol} of the reference; the largest error is "
                       "{err} at index {index} (got {got}, expected {want})."),
    "test.changed": ("它原地修改了 {where}。", "It changed {where} in place."),
    "test.its_input": ("它的输入", "its input"),
    "test.argument": ("第 {n} 个参数", "argument {n}"),
    "test.keyword": ("参数 {name}", "argument {name}"),
    "test.input_changed_hint": ("函数必须保持输入不变：把结果算进新张量（y = x * 2），"
                                "不要原地修改（x.mul_(2)、x[...] = ...、x += ...）。",
                                "A function must leave its inputs as they were: compute into a new tensor (y = x * 2), "
                                "not in place (x.mul_(2), x[...] = ..., x += ...)."),
    "test.in_place_hint": ("step() 必须原地更新 `params` 中的张量（p.sub_(...)，或在 torch.no_grad() 下 p -= ...）；"
                           "给局部变量或列表元素重新赋值不会改变调用者的张量。",
                           "step() must update the tensors in `params` in place (p.sub_(...), or p -= ... under "
                           "torch.no_grad()); rebinding a local name or a list element leaves the caller's tensors "
                           "unchanged."),
    "test.precision_hint": ("误差很小（float32 量级）：是不是某个状态（{state}）或常量用 float32 构造了，"
                            "例如 torch.zeros(p.shape)？改用 torch.zeros_like(p)，它会保持 float64。",
                            "The error is tiny (float32-sized): is some state ({state}) or constant built in "
                            "float32, e.g. torch.zeros(p.shape)? Use torch.zeros_like(p) so it keeps float64."),
    "test.optimizer_state": ("优化器状态", "optimizer state"),
    "test.trajectory_got": ("长度为 {n} 的 {type}", "{type} of length {n}"),
    "test.trajectory_want": ("{n} 步的参数轨迹", "a trajectory of {n} steps"),
    "test.trajectory_probe": ("评分探针没能记录参数轨迹。", "The grading probe could not record the trajectory."),
    "test.step_tensors": ("第 {k} 步之后的 {n} 个参数张量", "{n} parameter tensors after step {k}"),
    "test.step_param": ("{call}；第 {k} 步之后的 params[{i}]", "{call}; params[{i}] after step {k}"),
    "test.unchanged_values": ("初始值，没有变化", "the initial values, unchanged"),
    "test.updated_values": ("更新后的值，例如 {values}", "updated values such as {values}"),
    # what happened in the sandbox (grading/harness/session.py, proxy.py)
    "harness.budget": ("提交的代码用完了总时间预算 {seconds} 秒；后面的测试没有运行",
                       "the submission used up its total time budget of {seconds} s; later tests were not run"),
    "harness.timeout": ("{what} 没有在 {seconds} 秒内结束（死循环，或者太慢）",
                        "{what} did not finish within {seconds} s (an endless loop, or far too slow)"),
    "harness.flooded": ("{what} 打印了超过 {kb} KB 的输出；请删掉调试用的 print",
                        "{what} printed more than {kb} KB of output; remove the debugging prints"),
    "harness.crashed": ("沙箱进程在 {what} 时 {detail}", "the sandboxed process {detail} while {what}"),
    "harness.exit": ("你的代码调用了 sys.exit({code})", "your code called sys.exit({code})"),
    "harness.exit_import": ("{file} 在导入时{exit}；提交的代码不能退出",
                            "{file} {exit} while being imported; a submission must not exit"),
    "harness.exit_call": ("{what}：{exit}；提交的代码不能退出", "{what}: {exit}; a submission must not exit"),
    "harness.importing": ("导入 {file}", "importing {file}"),
    "harness.import_failed": ("导入 {file} 失败：{error}", "Importing {file} failed: {error}"),
    "harness.raised": ("调用 {what}；它抛出了 {error}", "Called {what}; it raised {error}"),
    "harness.probe": ("评分探针 {name}（在你的代码上运行）", "the grading probe {name} on your code"),
    "harness.inputs_lost": ("调用 {what}。调用之后无法读回它的参数；不要把别的对象放进传给你的参数里。",
                            "Called {what}. Its arguments could not be read back after the call; do not put other "
                            "objects into the arguments you were given."),
    "harness.grader_failed": ("评分程序无法运行这个测试：{error}", "The grader could not run this test: {error}"),
    "harness.check_failed": ("检查未通过。", "The check failed."),
    "harness.while_checking": ("检查你的结果时出现 {type}：{error}", "{type} while checking your result: {error}"),
    # a submission that cannot be graded at all (grading/runner.py)
    "runner.unreadable": ("{file}：无法读取（{error}）；检查文件权限", "{file}: cannot be read ({error}); check the file's permissions"),
    "runner.too_large": ("{file}：文件超过了提交大小上限 {limit} 字节；只提交你的源代码",
                         "{file}: the file is larger than the {limit} byte limit for a submission; submit only your "
                         "source code"),
    "runner.not_utf8": ("{file}：不是 UTF-8 文本（第 {byte} 字节）；请把文件存为 UTF-8",
                        "{file}: not UTF-8 text (byte {byte}); save the file as UTF-8"),
    "runner.unparsable": ("{file}：无法解析该文件（{type}）", "{file}: the file could not be parsed ({type})"),
    "runner.more": ("……还有 {n} 处", "... and {n} more"),
    # grade report (grading/report.py)
    "report.exercise": ("练习", "Exercise"),
    "report.file": ("文件", "File"),
    "report.passed": ("通过", "passed"),
    "report.failed": ("未通过", "failed"),
    "report.error": ("出错", "error"),
    "report.timeout": ("超时", "timed out"),
    "report.forbidden": ("使用了禁止的 API", "forbidden API"),
    "report.not_run": ("未运行", "not run"),
    "report.junit_not_run": ("未运行：提交的文件无法加载", "not run: the submission could not be loaded"),
    "report.hidden": ("隐藏测试", "hidden test"),
    "report.hidden_msg": ("（隐藏测试不显示细节）", "(details of hidden tests are not shown)"),
    "report.total": ("总分", "Total"),
    "report.all_passed": ("全部通过", "all tests passed"),
    "report.not_passed": ("未全部通过", "not all tests passed"),
    "report.printed": ("你的代码打印了（前几行，仅供调试）：", "Your code printed (first lines, shown for debugging only):"),
    "report.isolation": ("生效的隔离层", "Isolation in force"),
    "report.none": ("无", "none"),
    "report.missing": ("本机缺少的隔离层（见 quizkit doctor）", "Isolation missing on this machine (see quizkit doctor)"),
    "report.gradescope": ("{exercise}：{score}/{max_score}。隔离层：{layers}。",
                          "{exercise}: {score}/{max_score}. Isolation: {layers}."),
    # quizkit watch
    "watch.start": ("正在监视 {file}（练习 {exercise}，{mode}）；按 Ctrl-C 停止。",
                    "Watching {file} for {exercise} ({mode}); Ctrl-C to stop."),
    "watch.stopped": ("已停止。", "Stopped."),
    "watch.all_passed": ("全部 {n} 个测试通过。参考答案：`quizkit exercise solution {exercise}`。",
                         "all {n} tests passed. See `quizkit exercise solution {exercise}`."),
    "watch.not_graded": ("未能评分", "not graded"),
    "watch.first_failing": ("第一个未通过的测试：{name} [{status}] {message}",
                            "first failing: {name} [{status}] {message}"),
    "watch.hidden": ("（隐藏测试，不显示其信息）", "(a hidden test; its message is not shown)"),
    # quizkit exercise ...
    "exercise.col.id": ("编号", "id"),
    "exercise.col.title": ("标题", "title"),
    "exercise.col.topic": ("主题", "topic"),
    "exercise.col.points": ("分值", "points"),
    "exercise.col.status": ("状态", "status"),
    "exercise.status.not started": ("未开始", "not started"),
    "exercise.status.attempted": ("已尝试", "attempted"),
    "exercise.status.passed": ("已通过", "passed"),
    "exercise.hint": ("提示 {n}/{total}：{text}", "Hint {n}/{total}: {text}"),
    "exercise.no_hints": ("{exercise} 没有提示", "{exercise} has no hints"),
    "exercise.exists": ("{target}：文件已存在；继续在其中完成，或用 --force 重新开始",
                        "{target}: already exists; keep working on it, or use --force to start over"),
    "exercise.wrote": ("已写入 {target}。", "Wrote {target}."),
    "exercise.next": ("下一步：阅读 `quizkit exercise show {exercise}`，编辑 {target}，然后运行：",
                      "Next: read `quizkit exercise show {exercise}`, edit {target}, then run:"),
    "exercise.watch_comment": ("# 每次保存都重新评分", "# re-grades on every save"),
    "exercise.locked": ("{exercise}：通过后才能查看参考答案（状态：{status}）；"
                        "试试 `quizkit exercise hint {exercise}`，或使用 --force",
                        "{exercise}: the solution opens once you pass (status: {status}); "
                        "try `quizkit exercise hint {exercise}`, or use --force"),
    "exercise.spoil": ("在解出之前看参考答案会让练习失去意义。仍然显示？",
                       "Seeing the solution before solving it spoils the exercise. Show it anyway?"),
    "exercise.not_shown": ("未显示", "not shown"),
    # quizkit grade-batch
    "batch.progress": ("正在评分 {exercise}", "grading {exercise}"),
    "batch.summary": ("已评 {n} 名学生，{passed} 名通过，平均分 {mean}/{points}",
                      "{n} students graded, {passed} passed, mean score {mean}/{points}"),
    "batch.results_in": ("；结果见 {path}", "; results in {path}"),
    "batch.passed": ("通过", "passed"),
    "batch.failed": ("未通过", "failed"),
}
