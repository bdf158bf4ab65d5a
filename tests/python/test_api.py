"""The package's behaviour beyond the numbers: types and layouts in and out,
zero-copy, Conv2d's prepacking and lifetime, info(), threads."""
import copy
import pickle
import threading

import numpy as np
import pytest
import torch

import simdconv
from checks import assert_same_bits, assert_within_bound, torch_fp64

rng = np.random.default_rng(11)
X = rng.uniform(-1, 1, (2, 6, 9, 10)).astype(np.float32)
W = rng.uniform(-1, 1, (8, 6, 3, 3)).astype(np.float32)
B = rng.uniform(-1, 1, 8).astype(np.float32)


def test_info_lists_isas_and_kernels():
    info = simdconv.info()
    assert info["version"] == simdconv.__version__
    assert info["active_isa"] in info["usable_isas"]
    assert "scalar" in info["usable_isas"]
    assert set(info["usable_isas"]) <= set(info["isas_supported"])
    assert info["kernels"] == simdconv.kernels()
    assert info["registry_check"] is None


def test_numpy_in_numpy_out_torch_in_torch_out():
    y = simdconv.conv2d(X, W, B, padding=1)
    yt = simdconv.conv2d(torch.from_numpy(X), torch.from_numpy(W),
                         torch.from_numpy(B), padding=1)
    assert isinstance(y, np.ndarray) and isinstance(yt, torch.Tensor)
    assert_same_bits(y, yt)


def test_nhwc_memory_is_read_in_place():
    """An NHWC buffer seen as N x C x H x W is not copied: the result
    follows a change made to the buffer after the view was taken."""
    mem = np.ascontiguousarray(X.transpose(0, 2, 3, 1))
    view = mem.transpose(0, 3, 1, 2)
    before = simdconv.conv2d(view, W, B)
    mem[:] = 0
    after = simdconv.conv2d(view, W, B)
    assert not np.array_equal(before, after)
    assert np.array_equal(after, np.broadcast_to(B[None, :, None, None],
                                                 after.shape))


def test_other_strides_are_copied_and_give_the_same_bits():
    strided = np.repeat(X, 2, axis=3)[:, :, :, ::2]
    assert not strided.flags.c_contiguous
    assert_same_bits(simdconv.conv2d(strided, W, B), simdconv.conv2d(X, W, B))
    t = torch.from_numpy(X).transpose(2, 3)  # neither NCHW nor NHWC memory
    assert_same_bits(simdconv.conv2d(t, torch.from_numpy(W).transpose(2, 3)),
                     simdconv.conv2d(np.ascontiguousarray(X.transpose(
                         0, 1, 3, 2)), np.ascontiguousarray(W.transpose(
                             0, 1, 3, 2))))


def test_weights_in_ohwi_memory():
    w = torch.from_numpy(W).to(memory_format=torch.channels_last)
    assert_same_bits(simdconv.conv2d(X, w, B), simdconv.conv2d(X, W, B))


def test_unbatched_input_and_empty_batch():
    y = simdconv.conv2d(X[0], W, B, padding="same")
    assert y.shape == (8, 9, 10)
    assert_same_bits(y, simdconv.conv2d(X[:1], W, B, padding="same")[0])
    empty = simdconv.conv2d(torch.from_numpy(X[:0]), torch.from_numpy(W))
    assert tuple(empty.shape) == (0, 8, 7, 8)


def test_requires_grad_inputs_are_read_without_autograd():
    x = torch.from_numpy(X).requires_grad_()
    y = simdconv.conv2d(x, torch.from_numpy(W))
    assert not y.requires_grad


def test_reference_and_error_bound_types():
    t = torch.from_numpy(X).to(memory_format=torch.channels_last)
    ref = simdconv.reference(t, W, B, stride=2)
    bound = simdconv.error_bound(t, W, B, stride=2)
    assert ref.dtype == bound.dtype == torch.float64
    assert ref.is_contiguous(memory_format=torch.channels_last)
    s, expected = torch_fp64(X, W, B, stride=2)
    assert_within_bound(ref.float(), expected, bound, s)
    assert simdconv.reference(X, W).dtype == np.float64


def test_conv2d_layer_matches_the_function_on_any_batch_and_size():
    layer = simdconv.Conv2d(W, B, padding=(1, 2), padding_mode="reflect")
    for x in (X, X[:1, :, :5, :7], np.concatenate([X, X, X])):
        assert_same_bits(layer(x), simdconv.conv2d(
            x, W, B, padding=(1, 2), padding_mode="reflect"))


def test_conv2d_layer_keeps_its_own_copy_of_the_weights():
    w = W.copy()
    layer = simdconv.Conv2d(w, B)
    before = layer(X)
    w[:] = 0
    nhwc = np.ascontiguousarray(X.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    assert_same_bits(layer(X), before)
    assert_same_bits(layer(nhwc), before)  # packed after the change


def test_conv2d_layer_from_torch_module():
    m = torch.nn.Conv2d(6, 8, (3, 2), stride=(2, 1), padding=(1, 0),
                        dilation=(1, 2), padding_mode="circular")
    layer = simdconv.Conv2d.from_torch(m, activation="relu")
    x = torch.from_numpy(X)
    with torch.no_grad():
        s = copy.deepcopy(m).double()(x.double()).numpy()
    bound = simdconv.error_bound(x, m.weight.float(), m.bias.float(),
                                 stride=(2, 1), padding=(1, 0),
                                 dilation=(1, 2), padding_mode="circular",
                                 activation="relu")
    assert_within_bound(layer(x), np.maximum(s, 0), bound, s)


def test_conv2d_layer_copies_and_pickles_repack():
    layer = simdconv.Conv2d(torch.from_numpy(W), B, padding="same",
                            activation=("clamp", -0.5, None), isa="scalar")
    for other in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert_same_bits(other(X), layer(X))
        assert other.kernel() == layer.kernel()
    assert "padding='same'" in repr(layer)


def test_closed_layer_cannot_run():
    with simdconv.Conv2d(W) as layer:
        layer(X)
    with pytest.raises(ValueError, match="closed"):
        layer(X)
    layer.close()  # twice is fine


def test_concurrent_calls_from_python_threads():
    layer = simdconv.Conv2d(W, B, padding=1, threads=2)
    want = layer(X)
    results, errors = [], []

    def work():
        try:
            for _ in range(10):
                results.append(layer(X))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 40
    for y in results:
        assert_same_bits(y, want)
