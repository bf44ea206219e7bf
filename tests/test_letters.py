from quizkit.bank.letters import relabel

SWAP = {"A": "C", "B": "A", "C": "D", "D": "B"}


def test_stand_alone_letters_follow_the_shuffle():
    assert relabel("A、C 是；D 错：因为…", SWAP) == "C、D 是；B 错：因为…"
    assert relabel("选项C和(D)都对", SWAP) == "选项D和(B)都对"


def test_lists_and_ranges_become_sorted_lists():
    assert relabel("A、B 是", SWAP) == "A、C 是"
    assert relabel("A–C 都正确", SWAP) == "A、C、D 都正确"
    assert relabel("B 和 D 错", SWAP) == "A、B 错"


def test_words_math_and_code_are_left_alone():
    text = "ReLU 与 Adam 不同；$A x = b$ 中的 A 不是选项，`nn.Linear(A)` 也不是"
    assert relabel(text, SWAP) == "ReLU 与 Adam 不同；$A x = b$ 中的 C 不是选项，`nn.Linear(A)` 也不是"
    assert relabel("σ'(x) 与 f' 和 L2、W^T", SWAP) == "σ'(x) 与 f' 和 L2、W^T"


def test_identity_mapping_changes_nothing():
    assert relabel("A 错", {"A": "A", "B": "B"}) == "A 错"
    assert relabel("A 错", {}) == "A 错"
