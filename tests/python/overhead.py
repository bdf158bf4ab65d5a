#!/usr/bin/python3
"""The call overhead of the Python package against C, on the smallest layer
anyone would time: a 1x1 convolution, 8 -> 8 channels, one 8x8 NCHW image.

    meson devenv -C build /usr/bin/python3 $PWD/tests/python/overhead.py [BLOCKS [CALLS]]

Each figure is the median over BLOCKS (default 300) of the mean time per
call in a block of CALLS (default 200) calls; blocks of the variants
alternate, so they share the machine's load. The C side is
<build>/tests/python/call_overhead, found next to $SIMDCONV_LIBRARY's build.
"""
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import simdconv


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def c_figures(blocks, calls):
    lib = os.path.realpath(simdconv.info()["library"])
    exe = os.path.join(os.path.dirname(os.path.dirname(lib)), "tests",
                       "python", "call_overhead")
    out = subprocess.run([exe, str(blocks), str(calls)], check=True,
                         capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in
                                     out.splitlines())}


def python_figures(blocks, calls):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1, 8, 8, 8)).astype(np.float32)
    w = rng.uniform(-1, 1, (8, 8, 1, 1)).astype(np.float32)
    b = rng.uniform(-1, 1, 8).astype(np.float32)
    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
    layer = simdconv.Conv2d(w, b)
    variants = {
        "Conv2d.__call__, numpy": lambda: layer(x),
        "Conv2d.__call__, torch": lambda: layer(xt),
        "conv2d(), numpy": lambda: simdconv.conv2d(x, w, b),
        "conv2d(), torch": lambda: simdconv.conv2d(xt, wt, bt),
        "torch F.conv2d (1 thread)": lambda: F.conv2d(xt, wt, bt),
    }
    times = {k: [] for k in variants}
    for _ in range(blocks):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            times[name].append((time.perf_counter() - t0) / calls * 1e6)
    return {k: float(np.median(v)) for k, v in times.items()}


def main():
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    torch.set_num_threads(1)
    load = os.getloadavg()
    c = c_figures(blocks, calls)
    py = python_figures(blocks, calls)
    print("host: %s, %d CPUs, load average %.2f %.2f %.2f at start"
          % ((cpu_model(), os.cpu_count()) + load))
    print("1x1 conv, 8 -> 8 channels, 1 x 8 x 8 NCHW; median of %d blocks of "
          "%d calls, microseconds per call" % (blocks, calls))
    rows = [("C simdconv_run (prepacked)", c["run"], None),
            ("C create + run + destroy", c["oneshot"], None)]
    for name, us in py.items():
        base = c["run"] if "__call__" in name else (
            c["oneshot"] if "conv2d()" in name else None)
        rows.append((name, us, None if base is None else us - base))
    for name, us, over in rows:
        extra = "" if over is None else "   (Python adds %.2f)" % over
        print("  %-30s %8.2f%s" % (name, us, extra))


if __name__ == "__main__":
    main()
