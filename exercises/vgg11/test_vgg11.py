"""Grading tests for the `vgg11` exercise: VGG configuration A, checked by parameter counts, output shapes, the
sequence of layers, and eval-mode outputs when the student's model and the reference hold the same parameters.

Counts come from models built on the meta device. Everything else comes from two seeded runs (probes.model_run),
one per configuration, each done once per submission in the child and once per reference (through expected(),
cached) in this process: no parameter crosses the boundary, and no model is built twice on either side."""
import importlib.util
from pathlib import Path

import torch

from quizkit.grading.testing import assert_close, check, expected, hidden, points, say, tr

# The probes run inside the sandboxed child on the student's module; expected() runs the same code on the reference.
_spec = importlib.util.spec_from_file_location("vgg11_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)

# The two configurations the value tests run: (num_classes, batch_norm, seed, [[size, batch], ...], dropout size).
# A: the default layout on one 224x224 image (7x7 before the pool), and dropout on two copies of a 32x32 one.
# B: batch norm and 10 classes on 64x64 images (2x2 before the pool, so average and max pooling differ) and on
#    32x32 ones (1x1 before the pool).
RUN_A = (1000, False, 11, [[224, 1]], 32)
RUN_B = (10, True, 23, [[64, 2], [32, 2]], 0)


def _run(submission, run):
    """(the student's answer, the reference's) for one configuration."""
    return submission.probe("model_run", *run), expected(probes.model_run, *run)


def _model(run):
    return f"VGG11(num_classes={run[0]}, batch_norm={run[1]})"


COUNT_HINTS = {  # what the usual wrong parameter counts mean
    "classifier": tr("检查分类器：Linear(512*7*7, 4096)、Linear(4096, 4096)、Linear(4096, num_classes)。", "Check the classifier: Linear(512*7*7, 4096), Linear(4096, 4096), Linear(4096, num_classes)."),
    "layout": tr("检查配置 A 的结构：64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M"
                 "（8 个卷积层；VGG13 有 10 个，VGG16 有 13 个）。",
                 "Check the layout of configuration A: 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M "
                 "(8 convolutions; VGG13 has 10, VGG16 has 13)."),
    "bn": tr("batch_norm=True 时每个卷积层后接 BatchNorm2d(channels)（每个通道 2 个参数），卷积层保留自己的 bias。",
             "With batch_norm=True each conv is followed by BatchNorm2d(channels) (2 parameters per channel) and "
             "keeps its own bias."),
}


def _classes_hint(outputs, num_classes):
    return say({"en": f"The last Linear layer has {outputs:,} outputs, not num_classes={num_classes}: it must be "
                      "nn.Linear(4096, num_classes). A hard-coded nn.Linear(4096, 1000) ignores num_classes.",
                "zh": f"最后一个 Linear 层有 {outputs:,} 个输出，而不是 num_classes={num_classes}：它必须是 "
                      "nn.Linear(4096, num_classes)。写死的 nn.Linear(4096, 1000) 忽略了 num_classes。"})


def _count_hint(got, want, batch_norm, num_classes):
    if not isinstance(got, int):
        return ""
    diff = got - want
    if diff % 4097 == 0 and diff // 4097 + num_classes > 0:  # each extra output of the last Linear: 4096 + 1
        return _classes_hint(num_classes + diff // 4097, num_classes)
    if batch_norm and diff == -2752:
        return tr("卷积层丢了 bias；约定即使有 BatchNorm 也保留 bias=True（默认值）。", "The convolutions lost their bias; the contract keeps bias=True (the default) with BatchNorm too.")
    if batch_norm and abs(diff) == 5504:
        return COUNT_HINTS["bn"]
    if diff % 4096 == 0 or abs(diff) > 10_000_000:
        return COUNT_HINTS["classifier"]
    return COUNT_HINTS["layout"]


def _expect_count(submission, num_classes, batch_norm, want):
    got = submission.probe("parameter_count", num_classes, batch_norm)
    check(got == want, call=f"sum(p.numel() for p in VGG11(num_classes={num_classes}, "
                            f"batch_norm={batch_norm}).parameters())",
          got=f"{got:,}" if isinstance(got, int) else repr(got), expected=f"{want:,}",
          hint=_count_hint(got, want, batch_norm, num_classes))


@points(1)
def test_parameter_count(submission):
    _expect_count(submission, 1000, False, 132_863_336)


@points(1)
def test_parameter_count_with_batch_norm(submission):
    _expect_count(submission, 1000, True, 132_868_840)


@points(1)
def test_parameter_count_with_10_classes(submission):
    _expect_count(submission, 10, False, 128_807_306)


def _pass_call(run, i):
    size, batch = run[3][i]
    return f"{_model(run)}.eval()(torch.randn({batch}, 3, {size}, {size}))"


def _expect_shape(submission, run, i, hint):
    """Pass i of the run gives a (batch, num_classes) tensor of finite values."""
    num_classes, batch = run[0], run[3][i][1]
    got = submission.probe("model_run", *run)
    call = _pass_call(run, i)
    want = tr(f"形状为 ({batch}, {num_classes}) 的张量", f"a tensor of shape ({batch}, {num_classes})")
    error = got["errors"][i]
    check(error is None, call=call, got=tr(f"一个错误：{error}", f"an error: {error}"), expected=want,
          hint=hint)  # the forward pass raised: say why it usually does
    out = got["outputs"][i]
    if isinstance(out, torch.Tensor) and out.dim() == 2 and out.shape[0] == batch and out.shape[1] != num_classes:
        hint = _classes_hint(out.shape[1], num_classes)
    check(isinstance(out, torch.Tensor) and tuple(out.shape) == (batch, num_classes), call=call,
          got=tr(f"形状 {tuple(out.shape)}", f"shape {tuple(out.shape)}") if isinstance(out, torch.Tensor)
          else repr(out)[:200], expected=want, hint=hint)
    check(bool(torch.isfinite(out).all()), call=call + tr("（参数为带种子的随机值）", " (seeded random parameters)"),
          got=tr("NaN 或 inf 值", "NaN or inf values"), expected=tr("有限值", "finite values"))


@points(1)
def test_output_shape_224(submission):
    _expect_shape(submission, RUN_A, 0,
                  hint=tr("进入分类器之前把 (N, 512, 7, 7) 的特征展平为 (N, 25088)：torch.flatten(x, 1)。", "Flatten the (N, 512, 7, 7) features to (N, 25088) before the classifier: torch.flatten(x, 1)."))


@points(1)
def test_output_shape_32_with_10_classes(submission):
    _expect_shape(submission, RUN_B, 1,
                  hint=tr("32x32 的输入经过五次池化后只剩 1x1；分类器前的 nn.AdaptiveAvgPool2d((7, 7)) 把它变回 7x7，"
                          "所以任何输入尺寸都得到 25088 个输入。",
                          "A 32x32 input leaves a 1x1 map after five pools; nn.AdaptiveAvgPool2d((7, 7)) before the "
                          "classifier makes it 7x7 again, so 25088 inputs fit for any input size."))


def _layer_text(entry):
    kind, shapes = entry
    return tr(f"{kind}，参数形状 {shapes}", f"{kind} with parameter shapes {shapes}")


def _layer_hint(g, w, last):
    """The usual cause of a layer that differs from the reference's (g: the student's, w: the reference's)."""
    if g is not None and last and g[0] == w[0] == "Linear" and g[1][0][1:] == w[1][0][1:] and g[1][0][0] != w[1][0][0]:
        return _classes_hint(g[1][0][0], w[1][0][0])
    if g is not None and w[0] == "BatchNorm2d" and g[0] != "BatchNorm2d":
        return tr("batch_norm=True 时每个卷积层后都要接 BatchNorm2d(out_channels)。", "With batch_norm=True every conv is followed by BatchNorm2d(out_channels).")
    if g is not None and w[0] == "Conv2d" and g[0] == "Conv2d" and g[1][0] != w[1][0]:
        return tr("检查配置 A 的通道数和 3x3 的卷积核大小。", "Check the channel widths of configuration A and the kernel size 3x3.")
    if g is not None and len(g[1]) != len(w[1]):
        return tr("保留 bias（bias=True 是默认值）。", "Keep the biases (bias=True is the default).")
    return tr("与配置 A 对照：64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M，然后是分类器 "
              "25088 -> 4096 -> 4096 -> num_classes。",
              "Compare with configuration A: 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M, then "
              "the classifier 25088 -> 4096 -> 4096 -> num_classes.")


def _expect_layers(submission, run):
    mine, ref = _run(submission, run)
    got, want = mine["layers"], ref["layers"]
    call = tr(f"按前向顺序列出 {_model(run)} 中带参数的层", f"the layers with parameters of {_model(run)}, in forward order")
    check(isinstance(got, list), call=call, got=repr(got)[:200], expected=tr("层的列表", "a list of layers"))
    for i, w in enumerate(want):
        g = got[i] if i < len(got) else None
        if g != w:
            check(False, call=call, got=tr(f"第 {i} 层：", f"layer {i}: ") + (
                      _layer_text(g) if g is not None else tr("没有（层数太少）", "nothing (too few)")),
                  expected=tr(f"第 {i} 层：", f"layer {i}: ") + _layer_text(w),
                  hint=_layer_hint(g, w, i == len(want) - 1))
    check(len(got) == len(want), call=call, got=tr(f"{len(got)} 个带参数的层", f"{len(got)} layers with parameters"),
          expected=tr(f"{len(want)} 个，最后一个是", f"{len(want)}: the last one is ") + _layer_text(want[-1]),
          hint=tr("去掉多余的层：配置 A 有 8 个卷积层和 3 个全连接层。",
                  "Remove extra layers: configuration A has 8 convolutions and 3 linear layers."))


@points(1)
def test_layer_sequence(submission):
    _expect_layers(submission, RUN_A)


@points(1)
def test_layer_sequence_with_batch_norm(submission):
    _expect_layers(submission, RUN_B)


SEQUENCE_HINT = tr("层序列的测试会指出哪些层不同。", "The layer-sequence test shows where the layers differ.")


def _same_layout(mine, layout, call):
    """The student's layers must be the reference's, in forward order, before outputs can be compared."""
    for i, (m, w) in enumerate(zip(mine, layout)):
        check(m == w, call=call, got=tr(f"按前向顺序第 {i} 层是 {m[0]}，参数形状 {m[1]}",
                                        f"layer {i} in forward order is {m[0]} with parameter shapes {m[1]}"),
              expected=tr(f"与参考实现一样的 {w[0]}、参数形状 {w[1]}，参数才能一一对应",
                          f"{w[0]} with {w[1]}, as in the reference, so that the parameters line up"),
              hint=SEQUENCE_HINT)
    check(len(mine) == len(layout), call=call, got=tr(f"{len(mine)} 个带参数的层", f"{len(mine)} layers with parameters"),
          expected=tr(f"与参考实现一样的 {len(layout)} 个", f"{len(layout)}, as in the reference"), hint=SEQUENCE_HINT)


def _expect_same_output(submission, run, hint):
    mine, ref = _run(submission, run)
    model = _model(run)
    for i, (size, batch) in enumerate(run[3]):
        call = tr(f"{model} 装入与参考实现相同的带种子随机参数（每层的种子由层的类型、参数形状和它在同类层中的序号决定），"
                  f".eval()，输入 torch.randn({batch}, 3, {size}, {size})",
                  f"{model} holding the same seeded parameters as the reference (each layer seeded by its type, "
                  f"parameter shapes and rank among such layers), .eval(), on torch.randn({batch}, 3, {size}, {size})")
        _same_layout(mine["layers"], ref["layers"], call)
        error = mine["errors"][i]
        check(error is None, call=call, got=tr(f"一个错误：{error}", f"an error: {error}"),
              expected=tr("与参考实现相同的输出", "the reference's output"), hint=hint)
        want = ref["outputs"][i]
        # float32 on both sides; the scale of the output is ~10, and only summation order can differ.
        scale = float(want.abs().max())
        assert_close(mine["outputs"][i], want, rtol=1e-4, atol=1e-4 * scale, call=call, hint=hint)


@points(3)
def test_same_output_as_reference(submission):
    _expect_same_output(submission, RUN_A,
                        hint=tr("参数相同但输出不同：每个卷积层和前两个全连接层后面都有 ReLU 吗？最大池化是 2x2、"
                                "步长 2，卷积的 padding 是 1，eval 模式下 dropout 关掉了吗？",
                                "Same parameters but a different output: is every conv and the first two linear "
                                "layers followed by a ReLU? Max pools 2x2 with stride 2, padding 1 on the convs, "
                                "and is dropout off in eval mode?"))


@points(2)
def test_same_output_as_reference_with_batch_norm(submission):
    _expect_same_output(submission, RUN_B,
                        hint=tr("参数相同但输出不同：顺序是 Conv2d -> BatchNorm2d -> ReLU（BatchNorm 在 ReLU 之前），"
                                "分类器前是 AdaptiveAvgPool2d((7, 7))（平均池化，不是最大池化）。",
                                "Same parameters but a different output: the order is Conv2d -> BatchNorm2d -> ReLU "
                                "(BatchNorm before the ReLU), and AdaptiveAvgPool2d((7, 7)) (average, not max) "
                                "before the classifier."))


@points(1)
def test_dropout_in_training_mode_only(submission):
    size = RUN_A[4]
    got = submission.probe("model_run", *RUN_A)
    call = tr(f"{_model(RUN_A)} 装入带种子的随机参数，对同一张图片的两份拷贝（torch.randn(1, 3, {size}, {size}) 重复成一批 2 张）："
              "先在 train() 模式下，再在 eval() 模式下",
              f"{_model(RUN_A)} with seeded parameters, on a batch of two copies of one torch.randn(1, 3, {size}, "
              f"{size}) image: first in train() mode, then in eval() mode")
    error = got.get("dropout_error")
    check(error is None, call=call, got=tr(f"一个错误：{error}", f"an error: {error}"),
          expected=tr("两个形状为 (2, 1000) 的输出", "two outputs of shape (2, 1000)"))
    train, evaluated = got["train"], got["eval"]
    check(all(isinstance(t, torch.Tensor) and t.dim() == 2 and t.shape[0] == 2 for t in (train, evaluated)),
          call=call, got=repr([train, evaluated])[:200], expected=tr("两个各有 2 行的输出张量", "two output tensors of 2 rows each"))
    scale = max(float(evaluated.abs().max()), 1e-6)
    check(not torch.allclose(train[0], train[1], rtol=1e-3, atol=1e-3 * scale), call=call,
          got=tr("train 模式下两份拷贝的输出相同", "the same output for both copies in train mode"),
          expected=tr("train 模式下两份拷贝的输出不同（dropout 对每个样本随机丢弃单元）",
                      "different outputs for the two copies in train mode (dropout drops random units per sample)"),
          hint=tr("分类器的前两个 Linear+ReLU 之后各需要一个 Dropout。",
                  "The classifier needs Dropout after each of the first two Linear+ReLU layers."))
    check(torch.allclose(evaluated[0], evaluated[1], rtol=1e-4, atol=1e-4 * scale), call=call,
          got=tr("eval 模式下两份拷贝的输出不同", "different outputs for the two copies in eval mode"),
          expected=tr("eval 模式下两份拷贝的输出相同", "the same output for both copies in eval mode"),
          hint=tr("Dropout 必须跟随模块的模式：用 nn.Dropout，或 F.dropout(x, training=self.training)。",
                  "Dropout must follow the module's mode: use nn.Dropout, or F.dropout(x, training=self.training)."))


@points(1)
@hidden
def test_default_arguments(submission):
    got = submission.probe("default_parameter_count")
    check(got == 132_863_336, call="sum(p.numel() for p in VGG11().parameters())",
          got=f"{got:,}" if isinstance(got, int) else repr(got), expected="132,863,336",
          hint=tr("默认值是 num_classes=1000 和 batch_norm=False。", "The defaults are num_classes=1000 and batch_norm=False."))
