"""The same bits on every usable ISA, with 1, 2 and 3 threads, for numpy and
torch inputs in both memory layouts, on layers large enough to reach every
kernel family (depthwise, 1x1 GEMM, igemm with its K tiles)."""
import numpy as np
import pytest
import torch

import simdconv
from checks import assert_same_bits

ISAS = simdconv.info()["usable_isas"]
LAYERS = [
    # C, K, kernel, groups, stride, padding, padding_mode, H, W
    (3, 16, 3, 1, 1, 1, "zeros", 17, 19),
    (24, 40, 3, 1, 2, "same", "zeros", 15, 15),
    (64, 64, 1, 1, 1, 0, "zeros", 9, 11),
    (70, 20, 1, 1, 2, 0, "zeros", 13, 12),
    (32, 32, 3, 32, 1, 1, "reflect", 14, 13),
    (16, 48, 5, 16, 2, 2, "circular", 18, 17),
    (12, 36, 3, 4, 1, (2, 1), "replicate", 11, 16),
    (40, 72, (3, 5), 1, 1, "valid", "zeros", 12, 14),
    (8, 130, 3, 2, 1, (1, 1, 0, 2), "reflect", 10, 9),
]
ACTIVATIONS = [None, "relu6", "sigmoid", "silu", "gelu", "gelu_tanh"]


def _layer(i):
    C, K, k, g, stride, padding, mode, H, W = LAYERS[i % len(LAYERS)]
    if padding == "same":
        stride = 1
    rng = np.random.default_rng([7, i])
    kernel = k if isinstance(k, tuple) else (k, k)
    x = rng.uniform(-1, 1, (2, C, H, W)).astype(np.float32)
    w = rng.uniform(-1, 1, (K, C // g) + kernel).astype(np.float32)
    b = rng.uniform(-1, 1, K).astype(np.float32)
    args = dict(stride=stride, padding=padding, groups=g, padding_mode=mode,
                activation=ACTIVATIONS[i % len(ACTIVATIONS)])
    return x, w, b, args


@pytest.mark.parametrize("i", range(2 * len(LAYERS)))
def test_same_bits_on_every_isa_and_thread_count(i):
    x, w, b, args = _layer(i)
    if i >= len(LAYERS):  # the second round: torch tensors, channels_last
        x = torch.from_numpy(x).to(memory_format=torch.channels_last)
        w, b = torch.from_numpy(w), torch.from_numpy(b)
    first = simdconv.conv2d(x, w, b, isa="scalar", **args)
    for isa in ISAS:
        for threads in (1, 2, 3):
            y = simdconv.conv2d(x, w, b, isa=isa, threads=threads, **args)
            assert_same_bits(y, first, "%s, %d threads" % (isa, threads))


@pytest.mark.parametrize("isa", ISAS)
def test_isa_argument_reaches_the_library(isa):
    x, w, b, args = _layer(2)
    layer = simdconv.Conv2d(w, b, isa=isa, **args)
    got_isa, kernel = layer.kernel()
    assert got_isa == isa and kernel.endswith("__" + isa)


def test_nchw_and_nhwc_memory_give_the_same_bits():
    x, w, b, args = _layer(1)
    nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    assert_same_bits(simdconv.conv2d(nhwc, w, b, **args),
                     simdconv.conv2d(x, w, b, **args))


def test_batch_position_does_not_change_bits():
    x, w, b, args = _layer(0)
    both = simdconv.conv2d(x, w, b, **args)
    assert_same_bits(simdconv.conv2d(x[1:], w, b, **args), both[1:])
