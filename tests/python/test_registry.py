"""The kernel registry from Python: simdconv.kernels() mirrors the C
catalogue, kernel= forces each usable kernel (the same bits as the
planner's choice) and refuses unknown or unsuitable ones with the library's
status; activations are named by the library (plus PyTorch's aliases)."""
import numpy as np
import pytest
import torch

import simdconv
from simdconv import _lib
from checks import assert_same_bits

KERNELS = simdconv.kernels()
# The fp32 kernels this machine runs (the int8 ones, q8_*, have their own
# tests: test_q8.py, and the C suites test_q8 and test_kernels).
USABLE = [k for k in KERNELS if k.usable and k.name.startswith("f32_")]

# Layers that between them reach every family's constraints: (C, K, kernel,
# groups, stride, padding). Each usable kernel must accept one of them in
# one of its layouts.
CANDIDATES = [
    (8, 16, 3, 8, 1, 1),      # depthwise, channel multiplier 2
    (6, 12, 1, 1, 1, 0),      # 1x1, no padding: NCHW GEMM; K <= 16
    (5, 48, 3, 1, 1, 1),      # 32 < K <= 64
    (7, 80, 3, 1, 2, 1),      # K > 64
    (8, 16, 3, 4, 1, 1),      # grouped, 2 channels per group
]
# The transposed families' candidates, run through conv_transpose2d with
# stride 2 and output_padding 1 (weights C x K/groups x R x S).
TRANSPOSED_CANDIDATES = [
    (8, 16, 4, 8, 2, 1),      # depthwise, channel multiplier 2
    (6, 12, 3, 1, 2, 1),      # K <= 16
    (5, 48, 3, 1, 2, 1),      # 32 < K <= 64
    (7, 80, 4, 1, 2, 1),      # K > 64
]


def _data(c, k, kernel, groups, seed=0, transposed=False):
    rng = np.random.default_rng([31, seed, c, k])
    x = rng.uniform(-1, 1, (2, c, 9, 11)).astype(np.float32)
    wshape = (c, k // groups) if transposed else (k, c // groups)
    w = rng.uniform(-1, 1, wshape + (kernel, kernel)).astype(np.float32)
    b = rng.uniform(-1, 1, k).astype(np.float32)
    return x, w, b


def _as_layout(x, layout):
    if layout == "nchw":
        return x
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def test_kernels_mirror_the_c_catalogue():
    assert len(KERNELS) == _lib.C.simdconv_kernel_count() > 0
    assert simdconv.info()["kernels"] == KERNELS
    assert simdconv.info()["registry_check"] is None
    usable_isas = simdconv.info()["usable_isas"]
    ranks = {}
    for i, k in enumerate(KERNELS):
        assert isinstance(k, simdconv.Kernel)
        q8 = k.family.startswith("q8_")
        assert k.name.startswith("q8_" if q8 else "f32_")
        assert k.name.endswith("__" + k.isa)
        assert _lib.kernel_index(k.name) == i
        assert k.family in ("direct", "igemm", "gemm_nchw", "dwconv",
                            "deconv_igemm", "deconv_dwconv", "q8_direct",
                            "q8_igemm", "q8_dwconv")
        assert k.tile_m >= 1 and k.tile_n >= 1 and k.constraints
        assert k.layouts and set(k.layouts) <= {"nchw", "nhwc"}
        assert k.rank == ranks.get(k.isa, 0)  # 0, 1, ... within its ISA
        ranks[k.isa] = k.rank + 1
        # usable: its ISA runs here, and so do its extra CPU features
        assert not k.usable or k.isa in usable_isas
        if not k.cpu_features:
            assert k.usable == (k.isa in usable_isas)
    assert KERNELS[-1].name == "f32_conv_direct__scalar"
    assert KERNELS[-1]._asdict()["layouts"] == ("nchw", "nhwc")


@pytest.mark.parametrize("kernel", [k.name for k in USABLE])
def test_forced_kernel_gives_the_default_bits(kernel):
    """Each usable kernel, on the first candidate layer it accepts in each
    of its layouts, runs that layer (kernel() says so) with the same bits
    as the planner's choice, also with a residual."""
    info = KERNELS[_lib.kernel_index(kernel)]
    transposed = info.family.startswith("deconv_")
    fn, cls, extra = (simdconv.conv_transpose2d, simdconv.ConvTranspose2d,
                      dict(output_padding=1)) if transposed else \
        (simdconv.conv2d, simdconv.Conv2d, {})
    ran = []
    for layout in info.layouts:
        for c, k, kernel_size, groups, stride, padding in (
                TRANSPOSED_CANDIDATES if transposed else CANDIDATES):
            x, w, b = _data(c, k, kernel_size, groups, transposed=transposed)
            x = _as_layout(x, layout)
            args = dict(stride=stride, padding=padding, groups=groups,
                        activation="silu", **extra)
            layer = cls(w, b, kernel=kernel, **args)
            try:
                y = layer(x)
            except simdconv.SimdconvError as e:
                assert e.status == "SIMDCONV_ERR_KERNEL_UNSUITABLE", e
                continue
            assert layer.kernel(layout) == (info.isa, kernel)
            assert_same_bits(y, fn(x, w, b, **args), kernel)
            r = np.flip(y, 0).copy()  # the output's shape, NCHW memory
            assert_same_bits(
                fn(x, w, b, kernel=kernel, residual=r, alpha=-0.5, **args),
                fn(x, w, b, residual=r, alpha=-0.5, **args),
                kernel + " with a residual")
            ran.append((layout, c, k, groups))
            break
    assert ran, "%s accepted none of the candidate layers" % kernel


def test_unknown_kernel_fails_at_construction():
    with pytest.raises(simdconv.SimdconvError) as e:
        simdconv.Conv2d(np.zeros((4, 4, 3, 3), np.float32),
                        kernel="f32_no_such__kernel")
    assert e.value.status == "SIMDCONV_ERR_UNKNOWN_KERNEL"
    with pytest.raises(TypeError, match="kernel must be a kernel name"):
        simdconv.Conv2d(np.zeros((4, 4, 3, 3), np.float32), kernel=3)


def test_unsuitable_kernel_fails_where_it_would_run():
    """A dense layer on a depthwise kernel, an NCHW-only kernel on NHWC
    input, and a kernel of another ISA than isa=: KERNEL_UNSUITABLE when
    the object for that layout is created (the first call, or kernel())."""
    x, w, b = _data(6, 12, 1, 1)
    dw = next(k.name for k in USABLE if k.family == "dwconv")
    layer = simdconv.Conv2d(w, b, kernel=dw)
    for call in (lambda: layer(x), lambda: layer.kernel("nchw"),
                 lambda: simdconv.conv2d(torch.from_numpy(x), w, b,
                                         kernel=dw)):
        with pytest.raises(simdconv.SimdconvError) as e:
            call()
        assert e.value.status == "SIMDCONV_ERR_KERNEL_UNSUITABLE"
        assert e.value.function == "simdconv_create"
    nchw_only = [k.name for k in USABLE if k.layouts == ("nchw",)
                 and k.family == "gemm_nchw"]
    for name in nchw_only:
        layer = simdconv.Conv2d(w, b, kernel=name)
        layer(x)  # NCHW: fine
        with pytest.raises(simdconv.SimdconvError,
                           match="KERNEL_UNSUITABLE"):
            layer(_as_layout(x, "nhwc"))
    other = [k for k in USABLE if k.isa != "scalar"]
    if other:
        with pytest.raises(simdconv.SimdconvError,
                           match="KERNEL_UNSUITABLE"):
            simdconv.conv2d(x, w, b, kernel=other[0].name, isa="scalar")


def test_kernel_of_an_unusable_isa():
    unusable = [k for k in KERNELS if not k.usable]
    if not unusable:
        pytest.skip("every ISA built is usable here")
    with pytest.raises(simdconv.SimdconvError) as e:
        simdconv.Conv2d(np.zeros((4, 4, 3, 3), np.float32),
                        kernel=unusable[0].name)
    assert e.value.status in ("SIMDCONV_ERR_ISA_NOT_BUILT",
                              "SIMDCONV_ERR_ISA_NOT_SUPPORTED",
                              "SIMDCONV_ERR_ISA_DISABLED")


def test_forced_kernel_survives_copies_and_shows_in_repr():
    import copy
    import pickle
    x, w, b = _data(6, 12, 1, 1)
    layer = simdconv.Conv2d(w, b, kernel="f32_conv_direct__scalar")
    assert "kernel='f32_conv_direct__scalar'" in repr(layer)
    for other in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert other.kernel() == ("scalar", "f32_conv_direct__scalar")
        assert_same_bits(other(x), layer(x))


def test_activation_names_come_from_the_library():
    names = _lib.activation_names()
    assert names[0] == "none" and "gelu_erf" in names.values()
    assert len(names) == 7
    for value, name in names.items():
        assert _lib.activation_value(name) == value
    with pytest.raises(ValueError, match="unknown activation"):
        _lib.activation_value("gelu")  # PyTorch's name, not the library's
    x, w, b = _data(6, 12, 3, 1)
    # PyTorch's 'gelu' is the library's 'gelu_erf'; 'none' is None
    assert_same_bits(simdconv.conv2d(x, w, b, activation="gelu"),
                     simdconv.conv2d(x, w, b, activation="gelu_erf"))
    assert_same_bits(simdconv.conv2d(x, w, b, activation="none"),
                     simdconv.conv2d(x, w, b))
    assert_same_bits(simdconv.conv2d(x, w, b, activation="relu6"),
                     simdconv.conv2d(x, w, b, activation=("clamp", 0, 6)))
    for bad in ("clamp", "relu7", ["relu"]):  # clamp needs its bounds
        with pytest.raises(ValueError, match="activation must be None"):
            simdconv.conv2d(x, w, b, activation=bad)
