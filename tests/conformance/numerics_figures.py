#!/usr/bin/python3
"""The measured figures of the numerics guide (docs/numerics.md).

Every table of the guide is printed by one section of this script, run on
simdconv itself (through the Python package's ctypes layer, see harness.py)
with fixed seeds:

  /usr/bin/python3 tests/conformance/numerics_figures.py [--lib PATH] [SECTION...]

Sections: growth, integer, defaults, flip, shapes, repro (default: all).
Needs Debian's python3-torch, python3-numpy and python3-scipy (run it with
/usr/bin/python3) and a built libsimdconv.so (tests/conformance/run.sh builds
build-conformance/; --lib or $SIMDCONV_LIBRARY point elsewhere).
"""
import argparse
import hashlib
import math
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as sc  # noqa: E402

warnings.filterwarnings("ignore")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import scipy.signal  # noqa: E402

torch.set_num_threads(1)
U = 2.0 ** -24


def cfg_of(C, K, R, S=None, **kw):
    cfg = dict(C=C, K=K, R=R, S=R if S is None else S, groups=1,
               stride=[1, 1], dilation=[1, 1], padding="explicit",
               pads=[0, 0, 0, 0], mode="zeros", layout="nchw", wlayout="oihw",
               flip=False, act="none", act_lo=-math.inf, act_hi=math.inf)
    cfg.update(kw)
    return cfg


def run(lib, cfg, x, w, b, threads=1, isa=0):
    """simdconv's output for x in cfg's layout and OIHW w (the output is in
    cfg's layout too)."""
    d = lib.desc(cfg)
    if cfg["layout"] == "nhwc":
        N, H, W, _ = x.shape
    else:
        N, _, H, W = x.shape
    st, OH, OW = lib.output_shape(d, H, W)
    assert st == sc.OK, sc.STATUS[st]
    y = np.zeros((N, cfg["K"], OH, OW), np.float32)
    if cfg["layout"] == "nhwc":
        y = np.zeros((N, OH, OW, cfg["K"]), np.float32)
    rc, conv = lib.create(d, w, b, isa)
    assert rc == sc.OK, sc.STATUS[rc]
    pool = lib.shared_pool(threads) if threads > 1 else None
    rc = lib.run(conv, N, H, W, np.ascontiguousarray(x), y, None, pool)
    assert rc == sc.OK, sc.STATUS[rc]
    lib.destroy(conv)
    return y


def table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---:" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    print("\n".join(out))


# ---------------------------------------------------------------------------

def sec_growth(lib):
    print("## Error against n (3x3 kernel, C = 1..512, K = 32, 12x12 input, "
          "padding 1; %d outputs per row)\n" % (32 * 144))
    print("Errors in units of u*scale (u = 2^-24, scale = sum |x*w|), against"
          " exact sums (torch float64). bound = gamma_n/u ~ n.\n")
    for label, lo in (("x, w uniform in [-1, 1)", -1.0),
                      ("x, w uniform in [0, 1)", 0.0)):
        print("**%s**\n" % label)
        rows = []
        for C in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):
            rng = np.random.Generator(np.random.PCG64(1000 + C))
            n = 9 * C
            x = rng.uniform(lo, 1, (1, C, 12, 12)).astype(np.float32)
            w = rng.uniform(lo, 1, (32, C, 3, 3)).astype(np.float32)
            cfg = cfg_of(C, 32, 3, pads=[1, 1, 1, 1])
            y = run(lib, cfg, x, w, None).astype(np.float64)
            X, Wt = torch.from_numpy(x), torch.from_numpy(w)
            exact = F.conv2d(X.double(), Wt.double(), None, 1, 1).numpy()
            scale = F.conv2d(X.double().abs(), Wt.double().abs(), None, 1,
                             1).numpy()
            t32 = F.conv2d(X, Wt, None, 1, 1).numpy().astype(np.float64)
            e_s = np.abs(y - exact) / (U * scale)
            e_t = np.abs(t32 - exact) / (U * scale)
            gamma = n * U / (1 - n * U)
            differ = np.mean(y != t32) * 100
            rows.append([n, "%.0f" % (gamma / U), "%.2f" % e_s.max(),
                         "%.3f" % math.sqrt(np.mean(e_s ** 2)),
                         "%.2f" % e_t.max(),
                         "%.3f" % math.sqrt(np.mean(e_t ** 2)),
                         "%.1f" % math.sqrt(n), "%.0f%%" % differ])
        table(["n", "bound", "simdconv max", "simdconv RMS", "torch fp32 max",
               "torch fp32 RMS", "sqrt(n)", "outputs differing"], rows)
        print()


def sec_integer(lib):
    print("## Integer-valued data\n")
    print("3x3 kernel, C = 64 (n = 576 taps), K = 16, 16x16 input, "
          "padding 0, no bias; x and w integers drawn uniformly from [0, M] "
          "(so partial sums only grow) and from [-M, M].\n")
    rows = []
    for M in (64, 128, 170, 200, 240, 256, 300, 341, 400, 512, 1024):
        row = [M, "%d" % (576 * M * M)]
        for lo in (0, -M):
            rng = np.random.Generator(np.random.PCG64(M))
            x = rng.integers(lo, M + 1, (1, 64, 16, 16)).astype(np.float32)
            w = rng.integers(lo, M + 1, (16, 64, 3, 3)).astype(np.float32)
            y = run(lib, cfg_of(64, 16, 3), x, w, None).astype(np.float64)
            ex = F.conv2d(torch.from_numpy(x).double(),
                          torch.from_numpy(w).double()).numpy()
            # largest partial sum in canonical order: the taps of one output
            # in (r, s, c) order, cumulated
            xs = np.lib.stride_tricks.sliding_window_view(x[0], (3, 3),
                                                          axis=(1, 2))
            # xs: C, OH, OW, R, S -> OH, OW, R, S, C
            xs = xs.transpose(1, 2, 3, 4, 0).reshape(14, 14, -1)
            ws = w.transpose(0, 2, 3, 1).reshape(16, -1)
            part = np.cumsum(xs[:, :, None, :].astype(np.float64) *
                             ws[None, None, :, :], axis=-1)
            maxpart = np.abs(part).max()
            bad = np.mean(y != ex) * 100
            row += ["%.3g" % maxpart, "%.2f%%" % bad]
        rows.append(row)
    table(["M", "n*M^2", "[0,M]: max partial sum", "[0,M]: inexact outputs",
           "[-M,M]: max partial sum", "[-M,M]: inexact outputs"], rows)
    print("\n2^24 = %d" % 2 ** 24)
    # the first non-exact sum: ones accumulated
    C = 1 << 16
    print("\nCounting with fmaf: 1x1 kernel, x = 1, w = 1 over C channels, "
          "bias b:\n")
    rows = []
    for b, C in ((2 ** 24 - 4, 3), (2 ** 24 - 4, 4), (2 ** 24 - 4, 5),
                 (2 ** 24 - 4, 8)):
        x = np.ones((1, C, 1, 1), np.float32)
        w = np.ones((1, C, 1, 1), np.float32)
        y = run(lib, cfg_of(C, 1, 1), x, w, np.array([b], np.float32))
        rows.append([b, C, b + C, "%d" % y.reshape(-1)[0],
                     "yes" if y.reshape(-1)[0] == b + C else "no"])
    table(["bias", "C (ones)", "exact", "simdconv", "exact?"], rows)
    print()


def sec_defaults(lib):
    print("## Defaults: bias, zero padding, borders\n")
    m = torch.nn.Conv2d(1, 1, 3)
    print("torch.nn.Conv2d(1, 1, 3): bias=%s, padding=%s, padding_mode=%r\n"
          % (m.bias is not None, m.padding, m.padding_mode))
    b = np.array([0.5], np.float32)
    w = np.ones((1, 1, 3, 3), np.float32)
    x0 = np.zeros((1, 1, 5, 5), np.float32)
    y = run(lib, cfg_of(1, 1, 3, pads=[1, 1, 1, 1]), x0, w, b)
    print("zero input, 3x3 ones kernel, bias 0.5, padding 1:\n")
    print("```\n%s\n```\n" % np.array2string(y[0, 0], precision=3))
    x1 = np.ones((1, 1, 5, 5), np.float32)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        y = run(lib, cfg_of(1, 1, 3, pads=[1, 1, 1, 1], mode=mode), x1, w, b)
        t = torch.nn.Conv2d(1, 1, 3, padding=1, padding_mode=mode)
        with torch.no_grad():
            t.weight.fill_(1.0)
            t.bias.fill_(0.5)
            ty = t(torch.from_numpy(x1)).detach().numpy()
        print("all-ones input, padding 1, padding_mode=%r (torch agrees: %s):"
              "\n" % (mode, bool(np.array_equal(ty, y))))
        print("```\n%s\n```\n" % np.array2string(y[0, 0], precision=3))


def sec_flip(lib):
    print("## Cross-correlation and convolution\n")
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    w = np.array([[1, 2, 3], [0, 1, 0], [0, 0, 0]],
                 np.float32).reshape(1, 1, 3, 3)
    print("x =\n```\n%s\n```\nw =\n```\n%s\n```\n" % (x[0, 0], w[0, 0]))
    yc = run(lib, cfg_of(1, 1, 3), x, w, None)
    yf = run(lib, cfg_of(1, 1, 3, flip=True), x, w, None)
    tc = F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()
    sv = scipy.signal.convolve2d(x[0, 0], w[0, 0], mode="valid")
    sc_ = scipy.signal.correlate2d(x[0, 0], w[0, 0], mode="valid")
    print("simdconv (flip off) = F.conv2d = scipy.signal.correlate2d:\n"
          "```\n%s\n```" % yc[0, 0])
    print("(equal: %s, %s)\n" % (np.array_equal(yc, tc),
                                 np.array_equal(yc[0, 0], sc_)))
    print("simdconv (flip on) = scipy.signal.convolve2d(x, w, 'valid'):\n"
          "```\n%s\n```" % yf[0, 0])
    print("(equal: %s)\n" % np.array_equal(yf[0, 0], sv))
    t00 = x[0, 0, :3, :3]
    print("top-left output: correlation sum(x[0:3,0:3] * w) = %g, "
          "convolution sum(x[0:3,0:3] * w[::-1, ::-1]) = %g\n"
          % ((t00 * w[0, 0]).sum(), (t00 * w[0, 0, ::-1, ::-1]).sum()))
    # scipy's 'same' and 'full' against simdconv's padding
    print("scipy.signal.convolve2d modes as simdconv padding (flip on):\n")
    rng = np.random.Generator(np.random.PCG64(3))
    rows = []
    for R, S in ((3, 3), (2, 2), (4, 3)):
        xx = rng.integers(-4, 5, (1, 1, 7, 8)).astype(np.float32)
        ww = rng.integers(-4, 5, (1, 1, R, S)).astype(np.float32)
        cands = {"full": [R - 1, R - 1, S - 1, S - 1],
                 "same (PyTorch)": None,
                 "same, extra row/col before": [R // 2, (R - 1) // 2, S // 2,
                                                (S - 1) // 2]}
        for smode in ("full", "same"):
            ref = scipy.signal.convolve2d(xx[0, 0], ww[0, 0], mode=smode)
            for name, pads in cands.items():
                if smode == "full" and name != "full":
                    continue
                if smode == "same" and name == "full":
                    continue
                if pads is None:
                    c = cfg_of(1, 1, R, S, padding="same", flip=True)
                else:
                    c = cfg_of(1, 1, R, S, pads=pads, flip=True)
                y = run(lib, c, xx, ww, None)[0, 0]
                eq = y.shape == ref.shape and np.array_equal(y, ref)
                rows.append(["%dx%d" % (R, S), smode, name,
                             "padding=%s" % ("same" if pads is None else
                                             ",".join(map(str, pads))),
                             "yes" if eq else "no"])
    table(["kernel", "scipy mode", "simdconv", "flags", "equal"], rows)
    print()


def sec_shapes(lib):
    print("## Output sizes\n")
    rows = []
    cases = [
        ("nn.Conv2d(16, 33, 3, stride=2)", dict(C=16, K=33, R=3,
                                                stride=[2, 2])),
        ("nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))",
         dict(C=16, K=33, R=3, S=5, stride=[2, 1], pads=[4, 4, 2, 2])),
        ("nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), "
         "dilation=(3, 1))", dict(C=16, K=33, R=3, S=5, stride=[2, 1],
                                  pads=[4, 4, 2, 2], dilation=[3, 1])),
        ("nn.Conv2d(16, 33, 4, padding='same')",
         dict(C=16, K=33, R=4, padding="same")),
        ("nn.Conv2d(16, 33, 3, padding='same', dilation=2)",
         dict(C=16, K=33, R=3, padding="same", dilation=[2, 2])),
        ("nn.Conv2d(16, 33, 3, padding='valid', dilation=2)",
         dict(C=16, K=33, R=3, padding="valid", dilation=[2, 2])),
    ]
    for name, kw in cases:
        c = cfg_of(**kw)
        d = lib.desc(c)
        st, OH, OW = lib.output_shape(d, 50, 100)
        _, pads = lib.resolved_padding(d)
        pad = kw.get("padding", "explicit")
        m = torch.nn.Conv2d(16, 33, (c["R"], c["S"]), stride=c["stride"],
                            padding=pad if pad != "explicit" else
                            (c["pads"][0], c["pads"][2]),
                            dilation=c["dilation"])
        ts = tuple(m(torch.zeros(1, 16, 50, 100)).shape[2:])
        rows.append(["`%s`" % name, "%d x %d" % (OH, OW),
                     "%d x %d" % ts, "%d,%d,%d,%d" % pads])
    print("Input 20 x 16 x 50 x 100 (the PyTorch documentation's example):\n")
    table(["layer", "simdconv_output_shape", "torch", "pads t,b,l,r"], rows)
    print()


def sec_repro(lib):
    print("## Reproducibility: output digests (sha256 of the fp32 output, "
          "first 12 hex digits)\n")
    layers = [
        ("3x3, 64->64, 28x28", cfg_of(64, 64, 3, pads=[1, 1, 1, 1]),
         (64, 28, 28)),
        ("1x1, 256->64, 14x14", cfg_of(256, 64, 1), (256, 14, 14)),
        ("dw 3x3 s2, 96, 28x28, reflect", cfg_of(96, 96, 3, groups=96,
                                                 stride=[2, 2],
                                                 pads=[1, 1, 1, 1],
                                                 mode="reflect"),
         (96, 28, 28)),
        ("7x7 s2, 3->64, 64x64, NHWC, gelu", cfg_of(3, 64, 7, stride=[2, 2],
                                                    pads=[3, 3, 3, 3],
                                                    layout="nhwc",
                                                    act="gelu"),
         (3, 64, 64)),
    ]
    isas = lib.usable_isas
    head = ["layer", "runs", "distinct digests", "digest"]
    rows = []
    for name, cfg, (C, H, W) in layers:
        rng = np.random.Generator(np.random.PCG64(11))
        x = rng.uniform(-1, 1, (3, C, H, W)).astype(np.float32)
        w = rng.uniform(-1, 1, (cfg["K"], C // cfg["groups"], cfg["R"],
                                cfg["S"])).astype(np.float32)
        b = rng.uniform(-1, 1, cfg["K"]).astype(np.float32)
        xin = x
        if cfg["layout"] == "nhwc":
            xin = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        digests = set()
        runs = 0
        for isa in isas:
            for t in (1, 2, 3):
                y = run(lib, cfg, xin, w, b, threads=t, isa=isa)
                dg = hashlib.sha256(y[1].tobytes()).hexdigest()[:12]
                digests.add(dg)
                runs += 1
        y1 = run(lib, cfg, xin[1:2], w, b)
        dg = hashlib.sha256(y1[0].tobytes()).hexdigest()[:12]
        digests.add(dg)
        rows.append([name, runs + 1, len(digests), " ".join(sorted(
            digests))])
    print("Digest of image 2 of a batch of 3 on every ISA (%s) with 1, 2 "
          "and 3 threads, and of that image run alone (batch 1):\n"
          % ", ".join(lib.isa_name(i) for i in isas))
    table(head, rows)
    print()


SECTIONS = {"growth": sec_growth, "integer": sec_integer,
            "defaults": sec_defaults, "flip": sec_flip, "shapes": sec_shapes,
            "repro": sec_repro}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib")
    ap.add_argument("sections", nargs="*", choices=[[]] + list(SECTIONS))
    a = ap.parse_args()
    lib = sc.Lib(sc.find_library(a.lib))
    print("<!-- simdconv %s, %s; torch %s; ISAs %s -->\n" % (
        lib.version, lib.path, torch.__version__,
        ", ".join(lib.isa_name(i) for i in lib.usable_isas)))
    for s in a.sections or list(SECTIONS):
        SECTIONS[s](lib)


if __name__ == "__main__":
    main()
