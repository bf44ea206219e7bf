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
    "expected.why.value": ("结果 {key} 无法解码", "the answer {key} cannot be decoded"),
    "report.practice": (
        "练习版：只运行公开测试，这个分数不是你的成绩（计分由教师用隐藏测试评定）。",
        "Practice build: visible tests only; this score is not your grade (grading for credit, with hidden "
        "tests, is done by your instructor)."),
    "exercise.no_solution": (
        "{exercise}：学生版不含参考答案。", "{exercise}: the student build has no reference solutions."),
}
