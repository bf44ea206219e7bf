"""Grading tests for receptive_field: published values (Distill 2019) and receptive fields measured with autograd
on real Conv2d stacks in the grading process."""
import random

import torch
import torch.nn as nn

from quizkit.grading.testing import NotRecorded, check, hidden, instructor_only, points, tr

KEYS = ("size", "stride", "padding")


def conv(kernel, stride=1, padding=0, dilation=1):
    return {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation}


# VGG-16 from conv1_1 up to and including pool5: 13 3x3 convs (padding 1) in blocks of 2, 2, 3, 3, 3,
# each block followed by a 2x2 max pool with stride 2.
VGG16_TO_POOL5 = []
for _n_convs in (2, 2, 3, 3, 3):
    VGG16_TO_POOL5 += [conv(3, 1, 1)] * _n_convs + [conv(2, 2, 0)]

# AlexNet v2 (TF-slim) from conv1 up to pool5, as in the Distill paper's table: conv1 11x11/4 VALID, pool1 3x3/2,
# conv2 5x5 SAME, pool2 3x3/2, conv3-conv5 3x3 SAME, pool5 3x3/2.
ALEXNET_V2_TO_POOL5 = [conv(11, 4, 0), conv(3, 2, 0), conv(5, 1, 2), conv(3, 2, 0),
                       conv(3, 1, 1), conv(3, 1, 1), conv(3, 1, 1), conv(3, 2, 0)]


def _get(layer, key, default):
    return layer.get(key, default)


@instructor_only  # with no mistake switched on it is the answer itself: the student build leaves it out
def _variant(layers, *, jump_first=False, no_dilation=False, padding_jump=True, multiply=False):
    """The recurrences with one known mistake switched on (used only to name the mistake in a message)."""
    size, jump, pad = 1, 1, 0
    for layer in layers:
        k, s = layer["kernel"], _get(layer, "stride", 1)
        d = 1 if no_dilation else _get(layer, "dilation", 1)
        span = d * (k - 1) + 1
        if jump_first:
            jump *= s
        size = size * span if multiply else size + (span - 1) * jump
        pad += _get(layer, "padding", 0) * (jump if padding_jump else 1)
        if not jump_first:
            jump *= s
    return {"size": size, "stride": jump, "padding": pad}


AUTOGRAD = tr("真实 Conv2d 堆叠上的 autograd", "autograd on a real Conv2d stack")
MISTAKES = [
    (dict(jump_first=True), tr("jump（等效步长）在使用之前就被更新了：第 l 层的增长用 j_{l-1}，即它下面各层的 jump，"
                               "然后才 j_l = j_{l-1} * s_l。",
                               "The jump (effective stride) is updated before it is used: the growth of layer l "
                               "uses j_{l-1}, the jump of the layers BELOW it, then j_l = j_{l-1} * s_l.")),
    (dict(no_dilation=True), tr("忽略了 dilation：膨胀后的卷积核覆盖 k' = d*(k-1)+1 个位置。",
                                "Dilation is ignored: a dilated kernel spans k' = d*(k-1)+1 positions.")),
    (dict(padding_jump=False), tr("第 l 层的 padding 以下一层的单位计：P_l = P_{l-1} + p_l * j_{l-1}，不只是各层 padding 之和。",
                                  "The padding of layer l counts in units of the layer below: P_l = P_{l-1} + "
                                  "p_l * j_{l-1}, not just the sum of the paddings.")),
    (dict(multiply=True), tr("感受野按加法增长：r_l = r_{l-1} + (k'_l - 1) * j_{l-1}，不是把卷积核大小相乘。",
                             "Receptive fields grow by addition: r_l = r_{l-1} + (k'_l - 1) * j_{l-1}, "
                             "not by multiplying the kernel sizes.")),
]


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _describe(layers, name=None):
    if name:
        return tr(f"receptive_field({name}：{len(layers)} 层)", f"receptive_field({name}: {len(layers)} layers)")
    text = repr(layers)
    return f"receptive_field({text if len(text) <= 300 else text[:300] + ' ...]'})"


def _expect(submission, layers, want, *, name=None, source=tr("递推公式", "the recurrences")):
    call = _describe(layers, name)
    got = submission.receptive_field([dict(layer) for layer in layers])
    check(isinstance(got, dict) and all(k in got for k in KEYS), call=call, got=repr(got),
          expected=tr('键为 "size"、"stride" 和 "padding" 的 dict', 'a dict with the keys "size", "stride" and "padding"'))
    values = {k: _as_int(got[k]) for k in KEYS}
    if values == want:
        return
    wrong = ", ".join(k for k in KEYS if values[k] != want[k])
    hint = tr("检查 r、j、P 三个递推式，以及默认值 stride=1、padding=0、dilation=1。",
              "Check the three recurrences r, j and P, and the defaults stride=1, padding=0, dilation=1.")
    for flags, text in MISTAKES:
        try:
            variant = _variant(layers, **flags)
        except NotRecorded:  # the student build: the mistake is not named
            break
        if variant != want and values == variant:
            hint = text
            break
    check(False, call=call, got=repr({k: got[k] for k in KEYS}),
          expected=tr(f"{want}（来自{source}；错误的键：{wrong}）", f"{want} (from {source}; wrong: {wrong})"), hint=hint)


def measure_with_autograd(layers):
    """Size, stride and padding of a real Conv2d stack (weights 1), measured from input gradients.

    The input is all ones and every weight is 1, so no gradient can cancel: the nonzero rows of d y[u] / d x are
    exactly the receptive field of output unit u (with holes when dilated; the extent counts from first to last).
    The next unit's field starts `stride` rows later, and unit u's field starts at u * stride - padding."""
    layers = [dict(layer) for layer in layers]
    size, jump, pad = 1, 1, 0
    for layer in layers:  # only to pick an input large enough that no field touches the border
        size += (layer.get("dilation", 1) * (layer["kernel"] - 1)) * jump
        pad += layer.get("padding", 0) * jump
        jump *= layer.get("stride", 1)
    n = 2 * (size + 2 * jump + pad) + 1  # odd
    net = nn.Sequential(*[
        nn.Conv2d(1, 1, layer["kernel"], stride=layer.get("stride", 1), padding=layer.get("padding", 0),
                  dilation=layer.get("dilation", 1), bias=False) for layer in layers]).double()
    for module in net:
        nn.init.ones_(module.weight)
    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = net(x)
    u = y.shape[2] // 2  # the centre unit

    def rows(i):
        (g,) = torch.autograd.grad(y[0, 0, i, u], x, retain_graph=True)
        nz = (g[0, 0].abs().sum(dim=1) > 0).nonzero().flatten()
        return nz.min().item(), nz.max().item()

    (a0, a1), (b0, b1) = rows(u), rows(u + 1)
    assert 0 < a0 and b1 < n - 1, "test bug: the receptive field touches the border"
    return {"size": a1 - a0 + 1, "stride": b0 - a0, "padding": u * (b0 - a0) - a0}


def _random_stack(rng, max_layers=5, strides=(1, 1, 2, 3), dilations=(1, 1, 2, 3), max_padding=2,
                  drop_defaults=False):
    layers = []
    for _ in range(rng.randint(1, max_layers)):
        layer = conv(rng.randint(1, 5), rng.choice(strides), rng.randint(0, max_padding), rng.choice(dilations))
        if drop_defaults:  # leave out the optional keys that hold their default value
            layer = {k: v for k, v in layer.items() if k == "kernel" or v != {"stride": 1, "padding": 0,
                                                                             "dilation": 1}[k]}
        layers.append(layer)
    return layers


@points(1)
def test_single_layers(submission):
    cases = [
        ([conv(3)], {"size": 3, "stride": 1, "padding": 0}),
        ([conv(3, 2, 1)], {"size": 3, "stride": 2, "padding": 1}),
        ([conv(7, 2, 3)], {"size": 7, "stride": 2, "padding": 3}),
        ([conv(3, 1, 2, 2)], {"size": 5, "stride": 1, "padding": 2}),
        ([conv(1)], {"size": 1, "stride": 1, "padding": 0}),
    ]
    for layers, want in cases:
        _expect(submission, layers, want, source=tr("单层：r = d*(k-1)+1，S = s，P = p", "one layer: r = d*(k-1)+1, S = s, P = p"))


@points(1)
def test_optional_keys_default(submission):
    # Two 3x3 convs, then a 2x2 pool with stride 2, then a 3x3 conv: only "kernel" (and "stride") given.
    layers = [{"kernel": 3}, {"kernel": 3}, {"kernel": 2, "stride": 2}, {"kernel": 3}]
    _expect(submission, layers, {"size": 10, "stride": 2, "padding": 0},
            source=tr("缺少某个键时 stride=1、padding=0、dilation=1", "stride=1, padding=0, dilation=1 when a key is absent"))


@points(2)
def test_vgg16_up_to_pool5(submission):
    _expect(submission, VGG16_TO_POOL5, {"size": 212, "stride": 32, "padding": 90},
            name="VGG-16 conv1_1 ... pool5", source=tr("Araujo 等，Distill 2019，感受野表", "Araujo et al., Distill 2019, table of receptive fields"))


@points(1)
def test_alexnet_v2_up_to_pool5(submission):
    _expect(submission, ALEXNET_V2_TO_POOL5, {"size": 195, "stride": 32, "padding": 64},
            name="AlexNet v2 conv1 ... pool5", source=tr("Araujo 等，Distill 2019，感受野表", "Araujo et al., Distill 2019, table of receptive fields"))


@points(1)
def test_dilated_stack(submission):
    # DeepLab/WaveNet style: 3x3 convs with dilation 1, 2, 4, padding = dilation (same size output).
    layers = [conv(3, 1, 1, 1), conv(3, 1, 2, 2), conv(3, 1, 4, 4)]
    _expect(submission, layers, measure_with_autograd(layers), source=AUTOGRAD)
    layers = [conv(3, 2, 1, 1), conv(3, 1, 2, 2), conv(2, 2, 0, 3)]
    _expect(submission, layers, measure_with_autograd(layers), source=AUTOGRAD)


@points(2)
def test_matches_autograd_on_random_conv_stacks(submission):
    rng = random.Random(7)
    for _ in range(15):
        layers = _random_stack(rng)
        _expect(submission, layers, measure_with_autograd(layers), source=AUTOGRAD)


@points(1)
def test_values_are_ints(submission):
    got = submission.receptive_field([conv(3, 2, 1), conv(3)])
    check(isinstance(got, dict) and all(type(got.get(k)) is int for k in KEYS),
          call="receptive_field([conv 3x3/2 pad 1, conv 3x3])", got=repr(got),
          expected=tr("{'size': 7, 'stride': 2, 'padding': 1}，值都是 Python int",
                      "{'size': 7, 'stride': 2, 'padding': 1} with Python int values"),
          hint=tr("全程用整数运算（不要 '/'，不要 float()）。", "Keep the arithmetic in integers (no '/', no float())."))


@points(1)
@hidden
def test_effective_padding_on_padded_strided_stacks(submission):
    rng = random.Random(31)
    for _ in range(10):
        layers = _random_stack(rng, max_layers=4, strides=(2, 3), dilations=(1,), max_padding=3)
        _expect(submission, layers, measure_with_autograd(layers), source=AUTOGRAD)


@points(1)
@hidden
def test_deeper_stacks_with_defaults_left_out(submission):
    rng = random.Random(2019)
    for _ in range(10):
        layers = _random_stack(rng, max_layers=7, strides=(1, 1, 1, 2), drop_defaults=True)
        _expect(submission, layers, measure_with_autograd(layers), source=AUTOGRAD)


@points(1)
@hidden
def test_kernel_one_and_stride_only_layers(submission):
    # 1x1 convs see nothing new, but a strided 1x1 conv still multiplies the jump for the layers above it.
    layers = [conv(1, 2), conv(3), conv(1, 1, 1), conv(3, 2, 1), conv(1)]
    _expect(submission, layers, measure_with_autograd(layers), source=AUTOGRAD)
