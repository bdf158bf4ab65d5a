"""simdconv.torch.replace_conv2d on a small model (no torchvision): every
replaced layer stays within simdconv's bound of the original layer's exact
result, and the model gives the same bits on every ISA, thread count and
input memory layout."""
import copy

import numpy as np
import pytest
import torch
from torch import nn

import simdconv
import simdconv.torch as st
from checks import assert_same_bits, assert_within_bound

ISAS = simdconv.info()["usable_isas"]


class Block(nn.Module):
    """A depthwise-separable block, nested to test the recursion."""

    def __init__(self, c):
        super().__init__()
        self.dw = nn.Conv2d(c, c, 3, padding=1, groups=c,
                            padding_mode="reflect")
        self.pw = nn.Conv2d(c, 2 * c, 1, bias=False)

    def forward(self, x):
        return torch.relu(self.pw(torch.relu(self.dw(x))))


def small_model():
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 24, 3, stride=2, padding=1, padding_mode="replicate"),
        nn.ReLU(),
        Block(24),
        nn.Conv2d(48, 32, (3, 5), padding="same", dilation=(2, 1),
                  padding_mode="circular"), nn.ReLU(),
        nn.Conv2d(32, 10, 1),
    ).eval()


X = torch.from_numpy(np.random.default_rng(5).uniform(
    -1, 1, (2, 3, 20, 22)).astype(np.float32))


def run(model, x=X):
    with torch.no_grad():
        return model(x)


def replaced(**kw):
    return st.replace_conv2d(small_model(), **kw)


def test_every_conv2d_is_replaced_and_the_rest_kept():
    model = replaced()
    kinds = [type(m).__name__ for m in model.modules()]
    assert kinds.count("SimdConv2d") == 6 and "Conv2d" not in kinds
    assert kinds.count("ReLU") == 3 and kinds.count("Block") == 1
    assert set(model.state_dict()) == set(small_model().state_dict())


def test_each_layer_within_the_bound_of_the_original():
    """Hooks catch each replaced layer's input and output; the original
    layer in float64 on the same input is the exact result."""
    original, model = small_model(), replaced()
    seen = []
    for m in model.modules():
        if isinstance(m, st.SimdConv2d):
            m.register_forward_hook(lambda m, i, o: seen.append((m, i[0], o)))
    run(model)
    originals = [m for m in original.modules() if type(m) is nn.Conv2d]
    assert len(seen) == len(originals) == 6
    for (m, x, y), conv in zip(seen, originals):
        with torch.no_grad():
            exact = copy.deepcopy(conv).double()(x.double()).numpy()
        bound = simdconv.error_bound(
            x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups,
            m.padding_mode)
        assert_within_bound(y, exact, bound, exact)


def test_model_output_close_to_torch_fp32():
    a, b = run(small_model()), run(replaced())
    assert torch.allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 2])
def test_same_bits_on_every_isa_thread_count_and_layout(isa, threads):
    want = run(replaced(isa="scalar"))
    model = replaced(isa=isa, threads=threads)
    assert_same_bits(run(model), want, "%s, %d threads" % (isa, threads))
    y = run(model, X.to(memory_format=torch.channels_last))
    assert y.is_contiguous(memory_format=torch.channels_last)
    assert_same_bits(y, want, "%s, %d threads, channels_last" % (isa,
                                                                threads))


def test_deepcopy_and_repr():
    model = replaced(isa="avx2" if "avx2" in ISAS else None)
    assert_same_bits(run(copy.deepcopy(model)), run(model))
    assert "SimdConv2d(3, 16, kernel_size=(3, 3)" in repr(model)


def test_inference_only():
    model = replaced()
    with pytest.raises(RuntimeError, match="inference"):
        model(X.clone().requires_grad_())
    run(model, X.clone().requires_grad_())  # fine under no_grad


def test_subclasses_and_bare_layers():
    class Custom(nn.Conv2d):
        pass
    model = st.replace_conv2d(nn.Sequential(Custom(3, 4, 1)))
    assert type(model[0]) is Custom
    layer = st.replace_conv2d(nn.Conv2d(3, 4, 1))
    assert isinstance(layer, st.SimdConv2d)
