"""The int8 functions: conv2d_q8 and QConv2d give the bytes of the exact
oracle (reference_q8) and of a numpy model of the definition (int64 sums,
float32 multiplier and product, half to even) on every ISA, thread count,
layout and array type; quantize_bias rounds in double; the arguments are
checked; QConv2d.from_torch agrees with torch's quantized Conv2d up to the
documented differences of its arithmetic."""
import pickle

import numpy as np
import pytest
import torch

import simdconv

F32, F64 = np.float32, np.float64


def numpy_q8(x, w, b, stride, padding, groups, xs, xzp, ws, ys, yzp, lo, hi):
    """docs/numerics.md part IV in numpy: zero padding with the input's
    zero point, exact sums, m = fp32(xs * ws / ys in double), fp32 product,
    round half to even, + zero point, saturate."""
    n, c, h, wd = x.shape
    k, cg, r, s = w.shape
    xp = np.full((n, c, h + 2 * padding, wd + 2 * padding), xzp, np.int64)
    xp[:, :, padding:padding + h, padding:padding + wd] = x
    oh = (h + 2 * padding - r) // stride + 1
    ow = (wd + 2 * padding - s) // stride + 1
    acc = np.zeros((n, k, oh, ow), np.int64)
    kg = k // groups
    for ki in range(k):
        g = ki // kg
        for ri in range(r):
            for si in range(s):
                patch = xp[:, g * cg:(g + 1) * cg,
                           ri:ri + stride * oh:stride,
                           si:si + stride * ow:stride] - xzp
                acc[:, ki] += np.einsum("nchw,c->nhw", patch,
                                        w[ki, :, ri, si].astype(np.int64))
    if b is not None:
        acc += b.astype(np.int64).reshape(1, -1, 1, 1)
    m = (F64(xs) * np.broadcast_to(ws, (k,)).astype(F64) / F64(ys)).astype(F32)
    v = (acc.astype(F32) * m.reshape(1, -1, 1, 1)).astype(F32)
    return np.clip(np.round(v.astype(F64)) + yzp, lo, hi)


def random_layer(rng, in_dtype, out_dtype, per_channel):
    groups = int(rng.integers(1, 3))
    cg, kg = int(rng.integers(1, 9)), int(rng.integers(1, 20))
    r = int(rng.integers(1, 4))
    xlo = 0 if in_dtype == "uint8" else -128
    ylo = 0 if out_dtype == "uint8" else -128
    x = rng.integers(xlo, xlo + 256, (2, cg * groups, 9, 8)).astype(in_dtype)
    w = rng.integers(-128, 128, (kg * groups, cg, r, r)).astype(np.int8)
    k = kg * groups
    ws = (rng.uniform(0.5, 2, k if per_channel else 1) / 128).astype(F32)
    xs = F32(1 / 64)
    quant = dict(input_scale=xs,
                 input_zero_point=int(rng.integers(xlo, xlo + 256)),
                 weight_scale=ws,
                 output_zero_point=int(rng.integers(ylo, ylo + 256)),
                 # sums of n products of about 74 * 74 spread over +-40
                 output_scale=F32(xs * ws.mean() * np.sqrt(cg * r * r) * 137),
                 output_dtype=out_dtype)
    b = rng.integers(-20000, 20000, k).astype(np.int32)
    geo = dict(stride=int(rng.integers(1, 3)), padding=int(rng.integers(0, 2)),
               groups=groups)
    return x, w, b, geo, quant, (ylo, ylo + 255)


@pytest.mark.parametrize("in_dtype", ["uint8", "int8"])
@pytest.mark.parametrize("out_dtype", ["uint8", "int8"])
def test_conv2d_q8_is_the_definition(in_dtype, out_dtype):
    rng = np.random.default_rng(17 + 2 * (in_dtype == "int8")
                                + (out_dtype == "int8"))
    for i in range(12):
        x, w, b, geo, quant, (lo, hi) = random_layer(
            rng, in_dtype, out_dtype, per_channel=i % 2 == 0)
        want = numpy_q8(x, w, b, geo["stride"], geo["padding"],
                        geo["groups"], quant["input_scale"],
                        quant["input_zero_point"], quant["weight_scale"],
                        quant["output_scale"], quant["output_zero_point"],
                        lo, hi)
        ref, acc = simdconv.reference_q8(x, w, b, **geo, **quant,
                                         return_acc=True)
        assert ref.dtype == np.dtype(out_dtype)
        np.testing.assert_array_equal(ref, want)
        assert acc.dtype == np.int64
        got = simdconv.conv2d_q8(x, w, b, **geo, **quant)
        np.testing.assert_array_equal(got, want)


def test_every_isa_thread_count_layout_and_type_agree():
    rng = np.random.default_rng(5)
    x, w, b, geo, quant, _ = random_layer(rng, "uint8", "int8", True)
    ref = simdconv.reference_q8(x, w, b, **geo, **quant)
    xt = torch.from_numpy(x)
    for isa in simdconv.info()["usable_isas"]:
        layer = simdconv.QConv2d(w, b, **geo, **quant, input_dtype="uint8",
                                 isa=isa)
        for threads in (1, 2):
            np.testing.assert_array_equal(layer(x, threads=threads), ref)
            y = layer(xt.to(memory_format=torch.channels_last),
                      threads=threads)
            assert y.dtype == torch.int8
            assert y.is_contiguous(memory_format=torch.channels_last)
            np.testing.assert_array_equal(y.numpy(), ref)
        assert layer.kernel()[1].startswith("q8_")
        np.testing.assert_array_equal(layer(x[0]), ref[0])  # unbatched
        layer.close()


def test_pickle_and_repr():
    rng = np.random.default_rng(6)
    x, w, b, geo, quant, _ = random_layer(rng, "int8", "uint8", False)
    layer = simdconv.QConv2d(w, b, **geo, **quant, input_dtype="int8")
    again = pickle.loads(pickle.dumps(layer))
    np.testing.assert_array_equal(again(x), layer(x))
    assert "int8 -> uint8" in repr(layer)


def test_quantize_bias_rounds_in_double_half_to_even():
    ws = np.array([0.5, 0.25], F32)
    got = simdconv.quantize_bias(np.array([2.5, -0.375], F32), 2.0, ws)
    np.testing.assert_array_equal(got, [2, -1])  # 2.5 / 1 -> 2, -0.75 -> -1
    big = simdconv.quantize_bias(np.array([1e30, -1e30], F32), 1.0, [1.0])
    np.testing.assert_array_equal(big, [2 ** 31 - 1, -2 ** 31])


def test_clamp_and_relu():
    rng = np.random.default_rng(7)
    x, w, b, geo, quant, _ = random_layer(rng, "uint8", "uint8", True)
    y = simdconv.conv2d_q8(x, w, b, **geo, **quant, clamp=(100, 140))
    assert y.min() >= 100 and y.max() <= 140
    relu = simdconv.conv2d_q8(x, w, b, **geo, **quant, activation="relu")
    assert relu.min() >= quant["output_zero_point"]
    np.testing.assert_array_equal(relu, simdconv.reference_q8(
        x, w, b, **geo, **quant, activation="relu"))


def test_arguments_are_checked():
    rng = np.random.default_rng(8)
    x, w, b, geo, quant, _ = random_layer(rng, "uint8", "uint8", True)
    with pytest.raises(TypeError, match="uint8 or int8"):
        simdconv.conv2d_q8(x.astype(F32), w, b, **geo, **quant)
    with pytest.raises(TypeError, match="int8"):
        simdconv.conv2d_q8(x, w.astype(F32), b, **geo, **quant)
    with pytest.raises(TypeError, match="int32"):
        simdconv.conv2d_q8(x, w, b.astype(F32), **geo, **quant)
    with pytest.raises(ValueError, match="weight_scale"):
        simdconv.conv2d_q8(x, w, b, **geo, **dict(quant, weight_scale=[1, 2]))
    with pytest.raises(simdconv.SimdconvError) as e:
        simdconv.conv2d_q8(x, w, b, **geo, **dict(quant, output_scale=-1.0))
    assert e.value.status == "SIMDCONV_ERR_INVALID_QPARAMS"
    with pytest.raises(simdconv.SimdconvError) as e:
        simdconv.conv2d_q8(x, w, b, **geo, **quant, activation="sigmoid")
    assert e.value.status == "SIMDCONV_ERR_UNSUPPORTED_ACTIVATION"
    layer = simdconv.QConv2d(w, b, **geo, **quant, input_dtype="int8")
    with pytest.raises(TypeError, match="takes int8 inputs"):
        layer(x)


@pytest.mark.skipif(
    "qnnpack" not in torch.backends.quantized.supported_engines,
    reason="torch without the qnnpack engine")
def test_from_torch_agrees_up_to_torch_arithmetic():
    torch.backends.quantized.engine = "qnnpack"
    rng = np.random.default_rng(9)
    m = torch.ao.nn.quantized.Conv2d(6, 10, 3, padding=1)
    wf = torch.from_numpy(rng.standard_normal((10, 6, 3, 3)).astype(F32))
    wq = torch.quantize_per_tensor(wf, 0.02, 0, torch.qint8)
    m.set_weight_bias(wq, torch.from_numpy(
        rng.standard_normal(10).astype(F32)))
    m.scale, m.zero_point = 0.05, 120
    x = rng.integers(0, 256, (1, 6, 12, 12)).astype(np.uint8)
    xq = torch._make_per_tensor_quantized_tensor(torch.from_numpy(x), 0.01,
                                                 130)
    want = m(xq).int_repr().numpy().astype(np.int64)
    layer = simdconv.QConv2d.from_torch(m, input_scale=0.01,
                                        input_zero_point=130)
    got = layer(x).astype(np.int64)
    assert np.abs(got - want).max() <= 1
    assert (got == want).mean() > 0.98


def test_int8_beside_the_fp32_features():
    """The int8 kernels are registry rows of their own families, which
    fp32 layers refuse (and int8 layers the fp32 kernels); a fused
    residual is fp32 only; fp32 residual and transposed layers work in
    the same process as int8 ones."""
    q8 = [k for k in simdconv.kernels() if k.family.startswith("q8_")]
    assert {k.family for k in q8} == {"q8_direct", "q8_igemm", "q8_dwconv"}
    assert all(k.name.startswith("q8_") for k in q8)
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (1, 4, 6, 6)).astype(F32)
    w = rng.uniform(-1, 1, (6, 4, 3, 3)).astype(F32)
    with pytest.raises(simdconv.SimdconvError) as e:
        simdconv.conv2d(x, w, kernel="q8_conv_direct__scalar")
    assert e.value.status == "SIMDCONV_ERR_KERNEL_UNSUITABLE"
    x8 = rng.integers(0, 256, (1, 4, 6, 6), dtype=np.uint8)
    w8 = rng.integers(-128, 128, (6, 4, 3, 3), dtype=np.int8)
    quant = dict(input_scale=0.05, input_zero_point=128, weight_scale=0.01,
                 output_scale=0.2, output_zero_point=128)
    layer = simdconv.QConv2d(w8, None, padding=1, **quant)
    with pytest.raises(TypeError):
        layer(x8, residual=np.zeros((1, 6, 6, 6), F32))
    y8 = layer(x8)
    assert y8.dtype == np.uint8
    np.testing.assert_array_equal(
        y8, simdconv.reference_q8(x8, w8, None, padding=1, **quant))
    y = simdconv.conv2d(x, w, padding=1)
    r = simdconv.conv2d(x, w, padding=1, residual=y, alpha=-1.0)
    assert np.all(r == 0)  # y - y, one rounding: exactly 0
    t = simdconv.conv_transpose2d(x, w.transpose(1, 0, 2, 3).copy(), stride=2)
    assert t.shape == (1, 6, 13, 13)
