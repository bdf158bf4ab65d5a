#!/usr/bin/python3
"""The call overhead of the Python package against C, on the smallest layer
anyone would time: a 1x1 convolution, 8 -> 8 channels, one 8x8 NCHW image.

    meson devenv -C build /usr/bin/python3 $PWD/tests/python/overhead.py [ROUNDS [BLOCKS [CALLS]]]

Each block times CALLS (default 200) calls of one variant and keeps the
mean per call. A round runs BLOCKS (default 30) blocks of each variant, the
C ones in <build>/tests/python/call_overhead (found next to the library the
package loaded), the Python ones here, alternating; ROUNDS (default 10)
rounds spread both over the same stretch of a shared machine's load. The
table gives, per variant, the median over all blocks and the 10th and 90th
percentiles.
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


def c_blocks(blocks, calls):
    """{variant: [microseconds per call, one per block]} from the C side."""
    lib = os.path.realpath(simdconv.info()["library"])
    exe = os.path.join(os.path.dirname(os.path.dirname(lib)), "tests",
                       "python", "call_overhead")
    out = subprocess.run([exe, str(blocks), str(calls)], check=True,
                         capture_output=True, text=True).stdout
    run, oneshot = zip(*(map(float, line.split())
                         for line in out.splitlines()))
    return {"C simdconv_run (prepacked)": run,
            "C create + run + destroy": oneshot}


def python_variants():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1, 8, 8, 8)).astype(np.float32)
    w = rng.uniform(-1, 1, (8, 8, 1, 1)).astype(np.float32)
    b = rng.uniform(-1, 1, 8).astype(np.float32)
    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
    layer = simdconv.Conv2d(w, b)
    return {
        "Conv2d.__call__, numpy": lambda: layer(x),
        "Conv2d.__call__, torch": lambda: layer(xt),
        "conv2d(), numpy": lambda: simdconv.conv2d(x, w, b),
        "conv2d(), torch": lambda: simdconv.conv2d(xt, wt, bt),
        "torch F.conv2d (1 thread)": lambda: F.conv2d(xt, wt, bt),
    }


def python_blocks(variants, blocks, calls):
    times = {k: [] for k in variants}
    for _ in range(blocks):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            times[name].append((time.perf_counter() - t0) / calls * 1e6)
    return times


# Which C figure each Python variant adds its work to.
C_BASE = {"Conv2d.__call__": "C simdconv_run (prepacked)",
          "conv2d()": "C create + run + destroy"}


def main():
    rounds, blocks, calls = ([int(a) for a in sys.argv[1:4]] + [10, 30, 200]
                             [len(sys.argv[1:4]):])
    torch.set_num_threads(1)
    load = os.getloadavg()
    variants, times = python_variants(), {}
    for _ in range(rounds):
        for part in (c_blocks(blocks, calls),
                     python_blocks(variants, blocks, calls)):
            for name, v in part.items():
                times.setdefault(name, []).extend(v)
    print("host: %s, %d CPUs, load average %.2f %.2f %.2f at start, "
          "%.2f %.2f %.2f at the end" % ((cpu_model(), os.cpu_count()) + load
                                         + os.getloadavg()))
    print("1x1 conv, 8 -> 8 channels, 1 x 8 x 8 NCHW; %d blocks of %d calls "
          "per variant; microseconds per call" % (rounds * blocks, calls))
    print("  %-28s %8s %8s %8s  %s" % ("", "median", "p10", "p90",
                                       "Python adds (medians)"))
    med = {k: float(np.median(v)) for k, v in times.items()}
    for name, v in times.items():
        base = C_BASE.get(name.split(",")[0])
        extra = "-" if base is None else "%.2f" % (med[name] - med[base])
        print("  %-28s %8.2f %8.2f %8.2f  %s" % (
            name, med[name], np.percentile(v, 10), np.percentile(v, 90),
            extra))


if __name__ == "__main__":
    main()
