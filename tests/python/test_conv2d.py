"""simdconv.conv2d against torch's float64 F.conv2d on random configurations
covering F.conv2d's argument forms (ints, pairs, 'same', 'valid', and the
(top, bottom, left, right) extension), every padding mode, groups and
depthwise, dilation, strides, bias, activations, flip, numpy and torch
inputs in NCHW and channels_last memory, OIHW and OHWI weights, batched and
unbatched, 1 and 2 threads. Each output must lie within simdconv's bound
(error_bound) of torch's float64 result and of simdconv.reference; integer
data must give the exact result."""
import numpy as np
import pytest
import torch

import simdconv
from checks import assert_within_bound, resolved_pads, torch_fp64

CASES = 300
ACTIVATIONS = [None, "relu", "relu6", "sigmoid", "tanh", "silu", "gelu",
               "gelu_tanh", ("clamp", -0.25, 0.5)]
MODES = ["zeros", "reflect", "replicate", "circular"]


def _channels(rng, kind):
    """(C, K, groups, fixed kernel or None)."""
    n = lambda hi: int(rng.integers(1, hi + 1))  # noqa: E731
    if kind == "grouped":
        g = n(4) + 1 if rng.random() < 0.9 else 1
        return g * n(4), g * n(4), g, None
    if kind == "depthwise":
        c = n(12)
        return c, c * int(rng.choice([1, 1, 2, 3])), c, None
    if kind == "pointwise":
        return n(12), n(12), 1, 1
    return n(12), n(12), 1, None


def _int_or_pair(rng, h, w):
    return h if h == w and rng.random() < 0.5 else (h, w)


def _padding_arg(rng, style, kernel):
    if style in ("same", "valid"):
        return style
    if style == "tuple4":
        return tuple(int(v) for v in rng.integers(0, 3, 4))
    ph, pw = (int(rng.integers(0, k // 2 + 2)) for k in kernel)
    return ph if style == "int" else (ph, pw)


def _size(rng, k, d, pa, pb, mode):
    """An input size valid for the padding mode (PyTorch's constraints:
    reflect pad < size, circular pad <= size) with an output of >= 1."""
    lo = max(1, d * (k - 1) + 1 - pa - pb)
    if mode == "reflect":
        lo = max(lo, pa + 1, pb + 1)
    elif mode == "circular":
        lo = max(lo, pa, pb)
    return lo + int(rng.integers(0, 8))


def random_case(seed):
    """(args for conv2d, input, weight, bias, describing dict)."""
    rng = np.random.default_rng([20261203, seed])
    kind = str(rng.choice(["general", "grouped", "depthwise", "pointwise"]))
    C, K, groups, k = _channels(rng, kind)
    kernel = (k, k) if k else tuple(int(v) for v in rng.integers(1, 6, 2))
    style = str(rng.choice(["int", "pair", "tuple4", "same", "valid"]))
    stride = [1, 1] if style == "same" else [int(rng.choice([1, 1, 2, 3]))
                                             for _ in "hw"]
    dilation = [int(rng.choice([1, 1, 2])) for _ in "hw"]
    padding = _padding_arg(rng, style, kernel)
    mode = str(rng.choice(MODES))
    t, b, l, r = resolved_pads(padding, kernel, dilation)
    H = _size(rng, kernel[0], dilation[0], t, b, mode)
    W = _size(rng, kernel[1], dilation[1], l, r, mode)
    ints = rng.random() < 0.15
    draw = ((lambda *s: rng.integers(-4, 5, s)) if ints
            else (lambda *s: rng.uniform(-1, 1, s)))
    unbatched = rng.random() < 0.1
    N = 1 if unbatched else int(rng.integers(1, 4))
    x = draw(N, C, H, W).astype(np.float32)
    w = draw(K, C // groups, *kernel).astype(np.float32)
    bias = draw(K).astype(np.float32) if rng.random() < 0.75 else None
    args = dict(stride=_int_or_pair(rng, *stride), padding=padding,
                dilation=_int_or_pair(rng, *dilation), groups=groups,
                padding_mode=mode,
                activation=ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))],
                flip=bool(rng.random() < 0.2))
    about = dict(kind=kind, ints=ints, torch=bool(rng.random() < 0.5),
                 nhwc=bool(rng.random() < 0.5),
                 ohwi=bool(rng.random() < 0.25), unbatched=unbatched,
                 threads=[None, 1, 2][int(rng.integers(3))])
    return args, (x[0] if unbatched else x), w, bias, about


def _nhwc(a, as_torch):
    """a (N x C x H x W, or C x H x W) seen through NHWC memory."""
    perm = (0, 2, 3, 1) if a.ndim == 4 else (1, 2, 0)
    back = np.argsort(perm)
    mem = np.ascontiguousarray(a.transpose(perm))
    return (torch.from_numpy(mem).permute(*back) if as_torch
            else mem.transpose(back))


def _operand(a, as_torch, nhwc):
    if nhwc:
        return _nhwc(a, as_torch)
    return torch.from_numpy(a) if as_torch else a


def _is_nchw(a):
    return a.is_contiguous() if isinstance(a, torch.Tensor) \
        else a.flags.c_contiguous


def _check_layout(y, xin, about):
    """The output has the input's type and, where the input's memory is NHWC
    only (not NCHW too, as with one channel), NHWC memory."""
    kind = torch.Tensor if about["torch"] else np.ndarray
    assert isinstance(y, kind) and str(y.dtype).endswith("float32")
    if about["nhwc"] and not _is_nchw(xin):
        perm = (0, 2, 3, 1) if y.ndim == 4 else (1, 2, 0)
        assert _is_nchw(y.permute(*perm) if about["torch"]
                        else y.transpose(perm))
    else:
        assert _is_nchw(y)


@pytest.mark.parametrize("seed", range(CASES))
def test_random_configuration_against_torch(seed):
    args, x, w, bias, about = random_case(seed)
    xin = _operand(x, about["torch"], about["nhwc"])
    win = _operand(w, about["torch"], about["ohwi"])
    bin_ = None if bias is None else _operand(bias, about["torch"], False)
    y = simdconv.conv2d(xin, win, bin_, threads=about["threads"], **args)
    _check_layout(y, xin, about)
    s, expected = torch_fp64(x, w, bias, **args)
    assert tuple(y.shape) == expected.shape, (args, about)
    bound = simdconv.error_bound(xin, win, bin_, **args)
    ref = simdconv.reference(xin, win, bin_, **args)
    assert_within_bound(y, expected, bound, s)
    yd = np.asarray(y, dtype=np.float64)
    assert np.all(np.abs(yd - np.asarray(ref)) <= np.asarray(bound))
    if about["ints"] and args["activation"] in (None, "relu", "relu6"):
        # integer sums below 2^24: every fmaf is exact, in any order
        assert np.array_equal(yd, expected)
