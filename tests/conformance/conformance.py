#!/usr/bin/python3
"""Conformance of simdconv with torch.nn.functional.conv2d (and scipy).

Drives the shared library through the ctypes layer of the simdconv Python
package (python/simdconv, see harness.py) on random configurations that cover
every feature (strides, asymmetric / same / valid padding, the four padding
modes, dilation, groups and depthwise, bias or not, NCHW / NHWC, OIHW / OHWI,
every activation, flip, odd sizes, special values), and for each one checks:

  * shapes: simdconv_output_shape() equals torch's output shape, and a
    configuration torch rejects is rejected by simdconv (same reason), and
    vice versa;
  * values: |y - T| <= bound (+ torch's own float64 error, see below) for
    every element, where y is the library's fp32 output, T is torch's
    float64 result (F.conv2d after F.pad for the non-zero padding modes, or
    nn.Conv2d, then the torch activation) and bound is the per-element bound
    of simdconv_reference() (docs/numerics.md); NaN must match NaN and an
    infinite T must be matched exactly;
  * the bound itself: recomputed here from torch's float64 sum and scale with
    the rule of docs/numerics.md, it equals the library's;
  * the oracle: simdconv_reference() agrees with torch float64 (to 2^-20 of
    the bound) and simdconv_compare() accepts the output;
  * exactness: integer-valued data whose partial sums stay below 2^24 give
    exactly torch's result;
  * reproducibility: every usable ISA, a thread pool and each image of the
    batch run alone give the same bits as simdconv_conv2d(); input and output
    buffers are deliberately misaligned;
  * flip: single-channel flipped cases also match scipy.signal.convolve2d on
    the (numpy-)padded input, with stride and dilation applied by slicing and
    a dilated kernel;
  * the residual family (simdconv_run_residual), its own random valid
    configurations with a residual r of the output's shape (the case's kind
    of data, -s/alpha for the worst cancellation, or uniform at the
    outputs' magnitude) and alpha 1, 0.5, -1 or random: every usable ISA
    bit for bit, in place (the output holds r) and out of place (r left
    untouched), with a thread pool; the oracle's simdconv_compare; torch's
    float64 act(F.conv2d(x) + alpha r) within the bound of
    simdconv_reference_residual, that bound recomputed from the rule in
    include/simdconv.h; integer data exact. Counted in the summary with its
    largest error/bound.

Torch's own float64 error. T is not exact: its sum has error up to about
n*2^-53*scale, and F.gelu in float64 computes 0.5*s*(1 + erf(s/sqrt 2)),
which loses all relative accuracy for s below about -6 (1 + erf cancels).
The comparison with T therefore allows bound + e_T with
e_T = 2^-50 * (1.2 * n * scale + |s| [GELUs only]); e_T is reported.

Usage:
  /usr/bin/python3 tests/conformance/conformance.py --quick   # CI, ~700 cases
  /usr/bin/python3 tests/conformance/conformance.py --long    # release
  ... --quick --case SEED      # re-run one case (its seed is printed)
  ... --quick --residual-case SEED   # re-run one residual case
Exit status 0 when every check passed, 1 otherwise.
"""
import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as sc  # noqa: E402

warnings.filterwarnings("ignore")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.special  # noqa: E402

torch.set_num_threads(1)

U = 2.0 ** -24
FLT_MAX = float(np.finfo(np.float32).max)
ACTS = ["none", "relu", "relu6", "clamp", "sigmoid", "tanh", "silu", "gelu",
        "gelu_tanh"]
DATA_KINDS = ["uniform", "int", "scaled", "tiny", "sparse", "special", "huge"]
DATA_P = [0.66, 0.10, 0.07, 0.04, 0.05, 0.05, 0.03]
SILU_XMIN = -1.2784645427610738
GELU_ERF_XMIN = -0.75179152469356446
GELU_TANH_XMIN = -0.75246142207101626

MODE_PARAMS = {
    # channels, big-channel chance, spatial, kernel choices, batch, count
    "quick": dict(cmax=10, cbig=40, hmax=13, kernels=[1, 2, 3, 3, 3, 4, 5],
                  kbig=[7, 9], nmax=3, count=500, residual_count=200,
                  seed=20240611),
    "long": dict(cmax=40, cbig=256, hmax=36, kernels=[1, 2, 3, 3, 3, 4, 5, 7],
                 kbig=[9, 11, 13], nmax=4, count=5000, residual_count=2000,
                 seed=20240612),
}


# ---------------------------------------------------------------------------
# Random configurations
# ---------------------------------------------------------------------------

def same_pads(k, d):
    total = d * (k - 1)
    return total // 2, total - total // 2


def resolved_pads(cfg):
    if cfg["padding"] == "valid":
        return (0, 0, 0, 0)
    if cfg["padding"] == "same":
        t, b = same_pads(cfg["R"], cfg["dilation"][0])
        l, r = same_pads(cfg["S"], cfg["dilation"][1])
        return (t, b, l, r)
    return tuple(cfg["pads"])


def gen_config(rng, p):
    r = rng.random
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731

    def chans(m):
        if r() < 0.08:
            return int(rng.integers(m + 1, p["cbig"] + 1))
        return int(rng.integers(1, m + 1))

    kind = rng.choice(["general", "depthwise", "grouped", "pointwise",
                       "single"], p=[0.38, 0.18, 0.12, 0.12, 0.20])
    R = pick(p["kernels"]) if r() > 0.05 else pick(p["kbig"])
    S = R if r() < 0.6 else pick(p["kernels"])
    if kind == "general":
        C, K, G = chans(p["cmax"]), chans(p["cmax"]), 1
    elif kind == "depthwise":
        C = chans(p["cmax"])
        K, G = C * pick([1, 1, 1, 2, 3]), C
    elif kind == "grouped":
        G = int(rng.integers(2, 5))
        C = G * chans(max(1, p["cmax"] // 3))
        K = G * chans(max(1, p["cmax"] // 3))
    elif kind == "pointwise":
        C, K, G, R, S = chans(p["cmax"]), chans(p["cmax"]), 1, 1, 1
    else:
        C, K, G = 1, 1, 1
    stride = [pick([1, 1, 1, 1, 1, 2, 2, 3]) for _ in range(2)]
    dil = [pick([1, 1, 1, 1, 1, 1, 2, 3]) for _ in range(2)]
    u = r()
    padding = "explicit" if u < 0.62 else ("same" if u < 0.84 else "valid")
    if padding == "same" and r() < 0.92:
        stride = [1, 1]  # otherwise an invalid configuration, on purpose
    if kind == "pointwise" and r() < 0.6:
        padding, pads = "explicit", [0, 0, 0, 0]
    if r() < 0.4:
        ph = int(rng.integers(0, R // 2 + 2))
        pw = int(rng.integers(0, S // 2 + 2))
        pads = [ph, ph, pw, pw]
    else:
        pads = [int(rng.integers(0, 4)) for _ in range(4)]
    if padding != "explicit":
        pads = [0, 0, 0, 0]
    mode = rng.choice(["zeros", "reflect", "replicate", "circular"],
                      p=[0.4, 0.2, 0.2, 0.2])
    cfg = dict(kind=str(kind), N=int(rng.integers(1, p["nmax"] + 1)), C=C,
               K=K, R=R, S=S, groups=G, stride=stride, dilation=dil,
               padding=padding, pads=pads, mode=str(mode))
    t, b, l, rr = resolved_pads(cfg)

    span = p["hmax"] if C * K <= 2048 else max(4, p["hmax"] // 3)

    def size(k, d, pa, pb):
        if r() < 0.05:  # anything: maybe invalid
            return int(rng.integers(1, max(pa, pb) + 3))
        lo = max(1, d * (k - 1) + 1 - pa - pb)
        if mode == "reflect":
            lo = max(lo, pa + 1, pb + 1)
        elif mode == "circular":
            lo = max(lo, pa, pb)
        return lo + int(rng.integers(0, span))

    cfg["H"] = size(R, dil[0], t, b)
    cfg["W"] = size(S, dil[1], l, rr)
    cfg["layout"] = "nhwc" if r() < 0.5 else "nchw"
    cfg["wlayout"] = "ohwi" if r() < 0.5 else "oihw"
    cfg["flip"] = bool(r() < (0.7 if kind == "single" else 0.25))
    cfg["bias"] = bool(r() < 0.75)
    act = ACTS[int(rng.integers(len(ACTS) + 1)) % len(ACTS)]  # none twice
    cfg["act"] = act
    lo, hi = float("-inf"), float("inf")
    if act == "relu":
        lo = 0.0
    elif act == "relu6":
        lo, hi = 0.0, 6.0
    elif act == "clamp":
        v = r()
        lo = float(np.float32(rng.uniform(-1.5, 0.5)))
        hi = float(np.float32(rng.uniform(lo, 1.5)))
        if v < 0.2:
            lo = float("-inf")
        elif v < 0.4:
            hi = float("inf")
        elif v < 0.45:
            hi = lo
    cfg["act_lo"], cfg["act_hi"] = lo, hi
    cfg["data"] = str(rng.choice(DATA_KINDS, p=DATA_P))
    symmetric = t == b and l == rr
    cfg["torch_path"] = ("module" if (padding != "explicit" or symmetric)
                         and r() < 0.5 else "functional")
    return cfg


def gen_tensor(rng, shape, kind, role):
    n = int(np.prod(shape))
    if kind == "int":
        a = rng.integers(-4, 5, size=n).astype(np.float32)
    else:
        a = rng.uniform(-1.0, 1.0, size=n).astype(np.float32)
    if kind == "scaled":
        a = (a * np.exp2(rng.integers(-24, 25, size=n))).astype(np.float32)
    elif kind == "tiny":
        a = (a * np.float32(2.0 ** (-140 if role == "b" else -70))).astype(
            np.float32)
    elif kind == "sparse":
        z = rng.random(n) < 0.7
        a[z] = np.where(rng.random(int(z.sum())) < 0.5, 0.0, -0.0)
    elif kind == "huge":
        a = (a * np.float32(2.0 ** (124 if role == "b" else 62))).astype(
            np.float32)
    elif kind == "special" and (role == "x" or rng.random() < 0.3):
        m = max(1, n // 40)
        idx = rng.integers(0, n, size=m)
        a[idx] = rng.choice(np.array([np.nan, np.inf, -np.inf], np.float32),
                            size=m)
    return a.reshape(shape)


def make_case(seed, mode):
    rng = np.random.Generator(np.random.PCG64(seed))
    cfg = gen_config(rng, MODE_PARAMS[mode])
    return (cfg,) + case_tensors(rng, cfg)


def case_tensors(rng, cfg):
    """(input, weights, bias) of a configuration, in the library's memory
    layouts."""
    cg = cfg["C"] // cfg["groups"] if cfg["C"] % cfg["groups"] == 0 else 1
    x = gen_tensor(rng, (cfg["N"], cfg["C"], cfg["H"], cfg["W"]), cfg["data"],
                   "x")
    w = gen_tensor(rng, (cfg["K"], cg, cfg["R"], cfg["S"]), cfg["data"], "w")
    b = (gen_tensor(rng, (cfg["K"],), cfg["data"], "b") if cfg["bias"]
         else None)
    # memory layouts as the library receives them
    xm = np.ascontiguousarray(x.transpose(0, 2, 3, 1) if cfg["layout"] ==
                              "nhwc" else x)
    wm = np.ascontiguousarray(w.transpose(0, 2, 3, 1) if cfg["wlayout"] ==
                              "ohwi" else w)
    return xm, wm, b


def cli_command(cfg):
    """The simdconv CLI line with the same configuration (its data differ)."""
    act = cfg["act"]
    if act == "clamp":
        act = "clamp:%r:%r" % (cfg["act_lo"], cfg["act_hi"])
    if cfg["padding"] == "explicit":
        pad = ",".join(str(v) for v in cfg["pads"])
    else:
        pad = cfg["padding"]
    parts = ["simdconv run", "-N %d" % cfg["N"], "-C %d" % cfg["C"],
             "-K %d" % cfg["K"], "--kernel %dx%d" % (cfg["R"], cfg["S"]),
             "--input %dx%d" % (cfg["H"], cfg["W"]),
             "--stride %d,%d" % tuple(cfg["stride"]),
             "--dilation %d,%d" % tuple(cfg["dilation"]),
             "--groups %d" % cfg["groups"], "--padding %s" % pad,
             "--padding-mode %s" % cfg["mode"], "--layout %s" % cfg["layout"],
             "--weights %s" % cfg["wlayout"], "--activation %s" % act]
    if cfg["flip"]:
        parts.append("--flip")
    if not cfg["bias"]:
        parts.append("--no-bias")
    if cfg["data"] == "int":
        parts.append("--data int")
    if "residual_alpha" in cfg:
        parts.append("--residual %r" % cfg["residual_alpha"])
        if cfg["in_place"]:
            parts.append("--in-place")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# Torch
# ---------------------------------------------------------------------------

def torch_activation(cfg, t):
    a = cfg["act"]
    if a == "none":
        return t
    if a == "relu":
        return F.relu(t)
    if a == "relu6":
        return F.relu6(t)
    if a == "clamp":
        lo, hi = cfg["act_lo"], cfg["act_hi"]
        if math.isinf(lo) or math.isinf(hi):
            return torch.clamp(t, min=None if math.isinf(lo) else lo,
                               max=None if math.isinf(hi) else hi)
        return F.hardtanh(t, lo, hi)
    if a == "sigmoid":
        return torch.sigmoid(t)
    if a == "tanh":
        return torch.tanh(t)
    if a == "silu":
        return F.silu(t)
    if a == "gelu":
        return F.gelu(t)
    if a == "gelu_tanh":
        return F.gelu(t, approximate="tanh")
    raise ValueError(a)


def torch_conv(cfg, xm, wm, b, absolute=False):
    """Torch float64 pre-activation sum, in the library's memory layout.

    absolute=True gives the scale sum |b| + sum |x*w| over finite terms.
    Raises whatever torch raises for an invalid configuration."""
    X, W, B = sc.torch_operands(xm, wm, b, cfg["layout"], absolute)
    if cfg["wlayout"] == "ohwi":
        W = W.permute(0, 3, 1, 2)
    if cfg["flip"]:
        W = torch.flip(W, [2, 3])
    stride, dil, groups = tuple(cfg["stride"]), tuple(cfg["dilation"]), \
        cfg["groups"]
    mode = cfg["mode"]
    if cfg["torch_path"] == "module":
        if cfg["padding"] == "explicit":
            padding = (cfg["pads"][0], cfg["pads"][2])
        else:
            padding = cfg["padding"]
        m = torch.nn.Conv2d(cfg["C"], cfg["K"], (cfg["R"], cfg["S"]),
                            stride=stride, padding=padding, dilation=dil,
                            groups=groups, bias=B is not None,
                            padding_mode=mode, dtype=torch.float64)
        Y = sc.torch_module_run(m, X, W, B)
    elif cfg["padding"] in ("same", "valid") and mode == "zeros":
        Y = F.conv2d(X, W, B, stride, cfg["padding"], dil, groups)
    else:
        if cfg["padding"] == "same" and stride != (1, 1):
            # what F.conv2d says (padding='same' is stride 1 only)
            F.conv2d(X, W, B, stride, "same", dil, groups)
        t, bb, l, r = resolved_pads(cfg)
        if mode == "zeros" and t == bb and l == r:
            Y = F.conv2d(X, W, B, stride, (t, l), dil, groups)
        else:
            Xp = F.pad(X, (l, r, t, bb),
                       mode="constant" if mode == "zeros" else mode)
            Y = F.conv2d(Xp, W, B, stride, 0, dil, groups)
    if cfg["layout"] == "nhwc":
        Y = Y.permute(0, 2, 3, 1)
    return Y.contiguous()


def torch_error_reason(msg):
    """Which simdconv status a torch error message corresponds to."""
    if "should be less than the corresponding input" in msg or \
            "wrapping around more than once" in msg:
        return "ERR_PADDING_TOO_LARGE"
    if "not supported for strided convolutions" in msg:
        return "ERR_SAME_PADDING_STRIDE"
    if "Kernel size can't be greater" in msg:
        return "ERR_EMPTY_OUTPUT"
    if "groups" in msg:
        return "ERR_INVALID_GROUPS"
    if "non-positive" in msg or "should be greater than zero" in msg:
        return "ERR_INVALID_SIZE"
    return "?"


# ---------------------------------------------------------------------------
# The bound, recomputed from docs/numerics.md (sections 3 and 4)
# ---------------------------------------------------------------------------

# The C library's exp, tanh and erfc (Python's math module calls them), so
# that the recomputed bound is the library's to the last bit where the rule
# meets a power of two (ulp32 of a value that rounds to 1.0 or just below).
def _libm(f):
    def g(x):
        try:
            return f(x)
        except (OverflowError, ValueError):
            return math.inf if x > 0 else math.nan
    u = np.frompyfunc(g, 1, 1)
    return lambda x: np.asarray(u(x), dtype=np.float64)


_exp, _tanh, _erfc = _libm(math.exp), _libm(math.tanh), _libm(math.erfc)


def np_sigmoid(s):
    e = _exp(-np.abs(s))
    return np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def np_act(act, s):
    """The activations in double, as src/reference.c evaluates them (these
    are accurate everywhere; torch's float64 GELUs are not, see above)."""
    s = np.asarray(s, dtype=np.float64)
    with np.errstate(all="ignore"):
        if act == "sigmoid":
            return np_sigmoid(s)
        if act == "tanh":
            return _tanh(s)
        if act == "silu":
            return s * np_sigmoid(s)
        if act == "gelu":
            return 0.5 * s * _erfc(-s / math.sqrt(2.0))
        if act == "gelu_tanh":
            k = 2.0 * math.sqrt(2.0 / math.pi)
            return s * np_sigmoid(k * (s + 0.044715 * s * s * s))
    raise ValueError(act)


def ulp32(v):
    v = np.asarray(v, dtype=np.float64)
    _, e = np.frexp(np.where(np.isfinite(v) & (v > 0), v, 1.0))
    out = np.ldexp(1.0, e - 24)
    out = np.where(v >= 2.0 ** -126, out, 2.0 ** -149)
    return np.where(np.isinf(v), np.inf, out)


# rho, K, x_min, prefactor: docs/numerics.md section 4 (keep in step with it)
ACT_ERR = {
    "sigmoid": (0.0, 6.0, None, False), "tanh": (0.0, 2.0, None, False),
    "silu": (0.0, 7.0, SILU_XMIN, True),
    "gelu": (3.0, 7.0, GELU_ERF_XMIN, True),
    "gelu_tanh": (7.0, 13.0, GELU_TANH_XMIN, True),
}


def residual_bound(s0, d, ar):
    """(s, bound) after the residual add fmaf(alpha, r, acc), acc within d
    of the sum s0 and ar = alpha * r: one more rounding, relative 2^-24 or
    absolute 2^-150 (the rule of simdconv_reference_residual in
    include/simdconv.h; exact where the result is not finite)."""
    s = s0 + ar
    with np.errstate(all="ignore"):
        out = d + U * (np.abs(s) + d) + 2.0 ** -150
        out = np.where(np.abs(s) + out > FLT_MAX, np.inf, out)
        out = np.where(np.isinf(s), np.where(
            np.isinf(s0) | (np.abs(s0) + d <= FLT_MAX), 0.0, np.inf), out)
        out = np.where(np.isinf(d) | np.isnan(s),
                       np.where(np.isnan(s), 0.0, d), out)
    return s, out


def my_bound(act, n, s, scale, ar=None):
    """(bound, edge): the bound of docs/numerics.md from torch's float64 sum
    s and scale (with the residual add of ar = alpha * r unless None), and a
    tolerance that is non-zero only where g's range touches a power of two
    within 2^-40 (there ulp32() may fall in either binade, given that s
    differs from the oracle's in the last bits)."""
    edge = np.zeros(s.shape)
    if n * U >= 1.0:
        return np.full(s.shape, np.inf), edge
    gamma = n * U / (1.0 - n * U)
    with np.errstate(all="ignore"):
        d0 = gamma * scale + n * 2.0 ** -150
        overflow = scale * (1.0 + gamma) + d0 > FLT_MAX
        # the sum's bound: exact where s is not finite, unless a finite
        # partial sum could overflow
        d = np.where(overflow, np.inf, np.where(np.isinf(s), 0.0, d0))
        d = np.where(np.isnan(s), 0.0, d)
        if ar is not None:
            s, d = residual_bound(s, d, ar)
        # the activation acts on finite values with a finite bound, also
        # a zero one (a transposed output without taps: bias + 0.0f is
        # exact, its activation still rounds)
        live = np.isfinite(s) & np.isfinite(d)
        if act in ("none", "relu", "relu6", "clamp"):
            bound = d.copy()
        else:
            rho, K, xmin, pref = ACT_ERR[act]
            sf = np.where(np.isfinite(s), s, 0.0)
            dl = np.where(live, d, 0.0)
            delta = dl + rho * U * (np.abs(sf) + dl)
            a, b = sf - delta, sf + delta
            ga, gb = np_act(act, a), np_act(act, b)
            glo, ghi = np.minimum(ga, gb), np.maximum(ga, gb)
            if xmin is not None:
                inside = (a <= xmin) & (xmin <= b)
                glo = np.where(inside, np.minimum(glo, np_act(act, np.array(
                    xmin))), glo)
            gs = np_act(act, sf)
            gmax = np.maximum(np.abs(glo), np.abs(ghi))
            m, _ = np.frexp(gmax)
            edge = np.where(live & ((np.abs(m - 0.5) < 2.0 ** -41) |
                                    (np.abs(m - 1.0) < 2.0 ** -40)),
                            1.01 * K * gmax * U, 0.0)
            bound = (np.maximum(ghi - gs, gs - glo) + K * ulp32(gmax)
                     + 2.0 ** -148 + 2.0 ** -40 * gmax)
            if pref:
                bound = bound + np.where(a < 0, 2.0 ** -147 * np.minimum(
                    np.abs(a), 128.0), 0.0)
            bound = np.where(live, bound, d)
    return bound, edge


# ---------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.cases = self.passed = self.failed = 0
        self.valid = self.invalid = 0
        self.elements = 0
        self.exact_cases = 0
        self.scipy_cases = 0
        self.unbounded = 0
        self.per_case_ratio = []        # max error/bound per valid case
        self.worst = (-1.0, None, None)  # (ratio, seed, description)
        self.per_case_ulp = []          # max ULPs per valid case
        self.per_case_ulp_cond = []     # same, |s| >= scale/16 only
        self.gelu_torch_weak = 0        # F.gelu outputs too inexact to judge
        self.bound_binade = 0           # bound differs by one ulp32 binade
        self.per_act = {}               # act -> list of max ratio
        self.per_data = {}              # data kind -> list of max ratio
        self.sample = []                # pooled element ratios (sampled)
        self.max_oracle_vs_torch = 0.0  # max |ref - T| / bound
        self.max_eT_over_bound = 0.0
        self.kernels = {}
        self.invalid_reasons = {}
        self.failures = []


check_bits = sc.check_bits


def judge_torch(cfg, n, s, ar, scale, T, y, ref, bound, st, errs,
                bound_fn=None):
    """Checks the library's output y, its oracle ref and its bound against
    torch's float64 sum s (plus ar = alpha * r for the residual family, or
    None) with T = act(s + ar) by torch: the bound recomputed from
    docs/numerics.md, |y - T| <= bound + e_T (torch's own error), the oracle
    within 2^-20 of the bound of T. bound_fn: my_bound, or a function of
    the same arguments for n one per output (the transposed family).
    Appends to errs; returns what the statistics need."""
    mb, edge = (bound_fn or my_bound)(cfg["act"], n, s, scale, ar)
    if ar is not None:
        s = s + ar  # exact: alpha * r is a product of two floats
    with np.errstate(all="ignore"):
        same = (mb == bound) | (np.abs(mb - bound) <= 1e-6 * np.abs(bound))
        if cfg["act"] in ACT_ERR and not same.all():
            # torch's s and the oracle's differ in the last bits; where
            # g(s +- delta) is within a rounding of a power of two, ulp32()
            # of it may fall in either binade
            edge = ~same & (np.abs(mb - bound) <= edge + 1e-6 * np.abs(bound))
            st.bound_binade += int(edge.sum())
            same |= edge
    if not same.all():
        i = int(np.flatnonzero(~same)[0])
        errs.append("bound: library %r, recomputed %r at %d (s=%r, scale=%r)"
                    % (bound[i], mb[i], i, s[i], scale[i]))
    # Torch's own float64 error. Its sum is within e = 1.2 n 2^-50 scale of
    # the exact one (recursive summation: (n-1) 2^-53 scale); pushed through
    # the activation, plus 2^-48 |g| for torch's evaluation of g.
    e = 2.0 ** -50 * 1.2 * n * np.nan_to_num(scale, posinf=0.0)
    if ar is not None:  # and one rounding of + alpha r
        e = e + 2.0 ** -52 * np.nan_to_num(np.abs(s), posinf=0.0)
    sf = np.nan_to_num(s, nan=0.0, posinf=0.0, neginf=0.0)
    if cfg["act"] in ("none", "relu", "relu6", "clamp"):
        eT = e
        Tp = T
    else:
        gs = np_act(cfg["act"], sf)
        with np.errstate(all="ignore"):
            eT = (np.maximum(np.abs(np_act(cfg["act"], sf + e) - gs),
                             np.abs(np_act(cfg["act"], sf - e) - gs))
                  + 2.0 ** -48 * np.abs(gs))
        Tp = T
        if cfg["act"] in ("gelu", "gelu_tanh"):
            # F.gelu computes 0.5 s (1 + erf(s/sqrt 2)) (or with tanh), whose
            # 1 + erf cancels for s < -6: its absolute error is up to about
            # 0.5 |s| 2^-51. T' re-evaluates the activation accurately on
            # torch's float64 sum; both are checked, statistics use T'.
            Tp = np.where(np.isfinite(s), gs, T)
            eG = eT + 0.5 * np.abs(sf) * 2.0 ** -50 + 2.0 ** -44 * np.abs(gs)
            with np.errstate(all="ignore"):
                gbad = (np.isfinite(T) & ~np.isinf(bound) &
                        ~(np.abs(y - T) <= bound + eG))
            if gbad.any():
                i = int(np.flatnonzero(gbad)[0])
                errs.append("torch F.gelu: %d elements outside the bound, "
                            "first at %d: y=%r torch=%r bound=%r e_T=%r"
                            % (int(gbad.sum()), i, float(y[i]), T[i],
                               bound[i], eG[i]))
            st.gelu_torch_weak += int((np.isfinite(T) & (eG > bound)).sum())
    T = Tp
    yd = y.astype(np.float64)
    unb = np.isinf(bound)
    tn, tinf = np.isnan(T), np.isinf(T)
    fin = ~unb & ~tn & ~tinf
    bad = ~unb & ((tn & ~np.isnan(yd)) | (tinf & (yd != T)))
    with np.errstate(all="ignore"):
        err = np.abs(yd - T)
        bad |= fin & ~(err <= bound + eT)
        # the oracle against torch: classes and values
        obad = ~unb & ((tn != np.isnan(ref)) | (tinf & (ref != T)))
        oerr = np.where(fin, np.abs(ref - T), 0.0)
        obad |= fin & ~(oerr <= 2.0 ** -20 * bound + eT)
        cond = np.abs(sf) >= scale / 16  # outputs without heavy cancellation
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        errs.append("torch: %d elements outside the bound, first at %d: "
                    "y=%r torch=%r |err|=%r bound=%r e_T=%r oracle=%r"
                    % (int(bad.sum()), i, float(y[i]), T[i], err[i], bound[i],
                       eT[i], ref[i]))
    if obad.any():
        i = int(np.flatnonzero(obad)[0])
        errs.append("oracle vs torch: %d elements differ, first at %d: "
                    "ref=%r torch=%r bound=%r" % (int(obad.sum()), i, ref[i],
                                                  T[i], bound[i]))
    pos = fin & (bound > 0)
    ratio = np.where(pos, err / np.where(pos, bound, 1.0), 0.0)
    oratio = np.where(pos, oerr / np.where(pos, bound, 1.0), 0.0)
    with np.errstate(all="ignore"):
        ulps = np.where(fin, err / ulp32(np.abs(T.astype(np.float32)).astype(
            np.float64)), 0.0)
        et_ratio = np.where(pos, eT / np.where(pos, bound, 1.0), 0.0)
    return dict(T=T, yd=yd, unb=unb, fin=fin, cond=cond, err=err, pos=pos,
                ratio=ratio, oratio=oratio, ulps=ulps, et_ratio=et_ratio,
                eT=eT)


def run_case(lib, seed, mode, idx, st, verbose=False):
    cfg, xm, wm, b = make_case(seed, mode)
    errs = []
    d = lib.desc(cfg)
    N, H, W = cfg["N"], cfg["H"], cfg["W"]

    # -- validity and shape: torch and simdconv must agree -----------------
    try:
        T_sum = torch_conv(cfg, xm, wm, b)
        torch_err = None
    except (RuntimeError, ValueError) as e:
        T_sum, torch_err = None, str(e).splitlines()[0]
    s_st = lib.validate(d)
    if s_st == sc.OK:
        s_st, OH, OW = lib.output_shape(d, H, W)
    if torch_err is not None:
        st.invalid += 1
        want = torch_error_reason(torch_err)
        got = sc.STATUS.get(s_st, str(s_st))
        st.invalid_reasons[got] = st.invalid_reasons.get(got, 0) + 1
        if s_st == sc.OK:
            errs.append("torch rejects (%s) but simdconv accepts" % torch_err)
        elif want != got:
            errs.append("torch rejects (%s: %s) but simdconv says %s"
                        % (want, torch_err, got))
        # the library's other entry points must reject it too (the buffer
        # is large enough for any output shape of this input)
        if s_st != sc.OK:
            t_, b_, l_, r_ = resolved_pads(cfg)
            out = np.zeros(N * cfg["K"] * (H + t_ + b_ + 1) *
                           (W + l_ + r_ + 1), np.float32)
            if lib.conv2d(d, N, H, W, xm, wm, b, out) == sc.OK:
                errs.append("simdconv_conv2d accepted an invalid "
                            "configuration")
        return cfg, errs
    st.valid += 1
    if s_st != sc.OK:
        errs.append("simdconv rejects a configuration torch accepts: %s"
                    % lib.status_string(s_st))
        return cfg, errs
    if T_sum.ndim == 4 and cfg["layout"] == "nhwc":
        t_shape = (T_sum.shape[1], T_sum.shape[2])
    else:
        t_shape = (T_sum.shape[2], T_sum.shape[3])
    if (OH, OW) != t_shape:
        errs.append("output shape: simdconv %dx%d, torch %dx%d"
                    % (OH, OW, t_shape[0], t_shape[1]))
        return cfg, errs
    st_p, pads = lib.resolved_padding(d)
    if st_p != sc.OK or pads != resolved_pads(cfg):
        errs.append("resolved padding %r, expected %r" % (pads,
                                                           resolved_pads(cfg)))

    # -- the library: one-shot, every ISA, threads, batch positions --------
    n_out = N * cfg["K"] * OH * OW
    y = sc.check_library(lib, d, (N, H, W), n_out, xm, wm, b, idx,
                         st.kernels, errs)
    if y is None:
        return cfg, errs

    # -- the library's oracle ----------------------------------------------
    oracle = sc.check_oracle(lib, d, (N, H, W), xm, wm, b, y, errs)
    if oracle is None:
        return cfg, errs
    ref, bound = oracle

    # -- torch float64 -----------------------------------------------------
    s = T_sum.numpy().reshape(-1)
    T = torch_activation(cfg, T_sum).numpy().reshape(-1)
    scale = torch_conv(cfg, xm, wm, b, absolute=True).numpy().reshape(-1)
    n = (cfg["C"] // cfg["groups"]) * cfg["R"] * cfg["S"]
    j = judge_torch(cfg, n, s, None, scale, T, y, ref, bound, st, errs)
    T, yd, unb, fin, cond, eT = (j[k] for k in ("T", "yd", "unb", "fin",
                                                "cond", "eT"))
    pos, ratio, oratio, ulps, et_ratio = (j[k] for k in (
        "pos", "ratio", "oratio", "ulps", "et_ratio"))
    st.unbounded += int(unb.sum())
    st.elements += n_out
    if pos.any():
        r = float(ratio.max())
        st.per_case_ratio.append(r)
        if r > st.worst[0]:
            i = int(np.argmax(ratio))
            st.worst = (r, seed, "n=%d, %s, %s data, y=%r, torch=%r, bound=%r"
                        % (n, cfg["act"], cfg["data"], float(y[i]), T[i],
                           bound[i]))
        st.per_case_ulp.append(float(ulps.max()))
        if (fin & cond).any():
            st.per_case_ulp_cond.append(float(ulps[fin & cond].max()))
        st.per_act.setdefault(cfg["act"], []).append(r)
        st.per_data.setdefault(cfg["data"], []).append(r)
        st.max_oracle_vs_torch = max(st.max_oracle_vs_torch,
                                     float(oratio.max()))
        st.max_eT_over_bound = max(st.max_eT_over_bound,
                                   float(et_ratio[pos].max()))
        vals = ratio[pos]
        if vals.size > 200:
            vals = np.random.Generator(np.random.PCG64(seed)).choice(
                vals, 200, replace=False)
        st.sample.append(vals)

    # -- integer data: exact ---------------------------------------------
    if cfg["data"] == "int" and cfg["act"] in ("none", "relu", "relu6",
                                               "clamp"):
        # |x|, |w|, |b| <= 4: every partial sum is an integer below
        # 16 n + 4 < 2^24, so each fmaf is exact
        if 16 * n + 4 < 2 ** 24:
            st.exact_cases += 1
            if not np.array_equal(yd, T):
                i = int(np.flatnonzero(yd != T)[0])
                errs.append("integer data not exact at %d: %r vs %r"
                            % (i, float(y[i]), T[i]))

    # -- scipy.signal.convolve2d for single-channel flips -------------------
    # (a dilated kernel has zeros between its taps: 0 * Inf would make NaN
    # that the strided sum never computes, so skip non-finite data there)
    if cfg["flip"] and cfg["C"] == 1 and cfg["K"] == 1 and not (
            cfg["dilation"] != [1, 1] and not np.isfinite(xm).all()):
        st.scipy_cases += 1
        check_scipy(cfg, xm, wm, b, y, bound, eT, errs)
    return cfg, errs


NP_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
          "circular": "wrap"}


def check_scipy(cfg, xm, wm, b, y, bound, eT, errs):
    N, H, W = cfg["N"], cfg["H"], cfg["W"]
    t, bb, l, r = resolved_pads(cfg)
    k = wm.reshape(cfg["R"], cfg["S"]).astype(np.float64)
    dh, dw = cfg["dilation"]
    kd = np.zeros(((cfg["R"] - 1) * dh + 1, (cfg["S"] - 1) * dw + 1))
    kd[::dh, ::dw] = k  # dilating commutes with flipping
    sh, sw = cfg["stride"]
    outs = []
    for i in range(N):
        img = xm.reshape(N, H, W)[i].astype(np.float64)
        p = np.pad(img, ((t, bb), (l, r)), mode=NP_PAD[cfg["mode"]])
        o = scipy.signal.convolve2d(p, kd, mode="valid")[::sh, ::sw]
        if b is not None:
            o = o + float(b[0])
        outs.append(o)
    Sx = np.stack(outs).reshape(-1)
    if cfg["act"] in ("gelu", "gelu_tanh"):  # accurate, unlike F.gelu's tail
        Sx = np_act(cfg["act"], Sx)
    else:
        Sx = torch_activation(cfg, torch.from_numpy(Sx)).numpy()
    if Sx.size != y.size:
        errs.append("scipy: %d outputs, simdconv %d" % (Sx.size, y.size))
        return
    yd = y.astype(np.float64)
    with np.errstate(all="ignore"):
        ok = (np.isinf(bound) | (np.isnan(Sx) & np.isnan(yd)) |
              (yd == Sx) | (np.abs(yd - Sx) <= bound + eT))
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        errs.append("scipy.signal.convolve2d: %d elements outside the bound, "
                    "first at %d: y=%r scipy=%r bound=%r"
                    % (int((~ok).sum()), i, float(y[i]), Sx[i], bound[i]))


# ---------------------------------------------------------------------------
# The residual family: act(F.conv2d(x) + alpha * r), simdconv_run_residual
# ---------------------------------------------------------------------------

# alpha None: a random float32 of either sign with 0.1 <= |alpha| <= 2.
RESIDUAL_ALPHAS = [1.0, 1.0, 0.5, -1.0, None]
# data: drawn like the case's data (NaN and Inf included for 'special');
# cancel: -s / alpha rounded to fp32, so s + alpha r is the rounding error
# of s (the worst cancellation); scaled: uniform at the outputs' magnitude.
RESIDUAL_KINDS = ["data", "data", "cancel", "scaled"]


class ResidualStats:
    def __init__(self):
        self.cases = self.in_place = self.elements = self.exact_cases = 0
        self.per_case_ratio = []
        self.worst = (-1.0, None, None)
        self.per_alpha, self.per_kind, self.per_act = {}, {}, {}
        self.kernels = {}


def make_residual_case(lib, seed, mode):
    """A configuration the library accepts (redrawn until it does), its
    tensors, the residual (the output's shape, in the library's layout),
    alpha (a float32 value), the residual's kind and whether the run
    accumulates in place."""
    rng = np.random.Generator(np.random.PCG64(seed))
    for _ in range(1000):
        cfg = gen_config(rng, MODE_PARAMS[mode])
        if cfg["C"] % cfg["groups"] or cfg["K"] % cfg["groups"]:
            continue
        d = lib.desc(cfg)
        if lib.validate(d) != sc.OK:
            continue
        rc, OH, OW = lib.output_shape(d, cfg["H"], cfg["W"])
        if rc == sc.OK:
            break
    else:
        raise RuntimeError("no valid configuration drawn")
    xm, wm, b = case_tensors(rng, cfg)
    cfg, rm = residual_draw(rng, cfg, OH, OW,
                            lambda: torch_conv(cfg, xm, wm, b).numpy())
    return cfg, xm, wm, b, OH, OW, rm


def residual_draw(rng, cfg, OH, OW, torch_sum):
    """The residual of a case (shared with the transposed family): alpha,
    the residual's kind, in place or not (added to cfg) and r, in the
    library's layout; torch_sum() gives torch's float64 sum there."""
    alpha = RESIDUAL_ALPHAS[int(rng.integers(len(RESIDUAL_ALPHAS)))]
    if alpha is None:
        alpha = float(np.float32(rng.choice([-1.0, 1.0]) *
                                 rng.uniform(0.1, 2.0)))
    kind = RESIDUAL_KINDS[int(rng.integers(len(RESIDUAL_KINDS)))]
    in_place = bool(rng.random() < 0.5)
    shape = ((cfg["N"], OH, OW, cfg["K"]) if cfg["layout"] == "nhwc"
             else (cfg["N"], cfg["K"], OH, OW))
    if kind == "data":
        rm = gen_tensor(rng, shape, cfg["data"], "r")
    else:
        with np.errstate(all="ignore"):
            s = torch_sum()
            s = np.where(np.isfinite(s), s, 0.0)
            if kind == "cancel":
                rm = (-s / alpha).astype(np.float32)
            else:
                top = float(np.abs(s).max()) or 1.0
                rm = (rng.uniform(-1.0, 1.0, shape) * top).astype(np.float32)
    cfg = dict(cfg, residual_alpha=alpha, residual_kind=kind,
               in_place=in_place)
    return cfg, np.ascontiguousarray(rm, np.float32)


def run_residual_case(lib, seed, mode, idx, st, rs):
    """One residual case: every usable ISA (in place or out of place, as
    drawn, and the other way with a thread pool on one ISA) bit for bit,
    the residual left untouched when it is not the output, the oracle's
    compare, and torch's float64 act(F.conv2d(x) + alpha r) within
    simdconv_reference_residual's bound."""
    cfg, xm, wm, b, OH, OW, rm = make_residual_case(lib, seed, mode)
    errs = []
    d = lib.desc(cfg)
    y = residual_library_runs(lib, cfg, d, xm, wm, b, rm, idx, rs, errs)
    if y is None:
        return cfg, errs
    alpha = cfg["residual_alpha"]
    oracle = sc.check_oracle(lib, d, (cfg["N"], cfg["H"], cfg["W"]), xm, wm,
                             b, y, errs, rm, alpha)
    if oracle is None:
        return cfg, errs
    ref, bound = oracle
    s = torch_conv(cfg, xm, wm, b).numpy().reshape(-1)
    scale = torch_conv(cfg, xm, wm, b, absolute=True).numpy().reshape(-1)
    n = (cfg["C"] // cfg["groups"]) * cfg["R"] * cfg["S"]
    residual_judge(cfg, seed, n, s, scale, rm, y, ref, bound, st, rs, errs)
    return cfg, errs


def residual_library_runs(lib, cfg, d, xm, wm, b, rm, idx, rs, errs):
    """simdconv_run_residual on every usable ISA (in place or out of place,
    as drawn, and the other way with a 2-thread pool on one ISA), bit for
    bit alike, the residual left untouched when it is not the output.
    Returns the output (None when no ISA ran)."""
    N, H, W = cfg["N"], cfg["H"], cfg["W"]
    alpha, in_place = cfg["residual_alpha"], cfg["in_place"]
    n_out = rm.size
    r_flat = rm.reshape(-1)

    def run(conv, ws, xin, place, misalign, pool=None):
        yo = sc.aligned_f32(n_out, misalign)
        if place:
            yo[:] = r_flat
            rc = lib.run_residual(conv, N, H, W, xin, yo, alpha, yo, ws, pool)
        else:
            rin = sc.aligned_f32(n_out, (misalign + 1) % 5)
            rin[:] = r_flat
            rc = lib.run_residual(conv, N, H, W, xin, rin, alpha, yo, ws,
                                  pool)
            check_bits("residual left as it was", rin, r_flat, errs)
        if rc != sc.OK:
            errs.append("simdconv_run_residual: %s" % lib.status_string(rc))
        return yo

    y = None
    isas = lib.usable_isas
    for j, isa in enumerate(isas):
        rc, conv = lib.create(d, wm, b, isa)
        if rc != sc.OK:
            errs.append("simdconv_create(%s): %s" % (lib.isa_name(isa),
                                                     lib.status_string(rc)))
            continue
        kname = lib.info(conv)[2]
        rs.kernels[kname] = rs.kernels.get(kname, 0) + 1
        _, wsz = lib.workspace_size(conv, N, H, W)
        ws = np.zeros(wsz + 1, np.uint8)[1:] if wsz else None
        xin = sc.aligned_f32(xm.size, 1 + (idx + j) % 3)
        xin[:] = xm.reshape(-1)
        yo = run(conv, ws, xin, in_place, (idx + 2 * j) % 5)
        name = "%s %s" % (lib.isa_name(isa),
                          "in place" if in_place else "out of place")
        if y is None:
            y, first = yo, name
        else:
            check_bits("%s vs %s" % (name, first), yo, y, errs)
        if (idx + j) % len(isas) == 0:  # one ISA per case: the other way
            pool = lib.shared_pool(2)
            yt = run(conv, None, xm, not in_place, 0, pool)
            check_bits("%s, %s, 2 threads" % (lib.isa_name(isa), "out of "
                       "place" if in_place else "in place"), yt, y, errs)
        lib.destroy(conv)
    return y


def residual_judge(cfg, seed, n, s, scale, rm, y, ref, bound, st, rs, errs,
                   bound_fn=None):
    """Torch's float64 act(s + alpha r) against y, the oracle and its bound
    (judge_torch; n the taps per output, a number or one per output), and
    the residual family's statistics."""
    alpha, in_place = cfg["residual_alpha"], cfg["in_place"]
    ar = alpha * rm.reshape(-1).astype(np.float64)  # exact: 2 floats' product
    with np.errstate(all="ignore"):
        T = torch_activation(cfg, torch.from_numpy(s + ar)).numpy()
    j = judge_torch(cfg, n, s, ar, scale, T, y, ref, bound, st, errs,
                    bound_fn)

    rs.cases += 1
    rs.in_place += in_place
    rs.elements += y.size
    st.unbounded += int(j["unb"].sum())
    r = float(j["ratio"].max()) if j["pos"].any() else 0.0
    rs.per_case_ratio.append(r)
    if r > rs.worst[0]:
        i = int(np.argmax(j["ratio"]))
        rs.worst = (r, seed, "n=%d, %s, alpha %r, %s residual, %s data, "
                    "y=%r, torch=%r, bound=%r" % (
                        np.broadcast_to(n, y.shape)[i], cfg["act"], alpha, cfg["residual_kind"],
                        cfg["data"], float(y[i]), j["T"][i], bound[i]))
    a = alpha if alpha in (1.0, 0.5, -1.0) else "random"
    for table, key in ((rs.per_alpha, a), (rs.per_kind, cfg["residual_kind"]),
                       (rs.per_act, cfg["act"])):
        table.setdefault(key, []).append(r)
    # integer data, integer residual, alpha 1 / 0.5 / -1: every step exact
    if (cfg["data"] == "int" and cfg["residual_kind"] == "data" and
            alpha in (1.0, 0.5, -1.0) and
            cfg["act"] in ("none", "relu", "relu6", "clamp") and
            16 * int(np.max(n)) + 8 < 2 ** 22):
        rs.exact_cases += 1
        if not np.array_equal(j["yd"], j["T"]):
            i = int(np.flatnonzero(j["yd"] != j["T"])[0])
            errs.append("integer data not exact at %d: %r vs %r"
                        % (i, float(y[i]), j["T"][i]))


def residual_summary(rs):
    """The residual family's lines of the report."""
    lines = ["residual family: %d cases (%d in place), %d outputs compared, "
             "%d exact integer-data cases" % (rs.cases, rs.in_place,
                                             rs.elements, rs.exact_cases),
             "  kernels exercised (cases x ISAs): " + ", ".join(
                 "%s %d" % kv for kv in sorted(rs.kernels.items())),
             "  " + dist_line("max error/bound per case (vs torch float64)",
                              rs.per_case_ratio)]
    if rs.worst[1] is not None:
        lines.append("  largest error/bound %.6g: case seed %d (%s)"
                     % rs.worst)
    for name, table in (("alpha", rs.per_alpha), ("residual", rs.per_kind),
                        ("activation", rs.per_act)):
        lines.append("  by %s: " % name + ", ".join(
            "%s %d cases max %.3g" % (k, len(v), max(v))
            for k, v in sorted(table.items(), key=lambda kv: str(kv[0]))))
    return lines


# ---------------------------------------------------------------------------
# Fixed cases
# ---------------------------------------------------------------------------

def base_cfg(**kw):
    cfg = dict(kind="fixed", N=1, C=1, K=1, R=3, S=3, groups=1, stride=[1, 1],
               dilation=[1, 1], padding="explicit", pads=[0, 0, 0, 0],
               mode="zeros", H=4, W=4, layout="nchw", wlayout="oihw",
               flip=False, bias=True, act="none", act_lo=float("-inf"),
               act_hi=float("inf"), data="uniform", torch_path="functional")
    cfg.update(kw)
    return cfg


INVALID_CASES = [
    ("reflect pad == size", dict(mode="reflect", pads=[4, 0, 0, 0])),
    ("reflect pad > size", dict(mode="reflect", pads=[0, 0, 1, 6])),
    ("circular pad > size", dict(mode="circular", pads=[0, 0, 5, 0])),
    ("same, stride 2", dict(padding="same", stride=[2, 1])),
    ("same, stride 2 (module)", dict(padding="same", stride=[1, 2],
                                     torch_path="module")),
    ("groups do not divide C", dict(C=3, K=4, groups=2)),
    ("groups do not divide K", dict(C=4, K=3, groups=2)),
    ("kernel > padded input", dict(R=5, S=5)),
    ("dilated kernel > padded input", dict(dilation=[2, 2], pads=[1, 1, 0,
                                                                  0])),
    ("same + reflect, pad >= size", dict(R=9, S=3, padding="same",
                                         mode="reflect", torch_path="module")),
    ("stride 0", dict(stride=[0, 1])),
]


def run_invalid_fixed(lib, st, out):
    ok = True
    for name, kw in INVALID_CASES:
        cfg = base_cfg(**kw)
        d = lib.desc(cfg)
        x = np.zeros((cfg["N"], cfg["C"], cfg["H"], cfg["W"]), np.float32)
        w = np.zeros((cfg["K"], max(1, cfg["C"] // cfg["groups"]), cfg["R"],
                      cfg["S"]), np.float32)
        b = np.zeros(cfg["K"], np.float32)
        try:
            torch_conv(cfg, x, w, b)
            want = None
        except (RuntimeError, ValueError) as e:
            want = torch_error_reason(str(e))
        rc = lib.validate(d)
        if rc == sc.OK:
            rc, _, _ = lib.output_shape(d, cfg["H"], cfg["W"])
        got = sc.STATUS.get(rc, str(rc))
        good = want is not None and got == want
        st.invalid_reasons[got] = st.invalid_reasons.get(got, 0) + 1
        st.cases += 1
        st.invalid += 1
        if good:
            st.passed += 1
        else:
            st.failed += 1
            ok = False
            out.append("FAIL invalid case '%s': torch %s, simdconv %s"
                       % (name, want or "accepts", got))
    # Documented divergence, not counted: PyTorch clamps with min > max (the
    # result is max everywhere); simdconv rejects it.
    d = lib.desc(base_cfg(act="clamp", act_lo=1.0, act_hi=0.0))
    rc = lib.validate(d)
    out.append("note: clamp with min > max: torch accepts (gives max), "
               "simdconv says %s (documented)" % sc.STATUS.get(rc, rc))
    return ok


def run_scipy_fixed(lib, st, out):
    """scipy's 'full' and 'same' modes against simdconv with flip."""
    rng = np.random.Generator(np.random.PCG64(7))
    ok = True
    for (R, S) in [(3, 3), (5, 3), (2, 2), (4, 3), (1, 4)]:
        for smode in ("full", "same", "valid"):
            x = rng.uniform(-1, 1, (9, 11)).astype(np.float32)
            w = rng.uniform(-1, 1, (R, S)).astype(np.float32)
            if smode == "full":
                cfg = base_cfg(R=R, S=S, H=9, W=11, flip=True, bias=False,
                               pads=[R - 1, R - 1, S - 1, S - 1])
            else:
                cfg = base_cfg(R=R, S=S, H=9, W=11, flip=True, bias=False,
                               padding=smode)
            d = lib.desc(cfg)
            _, OH, OW = lib.output_shape(d, 9, 11)
            y = np.zeros(OH * OW, np.float32)
            ref, bound = np.zeros(OH * OW), np.zeros(OH * OW)
            lib.conv2d(d, 1, 9, 11, x, w, None, y)
            lib.reference(d, 1, 9, 11, x, w, None, ref, bound)
            Sx = scipy.signal.convolve2d(x.astype(np.float64),
                                         w.astype(np.float64), mode=smode)
            st.cases += 1
            st.scipy_cases += 1
            good = Sx.shape == (OH, OW) and bool(np.all(
                np.abs(y - Sx.reshape(-1)) <= bound))
            if good:
                st.passed += 1
            else:
                # scipy's 'same' centres even kernels the other way round
                # from PyTorch: documented, not a failure of simdconv
                if smode == "same" and (R % 2 == 0 or S % 2 == 0):
                    st.passed += 1
                    out.append("note: scipy mode='same' with a %dx%d kernel "
                               "differs from padding='same' + flip (even "
                               "kernel: scipy puts the extra padding row/"
                               "column before, PyTorch after)" % (R, S))
                    continue
                st.failed += 1
                ok = False
                out.append("FAIL scipy mode=%s kernel %dx%d: shape %s vs "
                           "%dx%d" % (smode, R, S, Sx.shape, OH, OW))
    return ok


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def case_seed(master, i, family=0):
    """The seed of case i of a family (0: the main one, 1: residual)."""
    key = [master, i] if family == 0 else [master, i, family]
    return int(np.random.SeedSequence(key).generate_state(
        1, np.uint64)[0] >> np.uint64(1))


def pct(v, q):
    return float(np.percentile(np.asarray(v), q)) if len(v) else float("nan")


def dist_line(name, v, fmt="%.3g"):
    if not len(v):
        return "%s: (none)" % name
    return ("%s: min " + fmt + ", median " + fmt + ", p90 " + fmt + ", p99 "
            + fmt + ", max " + fmt) % (name, min(v), pct(v, 50), pct(v, 90),
                                       pct(v, 99), max(v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="CI mode (default)")
    g.add_argument("--long", action="store_true", help="release mode")
    ap.add_argument("--count", type=int, help="number of random cases")
    ap.add_argument("--seed", type=int, help="master seed")
    ap.add_argument("--residual-count", type=int,
                    help="number of random cases of the residual family")
    ap.add_argument("--case", type=int, action="append",
                    help="run only the case with this seed (repeatable)")
    ap.add_argument("--residual-case", type=int, action="append",
                    help="run only the residual case with this seed "
                    "(repeatable)")
    ap.add_argument("--lib", help="path of libsimdconv.so")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    mode = "long" if args.long else "quick"
    p = MODE_PARAMS[mode]
    master = p["seed"] if args.seed is None else args.seed
    count = p["count"] if args.count is None else args.count
    rcount = (p["residual_count"] if args.residual_count is None
              else args.residual_count)

    t0 = time.monotonic()
    lib = sc.Lib(sc.find_library(args.lib))
    print("simdconv %s from %s" % (lib.version, lib.path))
    print("torch %s, numpy %s, scipy %s; ISAs %s (active %s)" % (
        torch.__version__, np.__version__, scipy.__version__,
        ", ".join(lib.isa_name(i) for i in lib.usable_isas),
        lib.isa_name(lib.active_isa)))
    problems, note = sc.abi_check(lib)
    print("ABI: %s: %s" % (note, "ok" if not problems else "FAIL"))
    st = Stats()
    if problems:
        for pr in problems:
            print("FAIL ABI: " + pr)
        print("conformance: 0 passed, 1 failed")
        return 1

    notes = []
    rs = ResidualStats()
    if not args.case and not args.residual_case:
        run_invalid_fixed(lib, st, notes)
        run_scipy_fixed(lib, st, notes)
        seeds = [case_seed(master, i) for i in range(count)]
        rseeds = [case_seed(master, i, 1) for i in range(rcount)]
        print("mode %s: %d random cases and %d residual cases from master "
              "seed %d" % (mode, count, rcount, master))
    else:
        seeds, rseeds = args.case or [], args.residual_case or []
    for i, seed in enumerate(seeds):
        try:
            cfg, errs = run_case(lib, seed, mode, i, st, args.verbose)
        except Exception as e:  # a crash of the harness is a failure too
            cfg, errs = make_case(seed, mode)[0], ["exception: %r" % (e,)]
        st.cases += 1
        if errs:
            st.failed += 1
            st.failures.append(seed)
            print("FAIL case %d, seed %d (re-run: /usr/bin/python3 "
                  "tests/conformance/conformance.py --%s --case %d)"
                  % (i, seed, mode, seed))
            print("  config: " + json.dumps(cfg, sort_keys=True))
            print("  CLI (same configuration, other data): " +
                  cli_command(cfg))
            for e in errs[:6]:
                print("  " + e)
        else:
            st.passed += 1
            if args.verbose or args.case:
                print("ok case %d, seed %d: %s" % (i, seed, json.dumps(cfg)))
    for i, seed in enumerate(rseeds):
        try:
            cfg, errs = run_residual_case(lib, seed, mode, i, st, rs)
        except Exception as e:  # a crash of the harness is a failure too
            cfg, errs = {"residual case": seed}, ["exception: %r" % (e,)]
        st.cases += 1
        if errs:
            st.failed += 1
            st.failures.append(seed)
            print("FAIL residual case %d, seed %d (re-run: /usr/bin/python3 "
                  "tests/conformance/conformance.py --%s --residual-case %d)"
                  % (i, seed, mode, seed))
            print("  config: " + json.dumps(cfg, sort_keys=True))
            if "C" in cfg:
                print("  CLI (same configuration, other data): " +
                      cli_command(cfg))
            for e in errs[:6]:
                print("  " + e)
        else:
            st.passed += 1
            if args.verbose or args.residual_case:
                print("ok residual case %d, seed %d: %s"
                      % (i, seed, json.dumps(cfg)))
    elapsed = time.monotonic() - t0

    for n_ in notes:
        print(n_)
    print("cases: %d (%d valid configurations, %d rejected as torch rejects "
          "them, %d of the residual family), %d outputs compared (without "
          "the residual family's)" % (st.cases, st.valid, st.invalid,
                                      rs.cases, st.elements))
    print("rejections: " + ", ".join("%s %d" % kv for kv in sorted(
        st.invalid_reasons.items())))
    print("kernels exercised (cases x ISAs): " + ", ".join(
        "%s %d" % kv for kv in sorted(st.kernels.items())))
    print("exact integer-data cases: %d; scipy.signal.convolve2d cases: %d; "
          "outputs with an infinite bound (overflow possible): %d"
          % (st.exact_cases, st.scipy_cases, st.unbounded))
    print(dist_line("max error/bound per case (vs torch float64)",
                    st.per_case_ratio))
    pooled = np.concatenate(st.sample) if st.sample else np.zeros(0)
    if st.worst[1] is not None:
        print("largest error/bound %.6g: case seed %d (%s)" % st.worst)
    print(dist_line("error/bound per output (sample of %d)" % pooled.size,
                    list(pooled)))
    print(dist_line("max ULPs per case", st.per_case_ulp))
    print(dist_line("max ULPs per case, outputs with |s| >= scale/16",
                    st.per_case_ulp_cond))
    for a in ACTS:
        v = st.per_act.get(a, [])
        if v:
            print("  %-9s %4d cases, max error/bound: median %.3g, max %.3g"
                  % (a, len(v), pct(v, 50), max(v)))
    for k in DATA_KINDS:
        v = st.per_data.get(k, [])
        if v:
            print("  %-9s %4d cases (data), max error/bound: median %.3g, "
                  "p90 %.3g, max %.3g" % (k, len(v), pct(v, 50), pct(v, 90),
                                          max(v)))
    print("oracle vs torch float64: max |ref - T|/bound %.3g; torch's own "
          "error allowance e_T/bound at most %.3g"
          % (st.max_oracle_vs_torch, st.max_eT_over_bound))
    for line in residual_summary(rs):
        print(line)
    print("F.gelu outputs where torch float64 is too inexact to judge "
          "(judged on T' = accurate GELU of torch's sum): %d; recomputed "
          "bounds one ulp32 binade apart from the library's: %d"
          % (st.gelu_torch_weak, st.bound_binade))
    print("time: %.1f s" % elapsed)
    if st.failures:
        print("failed seeds: " + " ".join(str(s) for s in st.failures[:50]))
    print("conformance: %d passed, %d failed" % (st.passed, st.failed))
    return 0 if st.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
