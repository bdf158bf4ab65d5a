"""The fused residual add from Python: conv2d / Conv2d(..., residual=r,
alpha=a) is act(F.conv2d(...) + a * r) within error_bound(residual=r,
alpha=a) of torch's float64 result, in place (out=r) and out of place, for
every activation, alpha 1, 0.5 and -1, numpy and torch operands in both
memory layouts, and gives the same bits on every ISA and thread count."""
import numpy as np
import pytest
import torch

import simdconv
from checks import (as_numpy, assert_same_bits, assert_within_bound,
                    torch_fp64)

ISAS = simdconv.info()["usable_isas"]
ACTIVATIONS = [None, "relu", "relu6", ("clamp", -0.25, 0.5), "sigmoid",
               "tanh", "silu", "gelu", "gelu_tanh"]
ALPHAS = [1.0, 0.5, -1.0]
LAYERS = [
    # C, K, kernel, groups, stride, padding, padding_mode, H, W: between
    # them every kernel family (depthwise, 1x1 GEMM, igemm tiles, grouped)
    (3, 16, 3, 1, 1, 1, "zeros", 11, 13),
    (16, 32, 3, 16, 1, 1, "reflect", 10, 9),
    (24, 20, 1, 1, 1, 0, "zeros", 7, 12),
    (12, 40, 3, 1, 2, "valid", "zeros", 13, 11),
    (8, 16, 3, 4, 1, (1, 2), "replicate", 9, 10),
    (10, 70, (3, 2), 1, 1, (1, 0, 0, 1), "circular", 8, 9),
    (20, 20, 5, 20, 2, 2, "zeros", 14, 12),
]


def _case(i):
    """(x, w, b, conv args, output shape) of layer i; the residual's values
    are drawn by the caller."""
    C, K, k, g, stride, padding, mode, H, W = LAYERS[i % len(LAYERS)]
    kernel = k if isinstance(k, tuple) else (k, k)
    rng = np.random.default_rng([23, i])
    x = rng.uniform(-1, 1, (2, C, H, W)).astype(np.float32)
    w = rng.uniform(-1, 1, (K, C // g) + kernel).astype(np.float32)
    b = rng.uniform(-1, 1, K).astype(np.float32)
    args = dict(stride=stride, padding=padding, groups=g, padding_mode=mode)
    shape = simdconv.conv2d(x[:1], w, **args).shape
    return x, w, b, args, (2,) + shape[1:]


def _nhwc(a, as_torch):
    """a (N x C x H x W) seen through NHWC memory."""
    mem = np.ascontiguousarray(a.transpose(0, 2, 3, 1))
    return (torch.from_numpy(mem).permute(0, 3, 1, 2) if as_torch
            else mem.transpose(0, 3, 1, 2))


def _operand(a, as_torch, nhwc):
    if nhwc:
        return _nhwc(a, as_torch)
    return torch.from_numpy(a.copy()) if as_torch else a.copy()


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("act", range(len(ACTIVATIONS)))
def test_residual_against_torch(act, alpha):
    """Each (numpy or torch) x (NCHW or NHWC) combination, out of place
    and in place (out=r, residual=r): within the bound of torch's float64
    act(F.conv2d(x) + alpha r), within the bound of the oracle, and in
    place bit for bit as out of place."""
    i = act * len(ALPHAS) + ALPHAS.index(alpha)
    activation = ACTIVATIONS[act]
    x, w, b, args, shape = _case(i)
    args["activation"] = activation
    r = np.random.default_rng([29, i]).uniform(-2, 2, shape).astype(
        np.float32)
    s, expected = torch_fp64(x, w, b, residual=r, alpha=alpha, **args)
    for as_torch in (False, True):
        for nhwc in (False, True):
            what = "%s, %s" % ("torch" if as_torch else "numpy",
                               "nhwc" if nhwc else "nchw")
            xin, rin = _operand(x, as_torch, nhwc), _operand(r, as_torch,
                                                             nhwc)
            win = torch.from_numpy(w) if as_torch else w
            y = simdconv.conv2d(xin, win, b, residual=rin, alpha=alpha,
                                **args)
            assert type(y) is type(xin)
            bound = simdconv.error_bound(xin, win, b, residual=rin,
                                         alpha=alpha, **args)
            ref = simdconv.reference(xin, win, b, residual=rin, alpha=alpha,
                                     **args)
            assert_within_bound(y, expected, bound, s)
            assert np.all(np.abs(as_numpy(y).astype(np.float64)
                                 - as_numpy(ref)) <= as_numpy(bound)), what
            # in place: the residual's buffer receives the result
            got = simdconv.conv2d(xin, win, b, residual=rin, alpha=alpha,
                                  out=rin, **args)
            assert got is rin
            assert_same_bits(rin, y, what + ", in place")


@pytest.mark.parametrize("i", range(len(LAYERS)))
def test_same_bits_on_every_isa_and_thread_count(i):
    x, w, b, args, shape = _case(i)
    args["activation"] = ["silu", "relu", "gelu_tanh"][i % 3]
    r = np.random.default_rng([37, i]).uniform(-1, 1, shape).astype(
        np.float32)
    if i % 2:  # odd layers: channels_last tensors
        x, r = _nhwc(x, True), _nhwc(r, True)
    want = simdconv.conv2d(x, w, b, isa="scalar", residual=r, alpha=0.5,
                           **args)
    for isa in ISAS:
        layer = simdconv.Conv2d(w, b, isa=isa, **args)
        for threads in (1, 2):
            what = "%s, %d threads" % (isa, threads)
            assert_same_bits(layer(x, residual=r, alpha=0.5,
                                   threads=threads), want, what)
            acc = r.clone() if isinstance(r, torch.Tensor) else r.copy()
            layer(x, residual=acc, alpha=0.5, out=acc, threads=threads)
            assert_same_bits(acc, want, what + ", in place")


def test_residual_none_and_out_without_residual():
    x, w, b, args, shape = _case(0)
    plain = simdconv.conv2d(x, w, b, **args)
    assert_same_bits(simdconv.conv2d(x, w, b, residual=None, alpha=3.0,
                                     **args), plain)
    out = np.full(shape, np.nan, np.float32)
    assert simdconv.conv2d(x, w, b, out=out, **args) is out
    assert_same_bits(out, plain)
    assert_same_bits(simdconv.reference(x, w, b, residual=None, **args),
                     simdconv.reference(x, w, b, **args))


def test_alpha_is_rounded_to_float32_and_zero_r_is_the_plain_sum():
    x, w, b, args, shape = _case(2)
    r = np.random.default_rng(3).uniform(-1, 1, shape).astype(np.float32)
    assert_same_bits(simdconv.conv2d(x, w, b, residual=r, alpha=0.1, **args),
                     simdconv.conv2d(x, w, b, residual=r,
                                     alpha=np.float32(0.1), **args))
    # alpha == 1 is exactly sum + r: integer data make every step exact
    xi, wi = np.round(4 * x), np.round(4 * w)
    ri = np.round(8 * r)
    exact = simdconv.reference(xi, wi, None, **args) + ri
    assert np.array_equal(simdconv.conv2d(xi, wi, None, residual=ri, **args),
                          exact)


def test_non_finite_residuals_reach_exactly_their_outputs():
    x, w, b, args, shape = _case(0)
    r = np.zeros(shape, np.float32)
    r.flat[[3, 100, 517]] = [np.nan, np.inf, -np.inf]
    for act in (None, "relu", "sigmoid"):
        y = simdconv.conv2d(x, w, b, residual=r, activation=act, **args)
        ref = simdconv.reference(x, w, b, residual=r, activation=act, **args)
        assert np.isnan(y.flat[3]) and np.isnan(ref.flat[3])
        assert np.isnan(y).sum() == 1
        assert np.array_equal(y.flat[[100, 517]], ref.flat[[100, 517]])
        assert not np.isinf(np.delete(y.ravel(), [3, 100, 517])).any()


def test_unbatched_and_empty_batch():
    x, w, b, args, shape = _case(4)
    r = np.random.default_rng(5).uniform(-1, 1, shape).astype(np.float32)
    y = simdconv.conv2d(x[0], w, b, residual=r[0], **args)
    assert y.shape == shape[1:]
    assert_same_bits(y, simdconv.conv2d(x[:1], w, b, residual=r[:1],
                                        **args)[0])
    acc = r[0].copy()
    simdconv.conv2d(x[0], w, b, residual=acc, out=acc, **args)
    assert_same_bits(acc, y)
    with pytest.raises(ValueError, match="output's shape"):
        simdconv.conv2d(x[0], w, b, residual=r[:1], **args)
    empty = simdconv.conv2d(x[:0], w, b, residual=r[:0], **args)
    assert empty.shape == (0,) + shape[1:]


def test_residual_in_other_memory_is_copied():
    """A residual whose memory order is not the output's is read through
    one copy: NCHW memory for an NHWC input and vice versa, a strided view,
    numpy for a torch input."""
    x, w, b, args, shape = _case(1)
    r = np.random.default_rng(7).uniform(-1, 1, shape).astype(np.float32)
    xn = _nhwc(x, False)
    want = simdconv.conv2d(x, w, b, residual=r, **args)
    for xin, rin in ((xn, r), (x, _nhwc(r, False)), (x, np.repeat(
            r, 2, axis=3)[..., ::2]), (torch.from_numpy(x), r),
            (_nhwc(x, True), torch.from_numpy(r))):
        assert_same_bits(simdconv.conv2d(xin, w, b, residual=rin, **args),
                         want)


def test_argument_errors():
    x, w, b, args, shape = _case(2)
    r = np.zeros(shape, np.float32)
    layer = simdconv.Conv2d(w, b, **args)
    with pytest.raises(ValueError, match="residual must have the output's "
                                         "shape"):
        layer(x, residual=r[:, :-1])
    with pytest.raises(TypeError, match="residual must be float32"):
        layer(x, residual=r.astype(np.float64))
    with pytest.raises(TypeError, match="residual must be None"):
        layer(x, residual=r.tolist())
    with pytest.raises(TypeError, match="alpha must be a real number"):
        layer(x, residual=r, alpha="1")
    with pytest.raises(TypeError, match="alpha must be a real number"):
        layer(x, residual=r, alpha=True)
    with pytest.raises(ValueError, match="out must be in the output's memory "
                                         "layout, nhwc"):
        layer(_nhwc(x, False), out=r)
    with pytest.raises(ValueError, match="out must be in the output's memory "
                                         "layout, nchw"):
        layer(x, out=_nhwc(r, True))
    ro = r.copy()
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        layer(x, out=ro)
    with pytest.raises(ValueError, match="out requires grad"):
        layer(x, out=torch.zeros(shape, requires_grad=True))
    with torch.no_grad():  # as torch's in-place ops, fine without autograd
        layer(x, out=torch.zeros(shape, requires_grad=True))
    with pytest.raises(ValueError, match="residual is on meta"):
        layer(x, residual=torch.zeros(shape, device="meta"))


def test_overlaps_are_the_librarys_buffer_overlap():
    """The residual may be the output itself; any other overlap of the
    residual or the output with the input or each other is refused."""
    rng = np.random.default_rng(9)
    x = rng.uniform(-1, 1, (2, 6, 5, 7)).astype(np.float32)
    layer = simdconv.Conv2d(rng.uniform(-1, 1, (6, 6, 1, 1)).astype(
        np.float32))  # 1x1, C == K: the output has the input's shape
    shape = x.shape
    n = int(np.prod(shape))
    buf = np.zeros(n + 1, np.float32)
    early, late = buf[:-1].reshape(shape), buf[1:].reshape(shape)
    xc = x.copy()
    for kw in (dict(residual=early, out=late), dict(residual=late, out=early),
               dict(residual=xc), dict(out=xc), dict(residual=xc, out=xc)):
        with pytest.raises(simdconv.SimdconvError) as e:
            layer(xc, **kw)
        assert e.value.status == "SIMDCONV_ERR_BUFFER_OVERLAP", kw
    assert not buf.any() and np.array_equal(xc, x)  # nothing written
