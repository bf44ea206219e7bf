"""The student build's part of the string catalogue (merged into render/i18n.py STRINGS; looked up with `t`):
recorded answers replayed by expected(), and the practice note of a report."""

from __future__ import annotations

STUDENT: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "expected.not_recorded": (
        "这项检查需要教师版构建（含参考实现）：练习版没有记录它的预期结果。",
        "This check needs the instructor's build (with the reference): the practice build has no recorded "
        "answer for it."),
    "expected.no_recording": (
        "这项检查需要教师版构建：练习版缺少记录的预期结果 {file}。请重新获取学生版。",
        "This check needs the instructor's build: the practice build's recorded answers {file} are missing. "
        "Get the student build again."),
    "expected.bad_recording": (
        "记录的预期结果 {file} 已损坏（{why}）：请重新获取学生版；这项检查需要教师版构建。",
        "The recorded answers {file} are damaged ({why}): get the student build again; this check needs the "
        "instructor's build."),
    "expected.why.missing": ("文件不存在", "there is no such file"),
    "expected.why.json": ("不是可读的 JSON：{error}", "not readable JSON: {error}"),
    "expected.why.format": ("不是这一格式的 quizkit 记录", "not a quizkit recording of this format"),
    "expected.why.other": ("它的 {field} 不是 {value}", "its {field} is not {value}"),
    "expected.why.checksum": ("校验和与内容不符", "its checksum does not match its content"),
    "expected.why.value": ("结果 {answer} 无法解码", "the answer {answer} cannot be decoded"),
    "student.not_checkout": ("{root}：不是 quizkit 源码目录（缺少 {missing}）；学生版要带上 quizkit 的源码",
                             "{root}: not a quizkit checkout ({missing} missing); the student build carries "
                             "quizkit's source"),
    "student.no_exercises": ("没有可导出的练习", "no exercises to export"),
    "student.not_folder": ("{output}：不是文件夹", "{output}: not a folder"),
    "student.not_empty": ("{output}：文件夹不为空，也不是学生版；请换一个新文件夹",
                          "{output}: the folder is not empty and is not a student build; choose a new folder"),
    "student.uses_reference": ("{where}：用到了 reference fixture，而学生版没有参考实现；请用 expected() 取参考结果"
                               "（见 README「Writing exercises」）",
                               "{where}: asks for the reference fixture, and a student build has no reference; get "
                               "the reference's answers with expected() (see README, Writing exercises)"),
    "student.hidden_left": ("{file}：构建无法移除这些隐藏测试：{tests}（请在测试函数上标 @hidden）",
                            "{file}: hidden tests the build could not remove: {tests} (mark them with @hidden on "
                            "the test function)"),
    "student.reference_fails": ("{file}：参考实现在公开测试上只得 {score}/{total}，无法记录预期结果：{failed}",
                                "{file}: the reference scores {score}/{total} on the visible tests, so nothing can "
                                "be recorded: {failed}"),
    "student.no_parse": ("{where}：测试文件无法解析：{error}", "{where}: the test file does not parse: {error}"),
    "report.practice": (
        "练习版：只运行公开测试，这个分数不是你的成绩（计分由教师用隐藏测试评定）。",
        "Practice build: visible tests only; this score is not your grade (grading for credit, with hidden "
        "tests, is done by your instructor)."),
    "exercise.no_solution": (
        "{exercise}：学生版不含参考答案。", "{exercise}: the student build has no reference solutions."),
}
