"""Grading tests for the `dropout` exercise: inverted dropout, checked statistically (no particular random stream).

With N = 200_000 elements the fraction of dropped elements has a standard deviation of about 0.001, so the
tolerance of 0.01 used below is about 10 standard deviations: a correct submission does not fail by bad luck.
"""
import torch
from quizkit.grading.testing import Seeded, assert_close, assert_unchanged, check, hidden, points


F64 = torch.float64
N = 200_000
FRACTION_TOL = 0.01

SCALE_HINT = (
    "Inverted dropout scales the survivors by 1/(1-p) so that the expected output equals x. No scaling, or "
    "scaling by (1-p), is wrong; an error of ~1e-8 relative means the mask or the scale was built in float32 "
    "(e.g. torch.rand(...).float() / (1 - p)): build it in x.dtype, or compute x * mask / (1 - p)."
)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _nonzero_randn(gen, *shape, dtype=F64):
    """Random values bounded away from 0, so an output of exactly 0 always means 'dropped'."""
    x = torch.randn(shape, generator=gen, dtype=F64)
    return (x + torch.where(x >= 0, 0.1, -0.1)).to(dtype)


def _dropout(submission, x, p, training, seed=None, pass_generator=True):
    """dropout(x, p, training[, generator]) in the child; (out, x after the call, call text).

    The generator is made in the child from its seed (a Generator cannot cross the boundary, a seed can). Every
    call is checked for a modified x, here in the supervisor, not only in the test that names it."""
    args = f"x (shape {tuple(x.shape)}, {x.dtype}), p={p}, training={training}"
    call = f"dropout({args}, generator=torch.Generator().manual_seed({seed}))" if pass_generator and seed is not None \
        else f"dropout({args})"
    extra = (None if seed is None else Seeded(seed),) if pass_generator else ()
    out, after, _ = submission.call_with_inputs("dropout", x, p, training, *extra)
    assert_unchanged(x, after[0], call=call, name="x",
                     hint="Build a new tensor (x * mask / (1 - p)) instead of writing into x.")
    check(type(out) is torch.Tensor, call=call, got=f"a {type(out).__name__}", expected="a torch.Tensor")
    check(out.shape == x.shape and out.dtype == x.dtype, call=call,
          got=f"shape {tuple(out.shape)}, dtype {out.dtype}", expected=f"shape {tuple(x.shape)}, dtype {x.dtype}",
          hint="dropout keeps the shape and the dtype of x.")
    return out, call


def _check_fraction(out, p, call):
    frac = (out == 0).double().mean().item()
    hint = ("p is the probability of DROPPING an element (zeroing it), 1 - p that of keeping it. "
            "Did you keep with probability p?")
    check(abs(frac - p) <= FRACTION_TOL, call=call, got=f"{frac:.4f} of the elements zeroed",
          expected=f"about p = {p} of them zeroed (within {FRACTION_TOL}, over {out.numel()} elements)", hint=hint)


def _check_survivors(out, x, p, call):
    kept = out != 0
    want = x / (1 - p)
    tol = {"rtol": 1e-10, "atol": 0.0} if x.dtype == F64 else {"rtol": 1e-6, "atol": 0.0}
    assert_close(out[kept], want[kept], **tol, call=f"{call}, the elements that were not zeroed", hint=SCALE_HINT)


@points(1)
def test_eval_mode_returns_x_unchanged(submission):
    x = _nonzero_randn(_gen(1), 4, 5)
    for p in (0.5, 1.0):
        out, call = _dropout(submission, x, p, False, seed=0)
        assert_close(out, x, rtol=0, atol=0, call=call,
                     hint="In eval mode (training=False) dropout does nothing: return x as it is, without scaling.")


@points(2)
def test_fraction_of_zeros_is_p(submission):
    x = _nonzero_randn(_gen(2), N)
    for p, seed in ((0.3, 10), (0.8, 11)):
        out, call = _dropout(submission, x, p, True, seed=seed)
        _check_fraction(out, p, call)


@points(2)
def test_survivors_are_scaled_by_one_over_keep_probability(submission):
    x = _nonzero_randn(_gen(3), 1000, 20)
    for p, seed in ((0.3, 20), (0.6, 21)):
        out, call = _dropout(submission, x, p, True, seed=seed)
        _check_survivors(out, x, p, call)


@points(1)
def test_mean_is_preserved(submission):
    x = torch.full((N,), 3.0, dtype=F64)
    p = 0.4
    out, call = _dropout(submission, x, p, True, seed=30)
    mean = out.mean().item()
    check(abs(mean - 3.0) <= 0.04, call=call + " with every x = 3.0", got=f"mean(out) = {mean:.4f}",
          expected="mean(out) = 3.0 within 0.04 (inverted dropout keeps the expectation)", hint=SCALE_HINT)


@points(1)
def test_p_zero_is_identity_and_p_one_is_all_zeros(submission):
    x = _nonzero_randn(_gen(4), 50, 4)
    out, call = _dropout(submission, x, 0.0, True, seed=40)
    assert_close(out, x, rtol=0, atol=0, call=call, hint="With p = 0 nothing is dropped and 1/(1-p) = 1.")
    out, call = _dropout(submission, x, 1.0, True, seed=41)
    assert_close(out, torch.zeros_like(x), rtol=0, atol=0, call=call,
                 hint="With p = 1 everything is dropped: return zeros. Computing x * mask / (1 - p) divides 0 by 0 "
                 "and gives NaN; handle p == 1 separately.")


@points(1)
def test_keeps_shape_and_dtype_and_does_not_modify_x(submission):
    gen = _gen(5)
    for x in (_nonzero_randn(gen, 3, 4, 5, dtype=torch.float32), _nonzero_randn(gen, 2, 3)):
        out, call = _dropout(submission, x, 0.5, True, seed=50)
        _check_survivors(out, x, 0.5, call)


@points(1)
def test_the_generator_is_used(submission):
    x = _nonzero_randn(_gen(6), 1000)
    a, call_a = _dropout(submission, x, 0.5, True, seed=60)
    b, _ = _dropout(submission, x, 0.5, True, seed=60)
    c, call_c = _dropout(submission, x, 0.5, True, seed=61)
    check(torch.equal(a, b), call=call_a + " twice", got="two different masks", expected="the same mask both times",
          hint="Draw the random numbers from the generator you were given: torch.rand(x.shape, generator=generator).")
    check(not torch.equal(a, c), call=call_a + " and " + call_c, got="the same mask for different seeds",
          expected="different masks")


@points(1)
@hidden
def test_without_a_generator(submission):
    x = _nonzero_randn(_gen(7), N)
    out, call = _dropout(submission, x, 0.25, True, pass_generator=False)
    _check_fraction(out, 0.25, call)
    _check_survivors(out, x, 0.25, call)


@points(1)
@hidden
def test_high_drop_rate_on_a_matrix(submission):
    x = _nonzero_randn(_gen(8), 400, 500)
    out, call = _dropout(submission, x, 0.9, True, seed=80)
    _check_fraction(out, 0.9, call)
    _check_survivors(out, x, 0.9, call)
