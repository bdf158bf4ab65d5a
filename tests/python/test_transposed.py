"""simdconv.conv_transpose2d and ConvTranspose2d against
torch.nn.functional.conv_transpose2d in float64: values within the bound
of docs/numerics.md section 15, the same bits on every ISA, thread count
and memory layout, the residual, the module, forcing, and the statuses
for what torch also rejects."""
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import simdconv
from checks import as_torch64, assert_same_bits

U = 2.0 ** -24

# (C, K, kernel, stride, padding, output_padding, groups, dilation)
CASES = [
    (4, 6, 3, 1, 1, 0, 1, 1),
    (5, 7, 4, 2, 1, 0, 1, 1),      # DCGAN
    (4, 5, 3, 2, 1, 1, 1, 1),      # LinkNet, output padding
    (3, 4, 5, 3, 2, (2, 1), 1, 1),
    (3, 5, 3, 4, 0, 3, 1, 1),      # kernel < stride: bias-only phases
    (3, 4, 3, 2, (1, 0), 0, 1, 2),  # dilation with stride (gcd 2)
    (4, 6, 3, 2, 1, 1, 2, 1),      # groups
    (8, 16, 4, 2, 1, 0, 8, 1),     # depthwise, multiplier 2
    (6, 40, 2, 2, 0, 0, 1, 1),     # K past two NR blocks
]


def _data(c, k, kernel, groups, seed):
    rng = np.random.default_rng([7, seed])
    x = rng.uniform(-1, 1, (2, c, 5, 6)).astype(np.float32)
    w = rng.uniform(-1, 1, (c, k // groups, kernel, kernel)).astype(
        np.float32)
    b = rng.uniform(-1, 1, k).astype(np.float32)
    return x, w, b


def _args(case):
    _, _, _, stride, padding, output_padding, groups, dilation = case
    return dict(stride=stride, padding=padding, output_padding=output_padding,
                groups=groups, dilation=dilation)


def _torch(x, w, b, args, fn=F.conv_transpose2d):
    return fn(as_torch64(x), as_torch64(w), None if b is None
              else as_torch64(b), **args).numpy()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch_within_the_bound(case):
    """|y - T| <= gamma_n (|b| + sum |x w|) with n = C/g x R x S, the
    bound of section 15 for the largest tap count, T torch's float64."""
    c, k, kernel, _, _, _, groups, _ = case
    x, w, b = _data(c, k, kernel, groups, len(str(case)))
    args = _args(case)
    y = simdconv.conv_transpose2d(x, w, b, **args)
    t = _torch(x, w, b, args)
    assert y.shape == t.shape and y.dtype == np.float32
    scale = _torch(np.abs(x), np.abs(w), np.abs(b), args)
    n = c // groups * kernel * kernel
    bound = n * U / (1 - n * U) * scale + n * 2.0 ** -150
    assert (np.abs(y - t) <= bound * (1 + 2.0 ** -20)).all()


@pytest.mark.parametrize("case", CASES[::3], ids=str)
def test_oracle_with_output_padding(case):
    """simdconv.reference / error_bound with output_padding= are the
    transposed oracle: torch's float64 result within a hair (both are
    float64 sums), the fp32 result within the bound, residual included."""
    c, k, kernel, _, _, _, groups, _ = case
    x, w, b = _data(c, k, kernel, groups, 5)
    args = _args(case)
    y = simdconv.conv_transpose2d(x, w, b, **args)
    ref = simdconv.reference(x, w, b, **args)
    bound = simdconv.error_bound(x, w, b, **args)
    assert ref.shape == y.shape == bound.shape and ref.dtype == np.float64
    t = _torch(x, w, b, args)
    assert np.allclose(ref, t, rtol=1e-12, atol=1e-12)
    assert (np.abs(y - ref) <= bound).all() and (bound > 0).all()
    r = np.flip(y, 0).copy()
    yr = simdconv.conv_transpose2d(x, w, b, residual=r, alpha=-0.5, **args)
    ref_r = simdconv.reference(x, w, b, residual=r, alpha=-0.5, **args)
    assert np.allclose(ref_r, t - 0.5 * r, rtol=1e-12, atol=1e-12)
    assert (np.abs(yr - ref_r) <= simdconv.error_bound(
        x, w, b, residual=r, alpha=-0.5, **args)).all()


@pytest.mark.parametrize("case", CASES[1::2], ids=str)
def test_same_bits_everywhere(case):
    """Every usable ISA, two threads, channels_last torch input, and a
    residual added in place: the bits of the default call."""
    c, k, kernel, _, _, _, groups, _ = case
    x, w, b = _data(c, k, kernel, groups, 1)
    args = _args(case)
    y = simdconv.conv_transpose2d(x, w, b, **args)
    for isa in simdconv.info()["usable_isas"]:
        assert_same_bits(y, simdconv.conv_transpose2d(x, w, b, isa=isa,
                                                      **args), isa)
    assert_same_bits(y, simdconv.conv_transpose2d(x, w, b, threads=2,
                                                  **args), "threads")
    xt = torch.from_numpy(x).to(memory_format=torch.channels_last)
    yt = simdconv.conv_transpose2d(xt, torch.from_numpy(w), None if b is None
                                   else torch.from_numpy(b), **args)
    assert yt.is_contiguous(memory_format=torch.channels_last)
    assert_same_bits(y, yt, "channels_last")
    # alpha 1 adds r with one rounding: the bits of y + r
    r = np.flip(y, 0).copy()
    acc = r.copy()
    simdconv.conv_transpose2d(x, w, b, residual=acc, out=acc, **args)
    assert_same_bits(acc, y + r, "residual in place")


def test_module_from_torch():
    m = torch.nn.ConvTranspose2d(6, 8, 4, stride=2, padding=1,
                                 output_padding=1, groups=2, dilation=1)
    layer = simdconv.ConvTranspose2d.from_torch(m, activation="relu")
    assert (layer.in_channels, layer.out_channels) == (6, 8)
    x = torch.randn(2, 6, 5, 7, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        t = F.relu(m.double()(x.double())).numpy()
    y = layer(x)
    assert y.shape == t.shape
    assert np.abs(y.numpy() - t).max() < 1e-5
    isa, kernel = layer.kernel("nchw")
    assert kernel.startswith("f32_deconv_") or kernel.endswith("__scalar")
    copy = pickle.loads(pickle.dumps(layer))
    assert_same_bits(copy(x), y, "rebuilt")
    assert repr(copy).startswith("simdconv.ConvTranspose2d(6, 8,")


def test_forced_forward_kernel_is_unsuitable():
    x, w, b = _data(4, 6, 3, 1, 0)
    forward = [k.name for k in simdconv.kernels()
               if k.usable and k.family == "igemm"]
    for name in forward:
        with pytest.raises(simdconv.SimdconvError,
                           match="KERNEL_UNSUITABLE"):
            simdconv.conv_transpose2d(x, w, b, stride=2, kernel=name)


@pytest.mark.parametrize("args,status", [
    (dict(stride=2, output_padding=2), "SIMDCONV_ERR_OUTPUT_PADDING"),
    (dict(stride=1, output_padding=1), "SIMDCONV_ERR_OUTPUT_PADDING"),
    (dict(stride=2, groups=4), "SIMDCONV_ERR_INVALID_GROUPS"),
])
def test_rejected_as_torch_rejects(args, status):
    x, w, b = _data(6, 6, 3, 1, 0)
    with pytest.raises(RuntimeError):
        _torch(x, w, b, args)
    with pytest.raises(simdconv.SimdconvError) as e:
        simdconv.conv_transpose2d(x, w, b, **args)
    assert e.value.status == status
