"""Grading tests for the `vgg11` exercise: VGG configuration A, checked by parameter counts, output shapes, the
sequence of layers, and eval-mode outputs when the student's model and the reference hold the same parameters."""
import importlib.util
from pathlib import Path

import torch

from quizkit.grading.wire.codec import SubmissionError
from quizkit.grading.testing import assert_close, check, hidden, points, say, tr

# The probes run inside the sandboxed child on the student's module; here the same code reads the reference.
_spec = importlib.util.spec_from_file_location("vgg11_probes", Path(__file__).with_name("probes.py"))
probes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probes)

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


def _gen(seed):
    return torch.Generator().manual_seed(seed)


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


def _expect_shape(submission, num_classes, batch_norm, size, batch, hint):
    x = torch.randn(batch, 3, size, size, generator=_gen(size))
    call = f"VGG11(num_classes={num_classes}, batch_norm={batch_norm}).eval()(torch.randn({batch}, 3, {size}, {size}))"
    try:
        got = submission.probe("output", num_classes, batch_norm, x)
    except SubmissionError as err:  # the forward pass raised: say why it usually does
        check(False, call=call, got=tr(f"一个错误：{err}", f"an error: {err}"),
              expected=tr(f"形状为 ({batch}, {num_classes}) 的张量", f"a tensor of shape ({batch}, {num_classes})"),
              hint=hint)
    if isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape[0] == batch and got.shape[1] != num_classes:
        hint = _classes_hint(got.shape[1], num_classes)
    check(isinstance(got, torch.Tensor) and tuple(got.shape) == (batch, num_classes), call=call,
          got=tr(f"形状 {tuple(got.shape)}", f"shape {tuple(got.shape)}") if isinstance(got, torch.Tensor)
          else repr(got)[:200],
          expected=tr(f"形状为 ({batch}, {num_classes}) 的张量", f"a tensor of shape ({batch}, {num_classes})"),
          hint=hint)
    check(bool(torch.isfinite(got).all()), call=call, got=tr("NaN 或 inf 值", "NaN or inf values"),
          expected=tr("有限值", "finite values"))


@points(1)
def test_output_shape_224(submission):
    _expect_shape(submission, 1000, False, 224, 1,
                  hint=tr("进入分类器之前把 (N, 512, 7, 7) 的特征展平为 (N, 25088)：torch.flatten(x, 1)。", "Flatten the (N, 512, 7, 7) features to (N, 25088) before the classifier: torch.flatten(x, 1)."))


@points(1)
def test_output_shape_32_with_10_classes(submission):
    _expect_shape(submission, 10, True, 32, 2,
                  hint=tr("32x32 的输入经过五次池化后只剩 1x1；分类器前的 nn.AdaptiveAvgPool2d((7, 7)) 把它变回 7x7，"
                          "所以任何输入尺寸都得到 25088 个输入。",
                          "A 32x32 input leaves a 1x1 map after five pools; nn.AdaptiveAvgPool2d((7, 7)) before the "
                          "classifier makes it 7x7 again, so 25088 inputs fit for any input size."))


def _layer_text(entry):
    kind, shapes = entry
    return tr(f"{kind}，参数形状 {shapes}", f"{kind} with parameter shapes {shapes}")


def _expect_layers(submission, reference, batch_norm):
    want = probes.layer_listing(reference, 10, batch_norm)
    got = submission.probe("layer_listing", 10, batch_norm)
    call = tr(f"按前向顺序列出 VGG11(num_classes=10, batch_norm={batch_norm}) 中带参数的层",
              f"the layers with parameters of VGG11(num_classes=10, batch_norm={batch_norm}), in forward order")
    check(isinstance(got, list), call=call, got=repr(got)[:200], expected=tr("层的列表", "a list of layers"))
    for i, w in enumerate(want):
        g = got[i] if i < len(got) else None
        if g != w:
            hint = ""
            if (g is not None and i == len(want) - 1 and g[0] == w[0] == "Linear" and g[1][0][1:] == w[1][0][1:]
                    and g[1][0][0] != w[1][0][0]):
                hint = _classes_hint(g[1][0][0], w[1][0][0])
            elif g is not None and w[0] == "BatchNorm2d" and g[0] != "BatchNorm2d":
                hint = tr("batch_norm=True 时每个卷积层后都要接 BatchNorm2d(out_channels)。", "With batch_norm=True every conv is followed by BatchNorm2d(out_channels).")
            elif g is not None and w[0] == "Conv2d" and g[0] == "Conv2d" and g[1][0] != w[1][0]:
                hint = tr("检查配置 A 的通道数和 3x3 的卷积核大小。", "Check the channel widths of configuration A and the kernel size 3x3.")
            elif g is not None and len(g[1]) != len(w[1]):
                hint = tr("保留 bias（bias=True 是默认值）。", "Keep the biases (bias=True is the default).")
            else:
                hint = tr("与配置 A 对照：64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M，然后是分类器 "
                          "25088 -> 4096 -> 4096 -> num_classes。",
                          "Compare with configuration A: 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M, then "
                          "the classifier 25088 -> 4096 -> 4096 -> num_classes.")
            check(False, call=call, got=tr(f"第 {i} 层：", f"layer {i}: ") + (
                      _layer_text(g) if g is not None else tr("没有（层数太少）", "nothing (too few)")),
                  expected=tr(f"第 {i} 层：", f"layer {i}: ") + _layer_text(w), hint=hint)
    check(len(got) == len(want), call=call, got=tr(f"{len(got)} 个带参数的层", f"{len(got)} layers with parameters"),
          expected=tr(f"{len(want)} 个，最后一个是", f"{len(want)}: the last one is ") + _layer_text(want[-1]),
          hint=tr("去掉多余的层：配置 A 有 8 个卷积层和 3 个全连接层。",
                  "Remove extra layers: configuration A has 8 convolutions and 3 linear layers."))


@points(1)
def test_layer_sequence(submission, reference):
    _expect_layers(submission, reference, batch_norm=False)


@points(1)
def test_layer_sequence_with_batch_norm(submission, reference):
    _expect_layers(submission, reference, batch_norm=True)


def _same_layout(mine, layout, call):
    """The layers the child listed must be the reference's, in forward order, before outputs can be compared."""
    for i, (m, w) in enumerate(zip(mine, layout)):
        check(m == w, call=call, got=tr(f"按前向顺序第 {i} 层是 {m[0]}，参数形状 {m[1]}",
                                        f"layer {i} in forward order is {m[0]} with parameter shapes {m[1]}"),
              expected=tr(f"与参考实现一样的 {w[0]}、参数形状 {w[1]}，参数才能一一对应",
                          f"{w[0]} with {w[1]}, as in the reference, so that the parameters line up"),
              hint=SEQUENCE_HINT)
    check(len(mine) == len(layout), call=call, got=tr(f"{len(mine)} 个带参数的层", f"{len(mine)} layers with parameters"),
          expected=tr(f"与参考实现一样的 {len(layout)} 个", f"{len(layout)}, as in the reference"), hint=SEQUENCE_HINT)


SEQUENCE_HINT = tr("层序列的测试会指出哪些层不同。", "The layer-sequence test shows where the layers differ.")


def _expect_same_output(submission, reference, num_classes, batch_norm, size, batch, seed, hint):
    model = probes._blank(reference, num_classes, batch_norm, zero=False)
    layout = probes.describe(probes.randomize(model, seed))
    x = torch.randn(batch, 3, size, size, generator=_gen(seed + 1))
    model.eval()
    with torch.no_grad():
        want = model(x)
    del model
    call = tr(f"VGG11(num_classes={num_classes}, batch_norm={batch_norm}) 装入与参考实现相同的随机参数（按前向顺序逐层填入），"
              f".eval()，输入 torch.randn({batch}, 3, {size}, {size})",
              f"VGG11(num_classes={num_classes}, batch_norm={batch_norm}) holding the same seeded parameters as the "
              f"reference (filled layer by layer in forward order), .eval(), on torch.randn({batch}, 3, {size}, {size})")
    got = submission.probe("output_randomized", num_classes, batch_norm, layout, seed, x)
    check(isinstance(got, dict) and "layers" in got and "output" in got, call=call, got=repr(got)[:200],
          expected=tr("模型的层和输出", "the model's layers and output"))
    _same_layout(got["layers"], layout, call)
    # float32 on both sides; the scale of the output is ~10, and only summation order can differ.
    scale = float(want.abs().max())
    assert_close(got["output"], want, rtol=1e-4, atol=1e-4 * scale, call=call, hint=hint)


@points(3)
def test_same_output_as_reference(submission, reference):
    _expect_same_output(submission, reference, 1000, False, 224, 1, seed=11,
                        hint=tr("参数相同但输出不同：每个卷积层和前两个全连接层后面都有 ReLU 吗？最大池化是 2x2、"
                                "步长 2，卷积的 padding 是 1，eval 模式下 dropout 关掉了吗？",
                                "Same parameters but a different output: is every conv and the first two linear "
                                "layers followed by a ReLU? Max pools 2x2 with stride 2, padding 1 on the convs, "
                                "and is dropout off in eval mode?"))


@points(2)
def test_same_output_as_reference_with_batch_norm(submission, reference):
    _expect_same_output(submission, reference, 10, True, 64, 2, seed=23,
                        hint=tr("参数相同但输出不同：顺序是 Conv2d -> BatchNorm2d -> ReLU（BatchNorm 在 ReLU 之前），"
                                "分类器前是 AdaptiveAvgPool2d((7, 7))（平均池化，不是最大池化）。",
                                "Same parameters but a different output: the order is Conv2d -> BatchNorm2d -> ReLU "
                                "(BatchNorm before the ReLU), and AdaptiveAvgPool2d((7, 7)) (average, not max) "
                                "before the classifier."))


@points(1)
def test_dropout_in_training_mode_only(submission):
    x = torch.randn(2, 3, 32, 32, generator=_gen(5))
    got = submission.probe("train_mode_outputs", 10, x, 0)
    call = tr("VGG11(num_classes=10) 对同一输入：先在 train() 模式下两次，再在 eval() 模式下两次",
              "VGG11(num_classes=10) on the same input: twice in train() mode, then twice in eval() mode")
    check(isinstance(got, list) and len(got) == 4 and all(isinstance(t, torch.Tensor) for t in got), call=call,
          got=repr(got)[:200], expected=tr("四个输出张量", "four output tensors"))
    check(not torch.equal(got[0], got[1]), call=call, got=tr("train 模式下两次输出相同", "identical outputs in train mode"),
          expected=tr("train 模式下两次输出不同（dropout 随机丢弃单元）",
                      "different outputs in train mode (dropout drops random units)"),
          hint=tr("分类器的前两个 Linear+ReLU 之后各需要一个 Dropout。",
                  "The classifier needs Dropout after each of the first two Linear+ReLU layers."))
    check(torch.equal(got[2], got[3]), call=call, got=tr("eval 模式下两次输出不同", "different outputs in eval mode"),
          expected=tr("eval 模式下两次输出相同", "identical outputs in eval mode"),
          hint=tr("Dropout 必须跟随模块的模式：用 nn.Dropout，或 F.dropout(x, training=self.training)。",
                  "Dropout must follow the module's mode: use nn.Dropout, or F.dropout(x, training=self.training)."))


@points(1)
@hidden
def test_default_arguments(submission):
    got = submission.probe("default_parameter_count")
    check(got == 132_863_336, call="sum(p.numel() for p in VGG11().parameters())",
          got=f"{got:,}" if isinstance(got, int) else repr(got), expected="132,863,336",
          hint=tr("默认值是 num_classes=1000 和 batch_norm=False。", "The defaults are num_classes=1000 and batch_norm=False."))
