"""Bad arguments raise TypeError / ValueError with the argument's name;
configurations the library rejects raise SimdconvError (a RuntimeError, as
torch raises) carrying the status name and the library's message."""
import pickle

import numpy as np
import pytest
import torch

import simdconv

X = np.zeros((1, 4, 6, 6), np.float32)
W = np.zeros((8, 4, 3, 3), np.float32)

TYPE_ERRORS = [
    (dict(input=X.astype(np.float64)), "input must be float32"),
    (dict(weight=W.astype(np.float16)), "weight must be float32"),
    (dict(input=torch.zeros(1, 4, 6, 6, dtype=torch.int32)),
     "input must be float32"),
    (dict(input=X.tolist()), "numpy.ndarray or a torch.Tensor"),
    (dict(bias=[0.0] * 8), "bias must be None"),
    (dict(stride=1.5), "stride must be an int"),
    (dict(dilation=True), "dilation must be an int"),
    (dict(isa=3), "isa must be a string"),
]
VALUE_ERRORS = [
    (dict(input=X[0, 0]), "input must have 3 or 4 dimensions"),
    (dict(weight=W[0]), "weight must have 4 dimensions"),
    (dict(input=X[:, :3]), "expects 4 input channels"),
    (dict(groups=2), "expects 8 input channels"),
    (dict(bias=np.zeros(7, np.float32)), r"bias must have shape \(8,\)"),
    (dict(stride=-1), "stride must not be negative"),
    (dict(stride=(1, 2, 3)), "stride must be an int or a pair"),
    (dict(padding="full"), "padding must be 'same', 'valid'"),
    (dict(padding_mode="mirror"), "padding_mode must be one of"),
    (dict(activation="relu7"), "activation must be None"),
    (dict(isa="sse2"), "unknown isa 'sse2'"),
    (dict(threads=0), "threads must be a positive int"),
    (dict(input=torch.zeros(1, 4, 6, 6, device="meta")),
     "input is on meta"),
]
STATUSES = [
    (dict(padding=6, padding_mode="reflect"),
     "SIMDCONV_ERR_PADDING_TOO_LARGE"),
    (dict(padding="same", stride=2), "SIMDCONV_ERR_SAME_PADDING_STRIDE"),
    (dict(weight=np.zeros((6, 2, 3, 3), np.float32), groups=2,
          input=np.zeros((1, 4, 6, 6), np.float32)),
     None),  # 6 output channels, 2 groups: valid
    (dict(weight=np.zeros((5, 2, 3, 3), np.float32), groups=2),
     "SIMDCONV_ERR_INVALID_GROUPS"),
    (dict(weight=np.zeros((8, 4, 7, 7), np.float32)),
     "SIMDCONV_ERR_EMPTY_OUTPUT"),
    (dict(activation=("clamp", 1.0, 0.0)), "SIMDCONV_ERR_INVALID_ACTIVATION"),
    (dict(stride=0), "SIMDCONV_ERR_INVALID_SIZE"),
]


def _call(**kw):
    args = dict(input=X, weight=W)
    args.update(kw)
    return simdconv.conv2d(args.pop("input"), args.pop("weight"), **args)


@pytest.mark.parametrize("kw, message", TYPE_ERRORS)
def test_type_errors(kw, message):
    with pytest.raises(TypeError, match=message):
        _call(**kw)


@pytest.mark.parametrize("kw, message", VALUE_ERRORS)
def test_value_errors(kw, message):
    with pytest.raises(ValueError, match=message):
        _call(**kw)


@pytest.mark.parametrize("kw, status", STATUSES)
def test_library_statuses(kw, status):
    if status is None:
        _call(**kw)
        return
    with pytest.raises(simdconv.SimdconvError) as info:
        _call(**kw)
    e = info.value
    assert isinstance(e, RuntimeError)
    assert e.status == status
    assert e.message and e.message in str(e) and status in str(e)
    assert e.function.startswith("simdconv_")
    copy = pickle.loads(pickle.dumps(e))
    assert (copy.code, copy.status, str(copy)) == (e.code, e.status, str(e))


def test_isa_not_built_or_not_supported():
    info = simdconv.info()
    missing = [i for i in ("avx2", "avx512", "neon")
               if i not in info["usable_isas"]]
    for isa in missing:
        with pytest.raises(simdconv.SimdconvError) as e:
            simdconv.Conv2d(W, isa=isa)
        assert e.value.status in ("SIMDCONV_ERR_ISA_NOT_BUILT",
                                  "SIMDCONV_ERR_ISA_NOT_SUPPORTED",
                                  "SIMDCONV_ERR_ISA_DISABLED")
    assert missing, "one of avx2, avx512, neon is always missing"


def test_layer_errors_at_construction_and_at_call():
    with pytest.raises(simdconv.SimdconvError, match="SAME_PADDING_STRIDE"):
        simdconv.Conv2d(W, padding="same", stride=(1, 2))
    layer = simdconv.Conv2d(W, padding=3, padding_mode="reflect")
    layer(X)  # 6 x 6: pad 3 < 6
    with pytest.raises(simdconv.SimdconvError, match="PADDING_TOO_LARGE"):
        layer(X[:, :, :3, :3])


def test_module_replacement_refuses_what_it_cannot_run():
    import simdconv.torch as st
    with pytest.raises(TypeError, match="float32"):
        st.replace_conv2d(torch.nn.Sequential(
            torch.nn.Conv2d(1, 1, 1, dtype=torch.float64)))
    with pytest.raises(TypeError, match="wraps a torch.nn.Conv2d"):
        st.SimdConv2d(torch.nn.Linear(2, 2))
