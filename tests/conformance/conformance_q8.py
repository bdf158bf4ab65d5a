#!/usr/bin/python3
"""Conformance of simdconv's int8 convolution (QLinearConv semantics).

Drives simdconv_create_q8 / simdconv_run_q8 through the ctypes layer of the
simdconv Python package on random configurations (strides, dilation,
padding, groups and depthwise, padding modes, NCHW / NHWC, OIHW / OHWI,
flip, uint8 / int8 inputs and outputs, per-tensor and per-channel weight
scales, zero points at 0, 128, 255 and anywhere, a fused ReLU, a bias or
none) and compares every output byte with:

  * numpy, the definition (docs/numerics.md part IV): the exact sum, the
    multiplier (float)(x_scale * w_scale / y_scale) computed in double,
    (float)acc * m in fp32, round half to even, + y_zp, saturate. Required
    exactly, as simdconv_reference_q8() and every usable ISA (all of which
    must give the same bytes);
  * numpy ONNX QLinearConv: the same sum, requantized in float64
    (acc * (x_scale * w_scale / y_scale), round half to even);
  * numpy TFLite: the same sum, requantized by TFLite's reference fixed-point
    MultiplyByQuantizedMultiplier (a Q31 multiplier and a shift from the
    double scale, rounding doubling high multiply, rounding right shift);
  * PyTorch's quantized conv2d on each of its engines here ('onednn',
    'qnnpack'), where torch supports the configuration (uint8 in and out,
    zero padding, symmetric pads); torch takes the float bias, the others
    the int32 bias of simdconv_quantize_bias().

Every difference must be one step of the output (|diff| <= 1), and each
torch engine's output must equal a numpy model of that engine's
arithmetic (oneDNN: reciprocal scales, the float bias scaled into the
sum's domain, the zero point added in fp32 before rounding; qnnpack: the
bias quantized by ATen, the multiplier
fp32(fp32(w_scale * x_scale) * fp32(1 / y_scale)), the product in fp32),
so that every difference is explained by the engine's arithmetic. The
exact-match rates are printed per engine; docs/numerics.md part IV
explains them.

Usage:
  /usr/bin/python3 tests/conformance/conformance_q8.py --quick  # CI
  /usr/bin/python3 tests/conformance/conformance_q8.py --long   # release
Exit status 0 when every check passed; the last line is
"conformance (int8): N passed, M failed".
"""
import argparse
import ctypes
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as sc  # noqa: E402

warnings.filterwarnings("ignore")
import torch  # noqa: E402
from torch.ao.nn.quantized import functional as qF  # noqa: E402

torch.set_num_threads(1)
F32, F64 = np.float32, np.float64

MODES = {"quick": dict(count=1000, cmax=16, kmax=24, hmax=12, seed=17017),
         "long": dict(count=10000, cmax=64, kmax=64, hmax=24, seed=17018)}
TYPE_RANGE = {"u8": (0, 255), "s8": (-128, 127)}


# ---- configurations ---------------------------------------------------------

def pick_zp(rng, t):
    lo = TYPE_RANGE[t][0]
    k = rng.integers(5)
    return lo + (0, 128, 255)[k] if k < 3 else lo + int(rng.integers(256))


def draw_geometry(rng, p, torch_like):
    """Channels, kernel, stride, dilation, pads and input size with a valid
    output; torch_like keeps to what torch's quantized conv2d accepts."""
    while True:
        depthwise = rng.random() < 0.2
        if depthwise:
            groups = C = int(rng.integers(1, p["cmax"] + 1))
            K = C * int(rng.choice([1, 1, 1, 2]))
        else:
            groups = int(rng.choice([1, 1, 1, 2, 3]))
            C = groups * int(rng.integers(1, p["cmax"] // groups + 2))
            K = groups * int(rng.integers(1, p["kmax"] // groups + 2))
        R, S = (int(v) for v in rng.choice([1, 2, 3, 3, 3, 5], 2))
        st = tuple(int(v) for v in rng.choice([1, 1, 1, 2, 3], 2))
        dil = tuple(int(v) for v in rng.choice([1, 1, 1, 2], 2))
        ph, pw = int(rng.integers(0, R)), int(rng.integers(0, S))
        pads = (ph, ph, pw, pw)
        mode = "zeros"
        if not torch_like:
            pads = tuple(int(v) for v in rng.integers(0, 3, 4))
            mode = str(rng.choice(["zeros", "reflect", "replicate",
                                   "circular"]))
        H = int(rng.integers(1, p["hmax"] + 1))
        W = int(rng.integers(1, p["hmax"] + 1))
        if mode == "reflect" and max(pads) >= min(H, W):
            continue
        if mode == "circular" and max(pads) > min(H, W):
            continue
        OH = (H + pads[0] + pads[1] - dil[0] * (R - 1) - 1) // st[0] + 1
        OW = (W + pads[2] + pads[3] - dil[1] * (S - 1) - 1) // st[1] + 1
        if OH >= 1 and OW >= 1:
            return dict(C=C, K=K, R=R, S=S, groups=groups, stride=st,
                        dilation=dil, pads=pads, mode=mode, H=H, W=W, OH=OH,
                        OW=OW, N=int(rng.choice([1, 1, 2])))


def draw_config(rng, p):
    torch_like = rng.random() < 0.75
    cfg = draw_geometry(rng, p, torch_like)
    cfg["in_type"] = "u8" if torch_like or rng.random() < 0.5 else "s8"
    cfg["out_type"] = "u8" if torch_like or rng.random() < 0.5 else "s8"
    cfg["torch"] = torch_like
    cfg["layout"] = str(rng.choice(["nchw", "nhwc"]))
    cfg["wlayout"] = str(rng.choice(["oihw", "ohwi"]))
    cfg["flip"] = bool(rng.random() < 0.2)
    cfg["relu"] = bool(rng.random() < 0.2)
    cfg["bias"] = bool(rng.random() < 0.8)
    cfg["per_channel"] = bool(rng.random() < 0.6)
    cfg["x_zp"], cfg["y_zp"] = pick_zp(rng, cfg["in_type"]), pick_zp(
        rng, cfg["out_type"])
    return cfg


def draw_data(rng, cfg):
    """Input values, weights (OIHW, flip not applied), float bias, scales."""
    lo, hi = TYPE_RANGE[cfg["in_type"]]
    x = rng.integers(lo, hi + 1, (cfg["N"], cfg["C"], cfg["H"], cfg["W"]))
    w = rng.integers(-128, 128, (cfg["K"], cfg["C"] // cfg["groups"],
                                 cfg["R"], cfg["S"]))
    xs = F32(rng.uniform(0.005, 0.05))
    n = cfg["K"] if cfg["per_channel"] else 1
    ws = (rng.uniform(0.5, 2.0, n) / 256).astype(F32)
    taps = (cfg["C"] // cfg["groups"]) * cfg["R"] * cfg["S"]
    rms = np.sqrt(taps) * 74.0 * 74.0
    ys = F32(float(xs) * float(ws.mean()) * rms / 50 * 2 ** rng.uniform(-1, 1))
    b = (rng.standard_normal(cfg["K"]) * float(xs) * float(ws.mean()) * rms
         / 4).astype(F32) if cfg["bias"] else None
    return x, w, b, xs, np.broadcast_to(ws, (cfg["K"],)).astype(F32), ys


# ---- numpy: the exact sum and the requantizations ---------------------------

NP_PAD = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def exact_sum(cfg, x, w):
    """sum (x - x_zp) * w' per output (int64, NCHW), w' the applied weights
    (flipped when cfg["flip"]), padding as the mode says (zeros: x_zp)."""
    xd = x.astype(np.int64) - cfg["x_zp"]
    t, b, l, r = cfg["pads"]
    pw = ((0, 0), (0, 0), (t, b), (l, r))
    if cfg["mode"] == "zeros":
        xp = np.pad(xd, pw)
    else:
        xp = np.pad(x.astype(np.int64), pw, mode=NP_PAD[cfg["mode"]]) - \
            cfg["x_zp"]
    wa = w[:, :, ::-1, ::-1] if cfg["flip"] else w
    wa = wa.astype(np.int64)
    g, Cg, Kg = cfg["groups"], cfg["C"] // cfg["groups"], \
        cfg["K"] // cfg["groups"]
    (sh, sw), (dh, dw) = cfg["stride"], cfg["dilation"]
    OH, OW = cfg["OH"], cfg["OW"]
    acc = np.zeros((cfg["N"], cfg["K"], OH, OW), np.int64)
    for gi in range(g):
        xg = xp[:, gi * Cg:(gi + 1) * Cg]
        wg = wa[gi * Kg:(gi + 1) * Kg]
        for r_ in range(cfg["R"]):
            for s_ in range(cfg["S"]):
                win = xg[:, :, r_ * dh: r_ * dh + sh * (OH - 1) + 1: sh,
                         s_ * dw: s_ * dw + sw * (OW - 1) + 1: sw]
                acc[:, gi * Kg:(gi + 1) * Kg] += np.einsum(
                    "nchw,kc->nkhw", win, wg[:, :, r_, s_])
    return acc


def out_range(cfg, ys):
    lo, hi = TYPE_RANGE[cfg["out_type"]]
    if cfg["relu"]:  # a clamp at the real 0: the zero point
        lo = max(lo, cfg["y_zp"])
    return lo, hi


def kshape(v):
    return np.asarray(v).reshape(1, -1, 1, 1)


def requant_definition(cfg, acc, xs, ws, ys):
    m = (F64(xs) * ws.astype(F64) / F64(ys)).astype(F32)
    v = (acc.astype(F32) * kshape(m)).astype(F32)
    return np.clip(np.round(v.astype(F64)) + cfg["y_zp"], *out_range(cfg, ys))


def requant_onnx(cfg, acc, xs, ws, ys):
    v = acc.astype(F64) * kshape(F64(xs) * ws.astype(F64) / F64(ys))
    return np.clip(np.round(v) + cfg["y_zp"], *out_range(cfg, ys))


def tflite_multiplier(real):
    """TFLite's QuantizeMultiplier: a Q31 multiplier and a shift."""
    q, shift = np.frexp(real)
    qf = np.round(q * 2.0 ** 31).astype(np.int64)
    over = qf == 2 ** 31
    return np.where(over, qf // 2, qf), np.where(over, shift + 1, shift)


def requant_tflite(cfg, acc, xs, ws, ys):
    """MultiplyByQuantizedMultiplier of TFLite's reference kernels (int64
    numpy, the int32 saturation cases never arise here)."""
    q, shift = tflite_multiplier(F64(xs) * ws.astype(F64) / F64(ys))
    q, shift = kshape(q), kshape(shift)
    a = acc * (2 ** np.maximum(shift, 0))
    ab = a * q
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    t = ab + nudge
    hi = np.where(t >= 0, t >> 31, -((-t) >> 31))  # truncating division
    e = np.maximum(-shift, 0)
    mask = (1 << e) - 1
    rem = hi & mask
    thr = (mask >> 1) + (hi < 0)
    y = (hi >> e) + (rem > thr)
    return np.clip(y + cfg["y_zp"], *out_range(cfg, ys))


def model_onednn(cfg, acc0, b, xs, ws, ys):
    """oneDNN as torch 1.13 drives it (through ideep), all in fp32: the
    reciprocal scales rx = 1/x_scale, rw = 1/w_scale, ry = 1/y_scale; the
    output scale ry / (rx * rw); the float bias brought into the sum's
    domain, b * (rx * rw), unrounded; v = (acc + that) * output scale; then
    v + y_zp (in fp32) rounded half to even."""
    rx, ry = F32(1.0 / F64(xs)), F32(1.0 / F64(ys))
    rw = (1.0 / ws.astype(F64)).astype(F32)
    srw = (rx * rw).astype(F32)
    scale = (ry / srw).astype(F32)
    bias = (b * srw).astype(F32) if b is not None else np.zeros_like(srw)
    v = ((acc0.astype(F32) + kshape(bias)).astype(F32) * kshape(scale)
         ).astype(F32)
    v = (v + F32(cfg["y_zp"])).astype(F32)
    return np.clip(np.round(v.astype(F64)), *out_range(cfg, ys))


def model_qnnpack(cfg, acc0, b, xs, ws, ys):
    """torch's qnnpack: ATen's bias quantization (fp32 reciprocal of the
    scale), the multiplier fp32(fp32(w_scale * x_scale) * fp32(1 / y_scale)),
    the product in fp32."""
    acc = acc0
    if b is not None:
        inv = (F32(1) / (F64(xs) * ws.astype(F64)).astype(F32)).astype(F32)
        acc = acc0 + kshape(np.round((b * inv).astype(F32)).astype(np.int64))
    m = ((ws * F32(xs)).astype(F32) * (F32(1) / F32(ys))).astype(F32)
    v = (acc.astype(F32) * kshape(m)).astype(F32)
    return np.clip(np.round(v.astype(F64)) + cfg["y_zp"], *out_range(cfg, ys))


# ---- simdconv -----------------------------------------------------------------

def to_layout(a, layout):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1) if layout == "nhwc"
                                else a)


def from_layout(a, layout):
    return a.transpose(0, 3, 1, 2) if layout == "nhwc" else a


class Q8:
    def __init__(self, lib):
        self.lib, self.L, self.api = lib, lib.L, lib.api

    def desc(self, cfg):
        d = self.lib.desc(dict(
            C=cfg["C"], K=cfg["K"], R=cfg["R"], S=cfg["S"],
            stride=cfg["stride"], dilation=cfg["dilation"],
            groups=cfg["groups"], padding="explicit", pads=cfg["pads"],
            mode=cfg["mode"], layout=cfg["layout"], wlayout=cfg["wlayout"],
            flip=cfg["flip"], act="relu" if cfg["relu"] else "none",
            act_lo=0.0, act_hi=float("inf")))
        return d

    def qparams(self, cfg, xs, ws, ys):
        q = self.api.QParams()
        q.input_type, q.input_scale = self.api.QTYPE[cfg["in_type"]], xs
        q.input_zero_point = cfg["x_zp"]
        q.weight_scales = ws.ctypes.data
        q.weight_scale_count = ws.size
        q.output_type = self.api.QTYPE[cfg["out_type"]]
        q.output_scale, q.output_zero_point = ys, cfg["y_zp"]
        return q

    def bias(self, b, xs, ws):
        out = np.zeros(ws.size, np.int32)
        st = self.L.simdconv_quantize_bias(b.ctypes.data, ws.size, xs,
                                           ws.ctypes.data, ws.size,
                                           out.ctypes.data)
        assert st == 0, st
        return out

    def run(self, d, q, x, w, bq, N, H, W, OH, OW, K, isa, pool):
        """(status, output bytes in the descriptor's layout)."""
        opts = self.api.Options(isa, None, None)
        h = ctypes.c_void_p()
        st = self.L.simdconv_create_q8(
            ctypes.byref(d), ctypes.byref(q), w.ctypes.data,
            None if bq is None else bq.ctypes.data, ctypes.byref(opts),
            ctypes.byref(h))
        if st:
            return st, None
        # odd addresses for the kernels, as the fp32 harness does
        xb = np.zeros(x.size + 3, np.uint8)
        xb[3:] = x.view(np.uint8).ravel()
        y = np.zeros(N * K * OH * OW + 1, np.uint8)
        st = self.L.simdconv_run_q8(h, N, H, W, xb.ctypes.data + 3,
                                    y.ctypes.data + 1, None, 0, pool)
        self.L.simdconv_destroy(h)
        return st, y[1:]

    def oracle(self, d, q, x, w, bq, N, H, W, n_out):
        y = np.zeros(n_out, np.uint8)
        st = self.L.simdconv_reference_q8(
            ctypes.byref(d), ctypes.byref(q), N, H, W, x.ctypes.data,
            w.ctypes.data, None if bq is None else bq.ctypes.data,
            y.ctypes.data, None)
        return st, y


# ---- torch ----------------------------------------------------------------------

def run_torch(engine, cfg, x, w, b, xs, ws, ys):
    torch.backends.quantized.engine = engine
    xq = torch._make_per_tensor_quantized_tensor(
        torch.from_numpy(x.astype(np.uint8)), float(xs), cfg["x_zp"])
    wa = w[:, :, ::-1, ::-1] if cfg["flip"] else w
    wt = torch.from_numpy(np.ascontiguousarray(wa).astype(np.int8))
    if cfg["per_channel"]:
        wq = torch._make_per_channel_quantized_tensor(
            wt, torch.from_numpy(ws.astype(F64)),
            torch.zeros(cfg["K"], dtype=torch.long), 0)
    else:
        wq = torch._make_per_tensor_quantized_tensor(wt, float(ws[0]), 0)
    y = qF.conv2d(xq, wq, None if b is None else torch.from_numpy(b),
                  stride=cfg["stride"], padding=(cfg["pads"][0],
                                                 cfg["pads"][2]),
                  dilation=cfg["dilation"], groups=cfg["groups"],
                  scale=float(ys), zero_point=cfg["y_zp"])
    if cfg["relu"]:
        y = torch.relu(y)
    return y.int_repr().numpy().astype(np.int64)


# ---- one case --------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.bytes = self.exact = self.cases = self.exact_cases = 0
        self.maxdiff = self.unexplained = self.errors = 0

    def add(self, y, ref, explained=None):
        d = np.abs(y - ref)
        self.bytes += d.size
        self.exact += int((d == 0).sum())
        self.cases += 1
        self.exact_cases += int(d.max(initial=0) == 0)
        self.maxdiff = max(self.maxdiff, int(d.max(initial=0)))
        if explained is not None:
            self.unexplained += int(((d != 0) & ~explained).sum())

    def line(self, name):
        if self.cases == 0:
            return "  %-28s no case" % name
        extra = (", %d unexplained" % self.unexplained
                 if self.unexplained else "")
        return ("  %-28s %d of %d bytes exact (%.4f%%), %d of %d "
                "configurations exact, max |diff| %d%s%s" % (
                    name, self.exact, self.bytes,
                    100.0 * self.exact / max(self.bytes, 1),
                    self.exact_cases, self.cases, self.maxdiff, extra,
                    ", %d torch errors" % self.errors if self.errors else ""))


def describe(cfg):
    return ("N%d C%d K%d %dx%d in %dx%d stride %s dil %s groups %d pads %s "
            "%s %s/%s %s%s %s(zp %d)->%s(zp %d) %s%s" % (
                cfg["N"], cfg["C"], cfg["K"], cfg["R"], cfg["S"], cfg["H"],
                cfg["W"], cfg["stride"], cfg["dilation"], cfg["groups"],
                cfg["pads"], cfg["mode"], cfg["layout"], cfg["wlayout"],
                "flip " if cfg["flip"] else "", "relu" if cfg["relu"] else "",
                cfg["in_type"], cfg["x_zp"], cfg["out_type"], cfg["y_zp"],
                "per-channel" if cfg["per_channel"] else "per-tensor",
                " bias" if cfg["bias"] else ""))


def run_case(q8, tallies, isas, pool, rng, p):
    cfg = draw_config(rng, p)
    x, w, b, xs, ws, ys = draw_data(rng, cfg)
    N, K, OH, OW = cfg["N"], cfg["K"], cfg["OH"], cfg["OW"]
    d = q8.desc(cfg)
    wsc = np.ascontiguousarray(ws[:1] if not cfg["per_channel"] else ws)
    qp = q8.qparams(cfg, xs, wsc, ys)
    bq = q8.bias(b, xs, ws) if b is not None else None
    xl = to_layout(x, cfg["layout"]).astype(
        np.uint8 if cfg["in_type"] == "u8" else np.int8)
    wl = np.ascontiguousarray(w.transpose(0, 2, 3, 1) if cfg["wlayout"] ==
                              "ohwi" else w).astype(np.int8)
    acc0 = exact_sum(cfg, x, w)
    acc = acc0 + (kshape(bq.astype(np.int64)) if bq is not None else 0)
    want = requant_definition(cfg, acc, xs, ws, ys)
    problems = []
    outs = []
    for isa, threads in isas:
        st, y = q8.run(d, qp, xl, wl, bq, N, cfg["H"], cfg["W"], OH, OW, K,
                       isa, pool if threads > 1 else None)
        if st:
            problems.append("simdconv_create/run_q8 on isa %d: status %d (%s)"
                            % (isa, st, sc.STATUS.get(st, "?")))
            continue
        outs.append(y)
    st, yo = q8.oracle(d, qp, xl, wl, bq, N, cfg["H"], cfg["W"], want.size)
    if st:
        problems.append("simdconv_reference_q8: status %d" % st)
    signed = cfg["out_type"] == "s8"
    for y in outs + ([yo] if not st else []):
        v = y.view(np.int8) if signed else y
        got = from_layout(v.reshape((N, OH, OW, K) if cfg["layout"] == "nhwc"
                                    else (N, K, OH, OW)).astype(np.int64),
                          cfg["layout"])
        if not np.array_equal(got, want):
            i = np.argwhere(got != want)[0]
            problems.append("differs from the definition at %s: %d vs %d "
                            "(acc %d)" % (tuple(i), got[tuple(i)],
                                          want[tuple(i)], acc[tuple(i)]))
            break
    if outs and not all(np.array_equal(outs[0], y) for y in outs[1:]):
        problems.append("the ISAs / thread counts differ")
    y = want  # simdconv's bytes: equal to the definition, or a problem
    tallies["definition (numpy)"].add(y, want)
    tallies["onnx QLinearConv (f64)"].add(y, requant_onnx(cfg, acc, xs, ws,
                                                          ys))
    tallies["tflite fixed point"].add(y, requant_tflite(cfg, acc, xs, ws, ys))
    for name, model in (("torch onednn", model_onednn),
                        ("torch qnnpack", model_qnnpack)):
        if not cfg["torch"]:
            continue
        try:
            t = run_torch(name.split()[1], cfg, x, w, b, xs, ws, ys)
        except RuntimeError:
            tallies[name].errors += 1
            continue
        m = model(cfg, acc0, b, xs, ws, ys)
        tallies[name].add(y, t, explained=(m == t))
        if ((y != t) & (m != t)).any():
            problems.append("%s: a difference its model does not reproduce"
                            % name)
    for name in tallies:
        if tallies[name].maxdiff > 1:
            problems.append("%s differs by more than 1" % name)
    return cfg, problems


def usable_isas(lib):
    """(isa, threads): every usable ISA single-threaded, the best one on two
    threads too."""
    isas = [(i, 1) for i in range(1, len(lib.api.isa_names()))
            if lib.L.simdconv_isa_check(i) == 0]
    return isas + [(max(i for i, _ in isas), 2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="CI mode (default)")
    g.add_argument("--long", action="store_true", help="release mode")
    ap.add_argument("--count", type=int, help="number of random cases")
    ap.add_argument("--seed", type=int, help="master seed")
    ap.add_argument("--lib", help="path of libsimdconv.so")
    args = ap.parse_args()
    p = dict(MODES["long" if args.long else "quick"])
    if args.count:
        p["count"] = args.count
    if args.seed is not None:
        p["seed"] = args.seed
    try:
        lib = sc.Lib(sc.find_library(args.lib))
    except Exception as e:  # noqa: BLE001
        print("conformance_q8: cannot load the library: %s" % e)
        print("conformance (int8): 0 passed, 1 failed")
        return 1
    q8 = Q8(lib)
    isas = usable_isas(lib)
    pool = lib.shared_pool(2)
    names = ["definition (numpy)", "onnx QLinearConv (f64)",
             "tflite fixed point", "torch onednn", "torch qnnpack"]
    tallies = {n: Tally() for n in names}
    engines = torch.backends.quantized.supported_engines
    print("int8 conformance: simdconv %s, torch %s (quantized engines %s), "
          "numpy %s; %d configurations, seed %d; ISAs %s" % (
              lib.version, torch.__version__, engines, np.__version__,
              p["count"], p["seed"],
              ", ".join("%s%s" % (lib.isa_name(i), "x2" if t > 1 else "")
                        for i, t in isas)))
    passed = failed = 0
    t0 = time.time()
    for i in range(p["count"]):
        rng = np.random.default_rng([p["seed"], i])
        cfg, problems = run_case(q8, tallies, isas, pool, rng, p)
        if problems:
            failed += 1
            print("FAIL case %d (--seed %d, index %d): %s: %s" % (
                i, p["seed"], i, describe(cfg), "; ".join(problems)))
        else:
            passed += 1
    print("compared with (every byte of every configuration; torch only "
          "where it supports the configuration):")
    for n in names:
        print(tallies[n].line(n))
    print("time %.1f s" % (time.time() - t0))
    print("conformance (int8): %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
