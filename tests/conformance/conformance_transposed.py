#!/usr/bin/python3
"""Conformance of simdconv's transposed convolution with
torch.nn.functional.conv_transpose2d (and nn.ConvTranspose2d).

Random configurations (strides 1-4, kernels smaller than, equal to and
larger than the stride, dilation with stride, output_padding on each axis up
to max(stride, dilation) - 1, symmetric and asymmetric crops, 'valid',
groups and depthwise with channel multipliers, bias or not, NCHW / NHWC,
the weight layouts IOHW (torch's), OIHW and OHWI, every activation, flip,
the data kinds of conformance.py) and configurations torch rejects. For each
valid one:

  * shapes: simdconv_output_shape() equals torch's output shape;
  * values: |y - T| <= bound + e_T for every element, T being torch's float64
    conv_transpose2d (asymmetric crops: the uncropped output sliced) followed
    by torch's activation, bound the library oracle's per-element bound;
  * the bound itself, recomputed here with docs/numerics.md's rule from
    torch's float64 sum and scale and n = C/g x (lattice taps of the output's
    row) x (of its column), counted here from the definition;
  * the oracle against torch (to 2^-20 of the bound), simdconv_compare();
  * integer data exact; every usable ISA, a pool and each image of the batch
    run alone give the bits of simdconv_conv2d().

The residual family (simdconv_run_residual on transposed layers): random
valid configurations as above with a residual r of the output's shape
(conformance.py's kinds: data, the sum's exact cancellation, scaled), alpha
1, 0.5, -1 or random, in place or not: every usable ISA bit for bit (in
place and out of place, a 2-thread pool), r left untouched when it is not
the output, simdconv_reference_residual's compare, and torch's float64
act(conv_transpose2d(x) + alpha r) within its bound.

Usage:
  /usr/bin/python3 tests/conformance/conformance_transposed.py --quick
  ... --long | --case SEED | --count N | --residual-case SEED
Prints "conformance (transposed): N passed, M failed" last; exit 0 when M is 0.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as fw  # noqa: E402  (bounds, data, statistics)
import harness as sc  # noqa: E402

torch, F = fw.torch, fw.F

MODE_PARAMS = {
    "quick": dict(cmax=8, cbig=40, hmax=8, kernels=[1, 2, 2, 3, 3, 4, 4, 5],
                  kbig=[7, 9, 16], nmax=3, count=600, residual_count=200,
                  seed=20261201),
    "long": dict(cmax=32, cbig=160, hmax=20, kernels=[1, 2, 3, 3, 4, 4, 5, 7],
                 kbig=[9, 11, 16], nmax=4, count=5000, residual_count=2000,
                 seed=20261202),
}


# ---------------------------------------------------------------------------
# Random configurations
# ---------------------------------------------------------------------------

def pads_of(cfg):
    """Resolved (top, bottom, left, right): 'valid' is no cropping."""
    return (0, 0, 0, 0) if cfg["padding"] == "valid" else tuple(cfg["pads"])


def gen_channels(rng, p, kind):
    def chans(m):
        if rng.random() < 0.08:
            return int(rng.integers(m + 1, p["cbig"] + 1))
        return int(rng.integers(1, m + 1))
    if kind == "depthwise":
        C = chans(p["cmax"])
        return C, C * int(rng.choice([1, 1, 2, 3])), C
    if kind == "grouped":
        G = int(rng.integers(2, 5))
        return (G * chans(max(1, p["cmax"] // 3)),
                G * chans(max(1, p["cmax"] // 3)), G)
    if kind == "single":
        return 1, 1, 1
    return chans(p["cmax"]), chans(p["cmax"]), 1


def gen_axis(rng, p):
    """kernel, stride, dilation, output padding, pad before, pad after."""
    k = int(rng.choice(p["kernels"])) if rng.random() > 0.06 else \
        int(rng.choice(p["kbig"]))
    s = int(rng.choice([1, 1, 2, 2, 2, 3, 4]))
    d = int(rng.choice([1, 1, 1, 1, 2, 3]))
    lim = max(s, d)
    op = 0 if rng.random() < 0.55 else int(rng.integers(0, lim))
    if rng.random() < 0.03:
        op = lim  # invalid on purpose
    span = d * (k - 1) + 1
    pa = int(rng.integers(0, span // 2 + 2))
    pb = pa if rng.random() < 0.6 else int(rng.integers(0, span // 2 + 2))
    return k, s, d, op, pa, pb


def gen_config(rng, p):
    kind = str(rng.choice(["general", "depthwise", "grouped", "single"],
                          p=[0.55, 0.2, 0.12, 0.13]))
    C, K, G = gen_channels(rng, p, kind)
    R, sh, dh, oph, pt, pb = gen_axis(rng, p)
    S, sw, dw, opw, pl, pr = gen_axis(rng, p)
    if rng.random() < 0.5:  # mostly square strides, as in networks
        S, sw, dw, opw, pl, pr = R, sh, dh, oph, pt, pb
    cfg = dict(kind=kind, transposed=True, N=int(rng.integers(1, p["nmax"] + 1)),
               C=C, K=K, R=R, S=S, groups=G, stride=[sh, sw],
               dilation=[dh, dw], output_padding=[oph, opw],
               padding="valid" if rng.random() < 0.08 else "explicit",
               pads=[pt, pb, pl, pr], mode="zeros")
    if cfg["padding"] == "valid":
        cfg["pads"] = [0, 0, 0, 0]
    if rng.random() < 0.02:
        cfg["mode"] = str(rng.choice(["reflect", "replicate", "circular"]))
    if rng.random() < 0.02 and G == 1 and C > 1:
        cfg["groups"] = C + 1  # does not divide: invalid on purpose
    span = p["hmax"] if C * K <= 1024 else max(3, p["hmax"] // 3)
    cfg["H"] = int(rng.integers(1, span + 1))
    cfg["W"] = int(rng.integers(1, span + 1))
    cfg["layout"] = "nhwc" if rng.random() < 0.5 else "nchw"
    cfg["wlayout"] = str(rng.choice(["iohw", "oihw", "ohwi"]))
    cfg["flip"] = bool(rng.random() < 0.15)
    cfg["bias"] = bool(rng.random() < 0.75)
    act = fw.ACTS[int(rng.integers(len(fw.ACTS) + 1)) % len(fw.ACTS)]
    cfg["act"] = act
    lo, hi = float("-inf"), float("inf")
    if act == "relu":
        lo = 0.0
    elif act == "relu6":
        lo, hi = 0.0, 6.0
    elif act == "clamp":
        lo = float(np.float32(rng.uniform(-1.5, 0.5)))
        hi = float(np.float32(rng.uniform(lo, 1.5)))
    cfg["act_lo"], cfg["act_hi"] = lo, hi
    cfg["data"] = str(rng.choice(fw.DATA_KINDS, p=fw.DATA_P))
    symmetric = pt == pb and pl == pr
    cfg["torch_path"] = ("module" if symmetric and rng.random() < 0.4 else
                         "functional")
    return cfg


def weights_in_layout(w, cfg):
    """Torch's C x K/g x R x S weights in the library's weight layout."""
    if cfg["wlayout"] == "iohw":
        return np.ascontiguousarray(w)
    G = cfg["groups"]
    C, Kg, R, S = w.shape
    g = w.reshape(G, C // G, Kg, R, S).transpose(0, 2, 1, 3, 4)  # G Kg Cg R S
    if cfg["wlayout"] == "oihw":
        return np.ascontiguousarray(g.reshape(G * Kg, C // G, R, S))
    return np.ascontiguousarray(g.transpose(0, 1, 3, 4, 2).reshape(
        G * Kg, R, S, C // G))


def make_case(seed, mode):
    rng = np.random.Generator(np.random.PCG64(seed))
    cfg = gen_config(rng, MODE_PARAMS[mode])
    G = cfg["groups"]
    kg = cfg["K"] // G if cfg["K"] % G == 0 else 1
    x = fw.gen_tensor(rng, (cfg["N"], cfg["C"], cfg["H"], cfg["W"]),
                      cfg["data"], "x")
    w = fw.gen_tensor(rng, (cfg["C"], kg, cfg["R"], cfg["S"]), cfg["data"],
                      "w")
    b = (fw.gen_tensor(rng, (cfg["K"],), cfg["data"], "b") if cfg["bias"]
         else None)
    xm = np.ascontiguousarray(x.transpose(0, 2, 3, 1) if cfg["layout"] ==
                              "nhwc" else x)
    valid_groups = cfg["C"] % G == 0 and cfg["K"] % G == 0
    wm = weights_in_layout(w, cfg) if valid_groups else w
    return cfg, xm, w, wm, b


def cli_command(cfg):
    act = cfg["act"]
    if act == "clamp":
        act = "clamp:%r:%r" % (cfg["act_lo"], cfg["act_hi"])
    pad = ",".join(str(v) for v in cfg["pads"]) if cfg["padding"] == \
        "explicit" else cfg["padding"]
    parts = ["simdconv run --transposed", "-N %d" % cfg["N"],
             "-C %d" % cfg["C"], "-K %d" % cfg["K"],
             "--kernel %dx%d" % (cfg["R"], cfg["S"]),
             "--input %dx%d" % (cfg["H"], cfg["W"]),
             "--stride %d,%d" % tuple(cfg["stride"]),
             "--dilation %d,%d" % tuple(cfg["dilation"]),
             "--output-padding %d,%d" % tuple(cfg["output_padding"]),
             "--groups %d" % cfg["groups"], "--padding %s" % pad,
             "--layout %s" % cfg["layout"], "--weights %s" % cfg["wlayout"],
             "--activation %s" % act]
    if cfg["flip"]:
        parts.append("--flip")
    if not cfg["bias"]:
        parts.append("--no-bias")
    if cfg["data"] == "int":
        parts.append("--data int")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# Torch
# ---------------------------------------------------------------------------

def extension(k, stride, dil, op):
    """Input rows of zeros, on each side, that hold every lattice point an
    output can reach: (k-1)*dil + op past the input's span, over stride."""
    return -(-((k - 1) * dil + op) // stride) + 1


def torch_extended(cfg, X, W, B):
    """simdconv's definition in torch: the input zero-extended so that the
    zero-padding taps (lattice points outside the input) are real inputs of
    value 0, whose products 0 * w torch's col2im then adds (NaN for an
    infinite w); the output cropped to the same rows."""
    stride, dil = tuple(cfg["stride"]), tuple(cfg["dilation"])
    op = tuple(cfg["output_padding"])
    eh = extension(cfg["R"], stride[0], dil[0], op[0])
    ew = extension(cfg["S"], stride[1], dil[1], op[1])
    t, bb, l, r = pads_of(cfg)
    Y = F.conv_transpose2d(F.pad(X, (ew, ew, eh, eh)), W, B, stride, 0, op,
                           cfg["groups"], dil)
    OH = (cfg["H"] - 1) * stride[0] + (cfg["R"] - 1) * dil[0] + 1 + op[0] \
        - t - bb
    OW = (cfg["W"] - 1) * stride[1] + (cfg["S"] - 1) * dil[1] + 1 + op[1] \
        - l - r
    top, left = t + eh * stride[0], l + ew * stride[1]
    return Y[:, :, top:top + OH, left:left + OW]


def torch_deconv(cfg, xm, w, b, absolute=False, extend=False):
    """Torch float64 pre-activation output in the library's memory layout
    (absolute=True: the scale |b| + sum |x*w| over finite terms). Symmetric
    crops go to torch as padding; asymmetric ones crop the uncropped output
    (padding 0, same output_padding). extend=True: simdconv's definition
    (torch_extended). Raises what torch raises."""
    X, W, B = sc.torch_operands(xm, w, b, cfg["layout"], absolute)
    if cfg["flip"]:
        W = torch.flip(W, [2, 3])
    t, bb, l, r = pads_of(cfg)
    stride, dil = tuple(cfg["stride"]), tuple(cfg["dilation"])
    op, G = tuple(cfg["output_padding"]), cfg["groups"]
    if cfg["mode"] != "zeros":
        # what nn.ConvTranspose2d says about other padding modes
        torch.nn.ConvTranspose2d(cfg["C"], cfg["K"], 1,
                                 padding_mode=cfg["mode"])
    if extend:
        Y = torch_extended(cfg, X, W, B)
    elif t == bb and l == r and cfg["torch_path"] == "module":
        m = torch.nn.ConvTranspose2d(
            cfg["C"], cfg["K"], (cfg["R"], cfg["S"]), stride=stride,
            padding=(t, l), output_padding=op, groups=G, bias=B is not None,
            dilation=dil, dtype=torch.float64)
        Y = sc.torch_module_run(m, X, W, B)
    elif t == bb and l == r:
        Y = F.conv_transpose2d(X, W, B, stride, (t, l), op, G, dil)
    else:
        Y = F.conv_transpose2d(X, W, B, stride, 0, op, G, dil)
        if t + bb >= Y.shape[2] or l + r >= Y.shape[3]:
            raise RuntimeError("Given input size ... output size is too "
                               "small (asymmetric crop)")
        Y = Y[:, :, t:Y.shape[2] - bb, l:Y.shape[3] - r]
    if cfg["layout"] == "nhwc":
        Y = Y.permute(0, 2, 3, 1)
    return Y.contiguous()


def torch_error_reason(msg):
    if "output padding must be smaller" in msg:
        return "ERR_OUTPUT_PADDING"
    if "padding_mode" in msg or "Only \"zeros\"" in msg:
        return "ERR_PADDING_MODE"
    if "too small" in msg or "non-positive" in msg or \
            "should be greater than zero" in msg:
        return "ERR_EMPTY_OUTPUT"
    if "groups" in msg:
        return "ERR_INVALID_GROUPS"
    return "?"


def lattice_taps(out, pad, k, stride, dil):
    """Per output index: the kernel indices whose input position is on the
    stride lattice (padded ones included), counted from the definition."""
    o = np.arange(out)[:, None] + pad - np.arange(k)[None, :] * dil
    return (o % stride == 0).sum(axis=1)


def taps_per_output(cfg, OH, OW):
    t, _, l, _ = pads_of(cfg)
    nh = lattice_taps(OH, t, cfg["R"], cfg["stride"][0], cfg["dilation"][0])
    nw = lattice_taps(OW, l, cfg["S"], cfg["stride"][1], cfg["dilation"][1])
    n = (cfg["C"] // cfg["groups"]) * nh[:, None] * nw[None, :]  # OH x OW
    N, K = cfg["N"], cfg["K"]
    if cfg["layout"] == "nhwc":
        return np.broadcast_to(n[None, :, :, None], (N, OH, OW, K)).reshape(-1)
    return np.broadcast_to(n[None, None], (N, K, OH, OW)).reshape(-1)


def my_bound(act, n, s, scale, ar=None):
    """conformance.my_bound for a tap count per output (and the residual
    add of ar = alpha * r unless None)."""
    bound, edge = np.zeros(s.shape), np.zeros(s.shape)
    for v in np.unique(n):
        sel = n == v
        bound[sel], edge[sel] = fw.my_bound(
            act, int(v), s[sel], scale[sel], None if ar is None else ar[sel])
    return bound, edge


# ---------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------

def check_validity(lib, cfg, d, T_sum, torch_err, errs, st):
    """Torch and simdconv accept and reject the same configurations, and
    agree on the shape. Returns (OH, OW) when both accept."""
    s_st = lib.validate(d)
    if s_st == sc.OK:
        s_st, OH, OW = lib.output_shape(d, cfg["H"], cfg["W"])
    got = sc.STATUS.get(s_st, str(s_st))
    if torch_err is not None:
        st.invalid += 1
        want = torch_error_reason(torch_err)
        st.invalid_reasons[got] = st.invalid_reasons.get(got, 0) + 1
        if s_st == sc.OK:
            errs.append("torch rejects (%s) but simdconv accepts" % torch_err)
        elif want != got:
            errs.append("torch rejects (%s: %s) but simdconv says %s"
                        % (want, torch_err, got))
        return None
    st.valid += 1
    if s_st != sc.OK:
        errs.append("simdconv rejects a configuration torch accepts: %s"
                    % lib.status_string(s_st))
        return None
    axes = (1, 2) if cfg["layout"] == "nhwc" else (2, 3)
    t_shape = (T_sum.shape[axes[0]], T_sum.shape[axes[1]])
    if (OH, OW) != t_shape:
        errs.append("output shape: simdconv %dx%d, torch %dx%d"
                    % (OH, OW, t_shape[0], t_shape[1]))
        return None
    return OH, OW


def run_case(lib, seed, mode, idx, st):
    cfg, xm, w, wm, b = make_case(seed, mode)
    errs = []
    d = lib.desc(cfg)
    N, H, W = cfg["N"], cfg["H"], cfg["W"]
    try:
        T_sum, torch_err = torch_deconv(cfg, xm, w, b), None
    except (RuntimeError, ValueError) as e:
        T_sum, torch_err = None, str(e).splitlines()[0]
    shape = check_validity(lib, cfg, d, T_sum, torch_err, errs, st)
    if shape is None:
        return cfg, errs
    OH, OW = shape
    n_out = N * cfg["K"] * OH * OW
    y = sc.check_library(lib, d, (N, H, W), n_out, xm, wm, b, idx,
                         st.kernels, errs)
    if y is None:
        return cfg, errs
    oracle = sc.check_oracle(lib, d, (N, H, W), xm, wm, b, y, errs)
    if oracle is None:
        return cfg, errs
    ref, bound = oracle
    compare_torch(cfg, xm, w, b, y, ref, bound, T_sum, OH, OW, seed, errs, st)
    return cfg, errs


def compare_torch(cfg, xm, w, b, y, ref, bound, T_sum, OH, OW, seed, errs,
                  st):
    """The bound recomputed, then y and the oracle against torch float64,
    as conformance.run_case does for the forward convolution. T_sum is
    torch's own result; T_ext, on which the checks run, evaluates the
    zero-padding taps as simdconv does: the two may differ only where a
    zero-padding tap meets an infinite or NaN weight (T_ext NaN)."""
    T_ext = torch_deconv(cfg, xm, w, b, extend=True)
    plain, ext = T_sum.numpy().reshape(-1), T_ext.numpy().reshape(-1)
    with np.errstate(all="ignore"):
        differ = ~((plain == ext) | (np.isnan(plain) & np.isnan(ext)))
    if (differ & ~np.isnan(ext)).any():
        i = int(np.flatnonzero(differ & ~np.isnan(ext))[0])
        errs.append("torch with the zero-extended input differs from torch "
                    "at %d beyond a NaN: %r vs %r" % (i, ext[i], plain[i]))
    st.padded_nan += int(differ.sum())
    T_sum = T_ext
    s = T_sum.numpy().reshape(-1)
    T = fw.torch_activation(cfg, T_sum).numpy().reshape(-1)
    scale = torch_deconv(cfg, xm, w, b, absolute=True).numpy().reshape(-1)
    n = taps_per_output(cfg, OH, OW)
    mb, edge = my_bound(cfg["act"], n, s, scale)
    with np.errstate(all="ignore"):
        same = (mb == bound) | (np.abs(mb - bound) <= 1e-6 * np.abs(bound))
        if cfg["act"] in fw.ACT_ERR and not same.all():
            edge = ~same & (np.abs(mb - bound) <= edge + 1e-6 * np.abs(bound))
            st.bound_binade += int(edge.sum())
            same |= edge
    if not same.all():
        i = int(np.flatnonzero(~same)[0])
        errs.append("bound: library %r, recomputed %r at %d (n=%d s=%r "
                    "scale=%r)" % (bound[i], mb[i], i, n[i], s[i], scale[i]))
    e = 2.0 ** -50 * 1.2 * n * np.nan_to_num(scale, posinf=0.0)
    sf = np.nan_to_num(s, nan=0.0, posinf=0.0, neginf=0.0)
    eT = e
    if cfg["act"] not in ("none", "relu", "relu6", "clamp"):
        gs = fw.np_act(cfg["act"], sf)
        with np.errstate(all="ignore"):
            eT = (np.maximum(np.abs(fw.np_act(cfg["act"], sf + e) - gs),
                             np.abs(fw.np_act(cfg["act"], sf - e) - gs))
                  + 2.0 ** -48 * np.abs(gs))
        if cfg["act"] in ("gelu", "gelu_tanh"):  # see conformance.py
            T = np.where(np.isfinite(s), gs, T)
    yd = y.astype(np.float64)
    unb = np.isinf(bound)
    st.unbounded += int(unb.sum())
    tn, tinf = np.isnan(T), np.isinf(T)
    fin = ~unb & ~tn & ~tinf
    bad = ~unb & ((tn & ~np.isnan(yd)) | (tinf & (yd != T)))
    with np.errstate(all="ignore"):
        err = np.abs(yd - T)
        bad |= fin & ~(err <= bound + eT)
        obad = ~unb & ((tn != np.isnan(ref)) | (tinf & (ref != T)))
        oerr = np.where(fin, np.abs(ref - T), 0.0)
        obad |= fin & ~(oerr <= 2.0 ** -20 * bound + eT)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        errs.append("torch: %d elements outside the bound, first at %d: "
                    "y=%r torch=%r bound=%r e_T=%r oracle=%r"
                    % (int(bad.sum()), i, float(y[i]), T[i], bound[i], eT[i],
                       ref[i]))
    if obad.any():
        i = int(np.flatnonzero(obad)[0])
        errs.append("oracle vs torch: %d elements differ, first at %d: "
                    "ref=%r torch=%r bound=%r" % (int(obad.sum()), i, ref[i],
                                                  T[i], bound[i]))
    record(cfg, y, T, err, oerr, bound, eT, fin, n, seed, st)
    if cfg["data"] == "int" and cfg["act"] in ("none", "relu", "relu6",
                                               "clamp") and \
            16 * int(n.max()) + 4 < 2 ** 24:
        st.exact_cases += 1
        if not np.array_equal(yd, T):
            i = int(np.flatnonzero(yd != T)[0])
            errs.append("integer data not exact at %d: %r vs %r"
                        % (i, float(y[i]), T[i]))


def record(cfg, y, T, err, oerr, bound, eT, fin, n, seed, st):
    pos = fin & (bound > 0)
    st.elements += y.size
    if not pos.any():
        return
    ratio = np.where(pos, err / np.where(pos, bound, 1.0), 0.0)
    r = float(ratio.max())
    st.per_case_ratio.append(r)
    if r > st.worst[0]:
        i = int(np.argmax(ratio))
        st.worst = (r, seed, "n=%d, %s, %s data, y=%r, torch=%r, bound=%r"
                    % (n[i], cfg["act"], cfg["data"], float(y[i]), T[i],
                       bound[i]))
    st.per_act.setdefault(cfg["act"], []).append(r)
    st.per_data.setdefault(cfg["data"], []).append(r)
    with np.errstate(all="ignore"):
        st.max_oracle_vs_torch = max(st.max_oracle_vs_torch, float(np.where(
            pos, oerr / np.where(pos, bound, 1.0), 0.0).max()))
        st.max_eT_over_bound = max(st.max_eT_over_bound, float(np.where(
            pos, eT / np.where(pos, bound, 1.0), 0.0).max()))


# ---------------------------------------------------------------------------
# The residual family: act(conv_transpose2d(x) + alpha * r)
# ---------------------------------------------------------------------------

def make_residual_case(lib, seed, mode):
    """A configuration torch and the library accept (zeros padding, drawn
    from sub-seeds until one is), its tensors and the residual
    (conformance.residual_draw)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    for _ in range(1000):
        cfg, xm, w, wm, b = make_case(int(rng.integers(2 ** 62)), mode)
        if cfg["mode"] != "zeros" or cfg["C"] % cfg["groups"] or \
                cfg["K"] % cfg["groups"]:
            continue
        d = lib.desc(cfg)
        if lib.validate(d) != sc.OK:
            continue
        rc, OH, OW = lib.output_shape(d, cfg["H"], cfg["W"])
        if rc != sc.OK:
            continue
        try:
            torch_deconv(cfg, xm, w, b)
        except (RuntimeError, ValueError):
            continue
        break
    else:
        raise RuntimeError("no valid configuration drawn")
    cfg, rm = fw.residual_draw(
        rng, cfg, OH, OW,
        lambda: torch_deconv(cfg, xm, w, b, extend=True).numpy())
    return cfg, xm, w, wm, b, OH, OW, rm


def run_residual_case(lib, seed, mode, idx, st, rs):
    """One residual case (see the module's text)."""
    cfg, xm, w, wm, b, OH, OW, rm = make_residual_case(lib, seed, mode)
    errs = []
    d = lib.desc(cfg)
    y = fw.residual_library_runs(lib, cfg, d, xm, wm, b, rm, idx, rs, errs)
    if y is None:
        return cfg, errs
    oracle = sc.check_oracle(lib, d, (cfg["N"], cfg["H"], cfg["W"]), xm, wm,
                             b, y, errs, rm, cfg["residual_alpha"])
    if oracle is None:
        return cfg, errs
    ref, bound = oracle
    # simdconv's definition (zero-padding taps evaluated, as compare_torch)
    s = torch_deconv(cfg, xm, w, b, extend=True).numpy().reshape(-1)
    scale = torch_deconv(cfg, xm, w, b, absolute=True).numpy().reshape(-1)
    n = taps_per_output(cfg, OH, OW)
    fw.residual_judge(cfg, seed, n, s, scale, rm, y, ref, bound, st, rs,
                      errs, my_bound)
    return cfg, errs


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def report(st, elapsed):
    print("cases: %d (%d valid configurations, %d rejected as torch rejects "
          "them), %d outputs compared" % (st.cases, st.valid, st.invalid,
                                          st.elements))
    print("rejections: " + ", ".join("%s %d" % kv for kv in sorted(
        st.invalid_reasons.items())))
    print("kernels exercised (cases x ISAs): " + ", ".join(
        "%s %d" % kv for kv in sorted(st.kernels.items())))
    print("exact integer-data cases: %d; outputs with an infinite bound: %d"
          % (st.exact_cases, st.unbounded))
    print(fw.dist_line("max error/bound per case (vs torch float64)",
                       st.per_case_ratio))
    if st.worst[1] is not None:
        print("largest error/bound %.6g: case seed %d (%s)" % st.worst)
    for a in fw.ACTS:
        v = st.per_act.get(a, [])
        if v:
            print("  %-9s %4d cases, max error/bound: median %.3g, max %.3g"
                  % (a, len(v), fw.pct(v, 50), max(v)))
    print("oracle vs torch float64: max |ref - T|/bound %.3g; e_T/bound at "
          "most %.3g; recomputed bounds one ulp32 binade apart: %d"
          % (st.max_oracle_vs_torch, st.max_eT_over_bound, st.bound_binade))
    print("outputs where torch's col2im (it never evaluates zero-padding "
          "taps) is not NaN but simdconv's definition is (0 * Inf at a "
          "zero-padding tap, documented): %d" % st.padded_nan)
    print("time: %.1f s" % elapsed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="CI mode (default)")
    g.add_argument("--long", action="store_true", help="release mode")
    ap.add_argument("--count", type=int, help="number of random cases")
    ap.add_argument("--seed", type=int, help="master seed")
    ap.add_argument("--case", type=int, action="append",
                    help="run only the case with this seed (repeatable)")
    ap.add_argument("--residual-count", type=int,
                    help="number of random cases of the residual family")
    ap.add_argument("--residual-case", type=int, action="append",
                    help="run only the residual case with this seed "
                    "(repeatable)")
    ap.add_argument("--lib", help="path of libsimdconv.so")
    args = ap.parse_args()
    mode = "long" if args.long else "quick"
    p = MODE_PARAMS[mode]
    t0 = time.monotonic()
    lib = sc.Lib(sc.find_library(args.lib))
    print("transposed: simdconv %s from %s; torch %s; ISAs %s" % (
        lib.version, lib.path, torch.__version__,
        ", ".join(lib.isa_name(i) for i in lib.usable_isas)))
    problems, note = sc.abi_check(lib)
    if problems:
        for pr in problems:
            print("FAIL ABI: " + pr)
        print("conformance (transposed): 0 passed, 1 failed")
        return 1
    master = p["seed"] if args.seed is None else args.seed
    count = p["count"] if args.count is None else args.count
    rcount = (p["residual_count"] if args.residual_count is None
              else args.residual_count)
    if args.case or args.residual_case:
        seeds, rseeds = args.case or [], args.residual_case or []
    else:
        seeds = [fw.case_seed(master, i) for i in range(count)]
        rseeds = [fw.case_seed(master, i, 1) for i in range(rcount)]
    print("mode %s: %d random cases and %d residual cases from master seed "
          "%d (ABI %s)" % (mode, len(seeds), len(rseeds), master, note))
    st = fw.Stats()
    st.padded_nan = 0
    rs = fw.ResidualStats()
    for i, seed in enumerate(seeds):
        try:
            cfg, errs = run_case(lib, seed, mode, i, st)
        except Exception as e:  # a crash of the harness is a failure too
            cfg, errs = make_case(seed, mode)[0], ["exception: %r" % (e,)]
        st.cases += 1
        if not errs:
            st.passed += 1
            continue
        st.failed += 1
        st.failures.append(seed)
        print("FAIL case %d, seed %d (re-run: /usr/bin/python3 tests/"
              "conformance/conformance_transposed.py --%s --case %d)"
              % (i, seed, mode, seed))
        print("  config: " + json.dumps(cfg, sort_keys=True))
        print("  CLI (same configuration, other data): " + cli_command(cfg))
        for e in errs[:6]:
            print("  " + e)
    for i, seed in enumerate(rseeds):
        try:
            cfg, errs = run_residual_case(lib, seed, mode, i, st, rs)
        except Exception as e:  # a crash of the harness is a failure too
            cfg, errs = {"residual case": seed}, ["exception: %r" % (e,)]
        st.cases += 1
        if not errs:
            st.passed += 1
            continue
        st.failed += 1
        st.failures.append(seed)
        print("FAIL residual case %d, seed %d (re-run: /usr/bin/python3 "
              "tests/conformance/conformance_transposed.py --%s "
              "--residual-case %d)" % (i, seed, mode, seed))
        print("  config: " + json.dumps(cfg, sort_keys=True))
        if "C" in cfg:
            print("  CLI (same configuration, other data): " +
                  cli_command(cfg))
        for e in errs[:6]:
            print("  " + e)
    report(st, time.monotonic() - t0)
    for line in fw.residual_summary(rs):
        print(line)
    print("conformance (transposed): %d passed, %d failed"
          % (st.passed, st.failed))
    return 0 if st.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
