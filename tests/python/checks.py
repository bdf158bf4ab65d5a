"""What the tests share: torch's float64 result of a simdconv call, and the
comparisons (within the bound, same bits)."""
import numpy as np
import torch
import torch.nn.functional as F

_TORCH_ACT = {
    None: lambda t: t, "relu": F.relu, "relu6": F.relu6,
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "silu": F.silu,
    "gelu": F.gelu, "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
}


def as_numpy(a):
    """The logical array (N, C, H, W order) of a numpy array or tensor."""
    return a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def as_torch64(a):
    return None if a is None else torch.from_numpy(
        np.ascontiguousarray(as_numpy(a), dtype=np.float64))


def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def resolved_pads(padding, kernel, dilation):
    """(top, bottom, left, right) of a padding argument, by PyTorch's rules
    ('same': dilation * (kernel - 1) in total, the smaller half first)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        pads = []
        for k, d in zip(kernel, pair(dilation)):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        return tuple(padding)
    ph, pw = pair(padding)
    return (ph, ph, pw, pw)


def torch_fp64(x, w, b=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros", activation=None, flip=False,
               residual=None, alpha=1.0):
    """(sum before the activation, result) in float64 by torch: F.pad with
    the padding mode, then F.conv2d without padding, as nn.Conv2d does;
    with a residual, the sum is F.conv2d(...) + alpha * residual (alpha as
    the float32 the library receives)."""
    X, W, B = as_torch64(x), as_torch64(w), as_torch64(b)
    if X.dim() == 3:
        X = X.unsqueeze(0)
    if flip:
        W = torch.flip(W, [2, 3])
    t, bo, l, r = resolved_pads(padding, W.shape[2:], dilation)
    mode = "constant" if padding_mode == "zeros" else padding_mode
    s = F.conv2d(F.pad(X, (l, r, t, bo), mode=mode), W, B, pair(stride), 0,
                 pair(dilation), groups)
    if residual is not None:
        R = as_torch64(residual)
        s = s + float(np.float32(alpha)) * (R.unsqueeze(0) if R.dim() == 3
                                            else R)
    if isinstance(activation, tuple):
        y = torch.clamp(s, activation[1], activation[2])
    else:
        y = _TORCH_ACT[activation](s)
    if as_numpy(x).ndim == 3:
        s, y = s[0], y[0]
    return s.numpy(), y.numpy()


def assert_within_bound(y, expected, bound, pre_activation):
    """|y - expected| <= bound, expected being torch's float64 result. The
    slack covers torch's own float64 error: at most about n 2^-53 scale in
    the sum (bound >= n 2^-24 scale), and 0.5 |s| 2^-51 where F.gelu's
    1 + erf cancels (docs/numerics.md, section 13)."""
    yd = as_numpy(y).astype(np.float64)
    bound = as_numpy(bound)
    tol = bound * (1 + 2.0 ** -20) + 2.0 ** -49 * np.abs(pre_activation)
    bad = ~(np.abs(yd - expected) <= tol)
    if bad.any():
        i = np.unravel_index(np.flatnonzero(bad)[0], bad.shape)
        raise AssertionError(
            "%d of %d outputs outside the bound, first at %s: simdconv %r, "
            "torch float64 %r, bound %r" % (bad.sum(), bad.size, i, yd[i],
                                            expected[i], bound[i]))


def assert_same_bits(a, b, what=""):
    ua = np.ascontiguousarray(as_numpy(a), dtype=np.float32).view(np.uint32)
    ub = np.ascontiguousarray(as_numpy(b), dtype=np.float32).view(np.uint32)
    assert ua.shape == ub.shape, (what, ua.shape, ub.shape)
    diff = ua != ub
    assert not diff.any(), "%s: %d of %d outputs differ bitwise" % (
        what, diff.sum(), diff.size)
