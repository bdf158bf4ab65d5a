#!/usr/bin/env python3
"""Summarise simdconv-bench results (Google Benchmark JSON).

Usage: report.py [--out-dir DIR] [--no-plot] [--stat median|best]
                 RESULTS.json [MORE.json ...]

Reads the JSON written by simdconv-bench --benchmark_out=FILE
--benchmark_out_format=json. With --benchmark_repetitions=N and
--benchmark_report_aggregates_only=true it uses the median aggregate; with
single runs it uses the run itself (the median if a name appears several
times). Prints, per thread count, a table of GFLOP/s per layer for every
simdconv ISA/layout and every baseline, the ratio of the best simdconv
configuration to the best baseline and its % of peak, with geometric means
per network (the part of the layer name before '/') and overall; then
plan-creation times, depthwise bandwidth, oneDNN's implementation choices
and any failures. With --out-dir it also writes report.txt, summary.csv
and a PNG plot of % of peak per layer (gnuplot, else matplotlib, else
skipped with a message).

--stat best uses each benchmark's fastest repetition instead (needs the
per-repetition entries: run_suite.sh keeps them in the JSON) and writes
report_best.txt and summary_best.csv, no plot. On a shared machine whose
speed changes with its neighbours' load the best repetition shows what the
code does when it has the core; the median shows what a user would see.

Benchmark names: simdconv/ISA/LAYOUT/tT/NET/LAYER, onednn/FMT/tT/NET/LAYER,
xnnpack/nhwc/tT/NET/LAYER and create/CONFIG/NET/LAYER (Google Benchmark
appends /real_time). Python 3 standard library only.
"""

import argparse
import csv
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

ISA_ORDER = ["scalar", "avx2", "avx512", "neon"]
RUN_RE = re.compile(r"^(?P<config>.+?)/t(?P<threads>\d+)/(?P<layer>[^/]+/.+)$")
CREATE_RE = re.compile(r"^create/(?P<config>(simdconv/[^/]+|[^/]+)/[^/]+)/"
                       r"(?P<layer>[^/]+/.+)$")
SUFFIX_RE = re.compile(r"(/real_time|/min_time:[0-9.]+|/repeats:\d+|"
                       r"/iterations:\d+)+$")


class Result:
    """The median of one benchmark (a configuration on a layer)."""

    def __init__(self, kind, config, threads, layer, entry):
        self.kind = kind          # "run" or "create"
        self.config = config      # "simdconv/avx512/nhwc", "onednn/any", ...
        self.threads = threads    # int (1 for create)
        self.layer = layer        # "resnet50/res2_3x3"
        self.error = entry.get("error_message") if entry.get(
            "error_occurred") else None
        self.real_ns = to_ns(entry.get("real_time"), entry.get("time_unit"))
        self.flops = entry.get("FLOP")        # FLOP/s (a rate counter)
        self.pct_peak = entry.get("pct_peak")
        self.bytes = entry.get("bytes")       # B/s, depthwise layers only
        self.label = entry.get("label", "")

    @property
    def gflops(self):
        return self.flops / 1e9 if self.flops else None


def to_ns(value, unit):
    if value is None:
        return None
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}.get(unit or "ns", 1.0)
    return value * scale


def parse_name(run_name):
    name = SUFFIX_RE.sub("", run_name)
    if name.startswith("create/"):
        m = CREATE_RE.match(name)
        if m:
            return "create", m.group("config"), 1, m.group("layer")
        return None
    m = RUN_RE.match(name)
    if m:
        return "run", m.group("config"), int(m.group("threads")), \
            m.group("layer")
    return None


def median_entry(entries):
    """The entry with the median real time (a real entry, so its counters
    stay consistent with each other)."""
    ok = [e for e in entries if not e.get("error_occurred")]
    if not ok:
        return entries[0]
    ok.sort(key=lambda e: e.get("real_time", 0.0))
    return ok[(len(ok) - 1) // 2]


def best_entry(entries):
    """The fastest error-free entry."""
    ok = [e for e in entries if not e.get("error_occurred")]
    if not ok:
        return entries[0]
    return min(ok, key=lambda e: e.get("real_time", 0.0))


def load(paths, stat="median"):
    context = {}
    runs = {}     # run_name -> list of iteration entries
    medians = {}  # run_name -> median aggregate entry
    errors = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        context.update(data.get("context", {}))
        for e in data.get("benchmarks", []):
            rn = e.get("run_name", e.get("name", ""))
            if e.get("error_occurred"):
                errors[rn] = e
            elif e.get("run_type") == "aggregate":
                if e.get("aggregate_name") == "median":
                    medians[rn] = e
            else:
                runs.setdefault(rn, []).append(e)
    results = []
    for rn in sorted(set(runs) | set(medians) | set(errors)):
        parsed = parse_name(rn)
        if parsed is None:
            continue
        if stat == "best" and rn in runs:
            entry = best_entry(runs[rn])
        else:
            entry = medians.get(rn) or (median_entry(runs[rn]) if rn in runs
                                        else errors[rn])
        results.append(Result(*parsed, entry))
    return context, results


def geomean(values):
    vals = [v for v in values if v is not None and v > 0]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def config_sort_key(config):
    parts = config.split("/")
    if parts[0] == "simdconv":
        isa = ISA_ORDER.index(parts[1]) if parts[1] in ISA_ORDER else 99
        return (0, isa, parts[2] if len(parts) > 2 else "")
    return (1 if parts[0] == "onednn" else 2, 0, config)


def short(config):
    if config.startswith("simdconv/"):
        return config[len("simdconv/"):]
    return config.replace("onednn/", "dnnl/").replace("xnnpack/", "xnn/")


def fmt(value, digits=1, width=0):
    if value is None:
        text = "-"
    elif isinstance(value, str):
        text = value
    elif value >= 1000:
        text = "%.0f" % value
    elif value >= 100:
        text = "%.*f" % (max(digits - 1, 0), value)
    else:
        text = "%.*f" % (digits, value)
    return text.rjust(width) if width else text


def network(layer):
    # transposed layers are deconv/NET/LAYER: their network is deconv/NET
    parts = layer.split("/")
    return "/".join(parts[:2]) if parts[0] == "deconv" else parts[0]


class Table:
    """A text table with right-aligned numeric columns."""

    def __init__(self, headers):
        self.headers = headers
        self.rows = []

    def add(self, row):
        self.rows.append([fmt(c) if not isinstance(c, str) else c
                          for c in row])

    def add_rule(self):
        self.rows.append(None)

    def render(self):
        widths = [len(h) for h in self.headers]
        for r in self.rows:
            if r is not None:
                widths = [max(w, len(c)) for w, c in zip(widths, r)]
        def line(cells):
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths)))
        out = [line(self.headers), "-" * (sum(widths) + 2 * len(widths) - 2)]
        for r in self.rows:
            out.append("-" * (sum(widths) + 2 * len(widths) - 2)
                       if r is None else line(r))
        return "\n".join(out)


def layer_order(results):
    seen = []
    for r in results:
        if r.layer not in seen:
            seen.append(r.layer)
    return seen


def run_table(results, threads, layers, flops_of):
    """GFLOP/s per layer and configuration at one thread count, plus the
    summary columns. Returns (text, csv rows, per-layer best records)."""
    runs = [r for r in results if r.kind == "run" and r.threads == threads]
    configs = sorted({r.config for r in runs}, key=config_sort_key)
    by = {(r.layer, r.config): r for r in runs}
    sc_configs = [c for c in configs if c.startswith("simdconv/")]
    base_configs = [c for c in configs if not c.startswith("simdconv/")]
    headers = (["layer", "MFLOP"] + [short(c) for c in configs] +
               ["best sc", "best base", "ratio", "%peak"])
    table = Table(headers)
    csv_rows = []
    best = {}
    net_rows = {}
    for layer in layers:
        if not any((layer, c) in by for c in configs):
            continue
        cells = [layer, flops_of.get(layer)]
        vals = {}
        for c in configs:
            r = by.get((layer, c))
            if r is None:
                cells.append("-")
            elif r.error:
                cells.append("FAIL")
            else:
                vals[c] = r
                cells.append(fmt(r.gflops))
        sc = max((vals[c] for c in sc_configs if c in vals),
                 key=lambda r: r.gflops or 0, default=None)
        base = max((vals[c] for c in base_configs if c in vals),
                   key=lambda r: r.gflops or 0, default=None)
        ratio = (sc.gflops / base.gflops
                 if sc and base and sc.gflops and base.gflops else None)
        cells += [fmt(sc.gflops) if sc else "-",
                  fmt(base.gflops) if base else "-",
                  fmt(ratio, 2) if ratio else "-",
                  fmt(sc.pct_peak) if sc else "-"]
        table.add(cells)
        rec = {"layer": layer, "threads": threads, "vals": vals, "sc": sc,
               "base": base, "ratio": ratio}
        best[layer] = rec
        net_rows.setdefault(network(layer), []).append(rec)
        for c, r in vals.items():
            csv_rows.append([threads, layer, c, "%.4g" % (r.gflops or 0),
                             "%.3g" % (r.pct_peak or 0), r.label])
    # geometric means per network and overall
    def add_geo(name, recs):
        cells = [name, ""]
        for c in configs:
            vals = [rec["vals"][c].gflops for rec in recs if c in rec["vals"]]
            g = geomean(vals)
            partial = g is not None and len(vals) < len(recs)
            cells.append(fmt(g) + ("*" if partial else "") if g else "-")
        cells.append(fmt(geomean([rec["sc"].gflops for rec in recs
                                  if rec["sc"]])))
        cells.append(fmt(geomean([rec["base"].gflops for rec in recs
                                  if rec["base"]])))
        g_ratio = geomean([rec["ratio"] for rec in recs])
        cells.append(fmt(g_ratio, 2) if g_ratio else "-")
        cells.append(fmt(geomean([rec["sc"].pct_peak for rec in recs
                                  if rec["sc"]])))
        table.add(cells)
    table.add_rule()
    for net in net_rows:
        add_geo("geomean " + net, net_rows[net])
    add_geo("geomean all", [rec for recs in net_rows.values()
                            for rec in recs])
    return table.render(), csv_rows, best, configs


def create_table(results, layers):
    creates = [r for r in results if r.kind == "create"]
    if not creates:
        return None
    configs = sorted({r.config for r in creates}, key=config_sort_key)
    by = {(r.layer, r.config): r for r in creates}
    table = Table(["layer"] + [short(c) for c in configs])
    for layer in layers:
        if not any((layer, c) in by for c in configs):
            continue
        row = [layer]
        for c in configs:
            r = by.get((layer, c))
            row.append("-" if r is None else "FAIL" if r.error
                       else fmt(r.real_ns / 1e3))
        table.add(row)
    return table.render()


def depthwise_table(results, layers, context):
    dw = [r for r in results if r.kind == "run" and r.bytes]
    if not dw:
        return None
    configs = sorted({r.config for r in dw}, key=config_sort_key)
    simd = [c for c in configs if c.startswith("simdconv/")]
    by = {(r.layer, r.threads, r.config): r for r in dw}
    # The copy bandwidth measured in the same run (bench/membw.h), if any.
    copy = {t: float(context["memcpy_gbps_t%d" % t])
            for t in {r.threads for r in dw}
            if "memcpy_gbps_t%d" % t in context}
    extra = ["memcpy", "simdconv/memcpy"] if copy else []
    table = Table(["layer", "threads"] + [short(c) for c in configs] + extra)
    for threads in sorted({r.threads for r in dw}):
        for layer in layers:
            if not any((layer, threads, c) in by for c in configs):
                continue
            row = [layer, str(threads)] + [
                "FAIL" if by[(layer, threads, c)].error else
                fmt(by[(layer, threads, c)].bytes / 1e9, 2)
                if (layer, threads, c) in by else "-" for c in configs]
            if copy:
                ok = [by[(layer, threads, c)].bytes / 1e9 for c in simd
                      if (layer, threads, c) in by and
                      not by[(layer, threads, c)].error]
                m = copy.get(threads)
                row += [fmt(m, 2) if m else "-",
                        fmt(max(ok) / m, 2) if ok and m else "-"]
            table.add(row)
    text = table.render()
    if copy:
        text += ("\nmemcpy: GB/s read + written copying buffers twice the "
                 "last-level cache, best of 10, measured in this run; "
                 "simdconv/memcpy: the best simdconv config's GB/s over it")
    return text


def onednn_impls(results, layers):
    runs = [r for r in results if r.kind == "run" and
            r.config.startswith("onednn/") and not r.error]
    if not runs:
        return None
    configs = sorted({r.config for r in runs})
    by = {}
    for r in runs:
        by.setdefault((r.layer, r.config), set()).add(r.label)
    table = Table(["layer"] + configs)
    for layer in layers:
        if not any((layer, c) in by for c in configs):
            continue
        table.add([layer] + [",".join(sorted(by.get((layer, c), {"-"})))
                             for c in configs])
    counts = {}
    for r in runs:
        counts.setdefault(r.config, {}).setdefault(r.label, 0)
        counts[r.config][r.label] += 1
    lines = ["%s: %s" % (c, ", ".join("%s x%d" % kv for kv in sorted(
        counts[c].items(), key=lambda kv: -kv[1]))) for c in configs]
    return table.render() + "\n" + "\n".join(lines)


def plot(best_by_threads, configs_by_threads, context, out_dir):
    """% of peak per layer, one PNG per thread count. Returns messages."""
    msgs = []
    gnuplot = shutil.which("gnuplot")
    try:
        import matplotlib  # noqa: F401 (only probing)
        have_mpl = True
    except ImportError:
        have_mpl = False
    if not gnuplot and not have_mpl:
        return ["plot skipped: neither gnuplot nor python3-matplotlib is "
                "installed (apt-get install gnuplot-nox)"]
    for threads, best in sorted(best_by_threads.items()):
        configs = configs_by_threads[threads]
        sc = [c for c in configs if c.startswith("simdconv/")]
        top = max((c.split("/")[1] for c in sc),
                  key=lambda i: ISA_ORDER.index(i) if i in ISA_ORDER else -1,
                  default=None)
        series = [c for c in sc if c.split("/")[1] == top] + \
            [c for c in configs if not c.startswith("simdconv/")]
        layers = list(best)
        dat = os.path.join(out_dir, "pct_peak_t%d.dat" % threads)
        png = os.path.join(out_dir, "pct_peak_t%d.png" % threads)
        with open(dat, "w", encoding="utf-8") as f:
            f.write("# layer " + " ".join(series) + "\n")
            for layer in layers:
                vals = best[layer]["vals"]
                f.write('"%s" ' % layer + " ".join(
                    "%.3f" % vals[c].pct_peak if c in vals and
                    vals[c].pct_peak is not None else "NaN"
                    for c in series) + "\n")
        title = ("%% of peak per layer, %d thread%s (peak per core: %s)" % (
            threads, "" if threads == 1 else "s",
            ", ".join("%s %s GFLOP/s" % (k[len("peak_gflops_"):], v)
                      for k, v in sorted(context.items())
                      if k.startswith("peak_gflops_") and
                      k != "peak_gflops_machine")))
        if gnuplot:
            script = "\n".join([
                "set terminal pngcairo size %d,720 font ',9'" %
                max(900, 40 * len(layers) + 200),
                "set output '%s'" % png,
                "set title \"%s\" noenhanced" % title,
                "set style data histograms",
                "set style histogram clustered gap 1",
                "set style fill solid 0.85 border -1",
                "set boxwidth 0.9",
                "set ylabel '% of peak (simdconv: its ISA; baselines: "
                "machine peak)'",
                "set yrange [0:*]",
                "set grid ytics",
                "set key outside right top vertical noenhanced",
                "set xtics rotate by -60 noenhanced",
                "set datafile missing 'NaN'",
                "plot " + ", ".join(
                    "'%s' using %d:xtic(1) title '%s'" %
                    (dat, i + 2, s) for i, s in enumerate(series)),
            ]) + "\n"
            gp = os.path.join(out_dir, "pct_peak_t%d.gp" % threads)
            with open(gp, "w", encoding="utf-8") as f:
                f.write(script)
            proc = subprocess.run([gnuplot, gp], capture_output=True,
                                  text=True, check=False)
            if proc.returncode != 0:
                msgs.append("plot failed (gnuplot): " + proc.stderr.strip())
                continue
        else:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots(figsize=(max(9, 0.4 * len(layers) + 2),
                                            7.2))
            width = 0.8 / max(1, len(series))
            for i, s in enumerate(series):
                ys = [best[layer]["vals"][s].pct_peak
                      if s in best[layer]["vals"] else 0 for layer in layers]
                ax.bar([x + i * width for x in range(len(layers))], ys,
                       width, label=s)
            ax.set_xticks([x + 0.4 for x in range(len(layers))])
            ax.set_xticklabels(layers, rotation=60, ha="left", fontsize=7)
            ax.set_ylabel("% of peak")
            ax.set_title(title, fontsize=9)
            ax.legend(fontsize=8)
            fig.tight_layout()
            fig.savefig(png, dpi=100)
        msgs.append("plot: " + png)
    return msgs


def layer_file_mflops(path):
    """MFLOP per layer of one layer file: forward rows (15 columns) or
    transposed ones (17 columns, named deconv/NET/LAYER; every input pixel
    through every tap, as simdconv-bench counts them)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        rows = [line for line in f if line.strip() and
                not line.lstrip().startswith("#")]
    for row in csv.reader(rows):
        if not row or row[0].strip() == "name" or len(row) not in (15, 17):
            continue
        try:
            v = [int(x) for x in row[1:]]
        except ValueError:
            continue
        n, c, h, w, k, r, s = v[:7]
        g = v[-1]
        if len(row) == 17:
            out["deconv/" + row[0].strip()] = \
                2.0 * n * c * h * w * (k // g) * r * s / 1e6
            continue
        sh, sw, ph, pw, dh, dw = v[7:13]
        oh = (h + 2 * ph - dh * (r - 1) - 1) // sh + 1
        ow = (w + 2 * pw - dw * (s - 1) - 1) // sw + 1
        out[row[0].strip()] = 2.0 * n * k * oh * ow * (c // g) * r * s / 1e6
    return out


def layer_mflops(path, results):
    """MFLOP of one forward pass per layer: exact from the layer file (the
    one the run used, if still readable), else estimated from a run's
    FLOP/s x time (medians of different repetitions: approximate, shown
    with '~')."""
    out = {}
    for one in (path or "").split(","):
        if one and os.path.exists(one):
            out.update(layer_file_mflops(one))
    for res in results:
        if (res.layer not in out and res.kind == "run" and res.flops and
                res.real_ns):
            out[res.layer] = "~" + fmt(res.flops * res.real_ns * 1e-9 / 1e6)
    return out


KERNEL_RE = re.compile(r"^kernel/(?P<kernel>[^/]+)/(?P<shape>[^/]+)/"
                       r"(?P<level>L[12])$")


def kernel_table(paths, stat):
    """The per-kernel microbenchmarks (simdconv-bench --kernels): one row
    per kernel, its shapes' GFLOP/s and % of its ISA's peak; None when the
    files hold none."""
    rows, errors = {}, []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for e in data.get("benchmarks", []):
            rn = SUFFIX_RE.sub("", e.get("run_name", e.get("name", "")))
            m = KERNEL_RE.match(rn)
            if not m:
                continue
            if e.get("error_occurred"):
                errors.append("%s: %s" % (rn, e.get("error_message")))
                continue
            if e.get("run_type") == "aggregate" and \
                    e.get("aggregate_name") != "median":
                continue
            rows.setdefault(rn, []).append(e)
    if not rows and not errors:
        return None
    out = ["%-30s %-26s %-3s %9s %7s" % ("kernel", "shape", "", "GFLOP/s",
                                         "%peak")]
    for rn in sorted(rows, key=lambda n: (KERNEL_RE.match(n)["kernel"], n)):
        entries = rows[rn]
        med = [e for e in entries if e.get("run_type") == "aggregate"]
        entry = (best_entry(entries) if stat == "best" else
                 med[0] if med else median_entry(entries))
        m = KERNEL_RE.match(rn)
        out.append("%-30s %-26s %-3s %9.1f %7.1f" % (
            m["kernel"], m["shape"], m["level"], entry.get("FLOP", 0) / 1e9,
            entry.get("pct_peak", 0)))
    if errors:
        out += ["", "== FAILED (%d) ==" % len(errors)] + errors
    return "\n".join(out)


RESIDUAL_RE = re.compile(r"^residual/(?P<layer>[^/]+/[^/]+)/t(?P<threads>\d+)/"
                         r"(?P<variant>[a-z_]+)$")
RESIDUAL_VARIANTS = ["plain", "fused", "fused_inplace", "unfused",
                     "onednn_sum"]


def layer_variant_runs(paths, name_re):
    """The entries of benchmarks named like name_re (groups layer, threads,
    variant), per (layer, threads) and variant: every repetition and the
    median aggregate; and the errors. (None, None) when there are none."""
    runs, errors = {}, []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for e in data.get("benchmarks", []):
            rn = SUFFIX_RE.sub("", e.get("run_name", e.get("name", "")))
            rn = re.sub(r"/(manual|real)_time$", "", rn)
            m = name_re.match(rn)
            if not m:
                continue
            if e.get("error_occurred"):
                errors.append("%s: %s" % (rn, e.get("error_message")))
            elif e.get("run_type") != "aggregate" or \
                    e.get("aggregate_name") == "median":
                runs.setdefault((m["layer"], int(m["threads"])), {}) \
                    .setdefault(m["variant"], []).append(e)
    return (runs, errors) if runs or errors else (None, None)


def variant_values(entries_by_variant, stat, counter):
    """Per variant, its counter (/1e9) from the median (or best) entry."""
    per = {}
    for v, entries in entries_by_variant.items():
        med = [e for e in entries if e.get("run_type") == "aggregate"]
        entry = (best_entry(entries) if stat == "best" else
                 med[0] if med else median_entry(entries))
        per[v] = entry.get(counter, 0) / 1e9
    return per


def residual_table(paths, stat):
    """The fused residual benchmarks (simdconv-bench --residual): per layer
    and thread count, GFLOP/s of each variant and the ratios the issue
    asks for; None when the files hold none."""
    runs, errors = layer_variant_runs(paths, RESIDUAL_RE)
    if runs is None:
        return None
    # oneDNN's sum post-op accumulates into its destination: it is compared
    # with the in-place variant, the unfused pass with the out-of-place one.
    ratios = [("fused", "plain"), ("fused_inplace", "plain"),
              ("fused", "unfused"), ("fused_inplace", "onednn_sum")]
    head = ["layer", "t"] + RESIDUAL_VARIANTS + [
        "%s/%s" % (a.replace("fused_inplace", "inplace"),
                   b.replace("onednn_sum", "onednn")) for a, b in ratios]
    out = ["GFLOP/s (%s); ratios are speed ratios (> 1: fused faster)"
           % stat, "  ".join(head)]
    logs = {}
    for (layer, threads) in sorted(runs):
        per = variant_values(runs[(layer, threads)], stat, "FLOP")
        cells = [layer, str(threads)] + ["%.1f" % per[v] if v in per else "-"
                                         for v in RESIDUAL_VARIANTS]
        for q, (a, b) in enumerate(ratios):
            f, o = per.get(a), per.get(b)
            cells.append("%.3f" % (f / o) if f and o else "-")
            if f and o:
                logs.setdefault((threads, q), []).append(math.log(f / o))
        out.append("  ".join(cells))
    for threads in sorted({t for t, _ in logs}):
        out.append("  ".join(
            ["geomean", str(threads)] + ["-"] * len(RESIDUAL_VARIANTS) +
            ["%.3f" % math.exp(sum(v) / len(v)) if v else "-"
             for v in (logs.get((threads, q), [])
                       for q in range(len(ratios)))]))
    if errors:
        out += ["", "== FAILED (%d) ==" % len(errors)] + errors
    return "\n".join(out)


INT8_RE = re.compile(r"^int8/(?P<layer>[^/]+/[^/]+)/t(?P<threads>\d+)/"
                     r"(?P<variant>[a-z0-9_]+)$")
INT8_PEERS = ["onednn_u8s8", "xnnpack_qu8", "xnnpack_qc8"]


def int8_table(paths, stat):
    """The int8 benchmarks (simdconv-bench --int8): per layer and thread
    count, GOP/s of simdconv's best variant (any ISA and layout, the label
    names it), its own fp32 run and the peers; best simdconv / best peer,
    NHWC on the active ISA / fp32, and the geomeans. None when the files
    hold none."""
    runs, errors = layer_variant_runs(paths, INT8_RE)
    if runs is None:
        return None
    head = ["layer", "t", "simdconv", "(variant)", "f32"] + INT8_PEERS + [
        "best/peer", "int8/f32"]
    out = ["GOP/s (%s); simdconv: its best variant; ratios > 1: simdconv "
           "faster" % stat, "  ".join(head)]
    logs = {}
    for (layer, threads) in sorted(runs):
        per = variant_values(runs[(layer, threads)], stat, "GOP")
        ours = {v: g for v, g in per.items()
                if v.startswith("simdconv_") and v != "simdconv_f32_nhwc"}
        best_v = max(ours, key=ours.get) if ours else None
        best = ours.get(best_v, 0)
        peer = max([per.get(p, 0) for p in INT8_PEERS] + [0])
        f32 = per.get("simdconv_f32_nhwc", 0)
        # the int8 speed-up on the fp32 run's ISA and layout (NHWC)
        nhwc = max([g for v, g in ours.items() if v.endswith("_nhwc")] + [0])
        cells = [layer, str(threads), "%.1f" % best if best else "-",
                 best_v[len("simdconv_"):] if best_v else "-",
                 "%.1f" % f32 if f32 else "-"] + [
            "%.1f" % per[p] if per.get(p) else "-" for p in INT8_PEERS]
        for q, (a, b) in enumerate(((best, peer), (nhwc, f32))):
            cells.append("%.3f" % (a / b) if a and b else "-")
            if a and b:
                logs.setdefault((threads, q), []).append(math.log(a / b))
        out.append("  ".join(cells))
    for threads in sorted({t for t, _ in logs}):
        vals = [logs.get((threads, q), []) for q in range(2)]
        out.append("  ".join(
            ["geomean", str(threads)] + ["-"] * (3 + len(INT8_PEERS)) +
            ["%.3f" % math.exp(sum(v) / len(v)) if v else "-" for v in vals]))
        low = sorted(math.exp(x) for x in vals[0])
        if low:
            out.append("t%d: best/peer min %.3f, layers below 0.85: %d of %d"
                       % (threads, low[0], sum(x < 0.85 for x in low),
                          len(low)))
    present = sorted({v for r in runs.values()
                      for v in variant_values(r, stat, "GOP")})
    out += int8_scaling(runs, stat,
                        [v for v in present if v.startswith("simdconv_")] +
                        [v for v in INT8_PEERS if v in present])
    if errors:
        out += ["", "== FAILED (%d) ==" % len(errors)] + errors
    return "\n".join(out)


def int8_scaling(runs, stat, variants):
    """Per variant, the geomean of its 2-thread over its 1-thread GOP/s over
    the layers run at both, the lowest layer and the count below 1.8: the
    scaling of each in the same run (a shared host's second core is not
    always free, so the peers' figure says how much of a low one is the
    host's)."""
    out = []
    layers = sorted({layer for layer, _ in runs})
    for v in variants:
        ratios = []
        for layer in layers:
            if (layer, 1) not in runs or (layer, 2) not in runs:
                continue
            one = variant_values(runs[(layer, 1)], stat, "GOP").get(v)
            two = variant_values(runs[(layer, 2)], stat, "GOP").get(v)
            if one and two:
                ratios.append((two / one, layer))
        if not ratios:
            continue
        ratios.sort()
        geo = math.exp(sum(math.log(r) for r, _ in ratios) / len(ratios))
        out.append("2 threads / 1 thread, %s: geomean %.3f, lowest %.2f (%s), "
                   "%d of %d layers below 1.8"
                   % (v, geo, ratios[0][0], ratios[0][1],
                      sum(r < 1.8 for r, _ in ratios), len(ratios)))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json", nargs="+", help="Google Benchmark JSON output")
    ap.add_argument("--out-dir", help="write report.txt, summary.csv and "
                    "plots here")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--stat", choices=("median", "best"), default="median",
                    help="per benchmark: the median repetition (default) or "
                    "the fastest")
    args = ap.parse_args(argv)

    for name, table in (("kernels", kernel_table),
                        ("residual", residual_table), ("int8", int8_table)):
        text = table(args.json, args.stat)
        if text is None:
            continue
        print(text)
        if args.out_dir:
            suffix = "" if args.stat == "median" else "_" + args.stat
            os.makedirs(args.out_dir, exist_ok=True)
            with open(os.path.join(args.out_dir, "%s%s.txt" % (name, suffix)),
                      "w", encoding="utf-8") as f:
                f.write(text + "\n")
        return 0
    context, results = load(args.json, args.stat)
    if not results:
        print("report.py: no simdconv-bench results in " +
              ", ".join(args.json), file=sys.stderr)
        return 1
    layers = layer_order(results)
    flops_of = layer_mflops(context.get("layers_file"), results)
    out = []
    peaks = ", ".join("%s %s" % (k[len("peak_gflops_"):], v)
                      for k, v in sorted(context.items())
                      if k.startswith("peak_gflops_"))
    out.append("simdconv-bench report: %s" % context.get("date", "?"))
    for key in ("backend_simdconv", "backend_onednn", "backend_xnnpack"):
        if key in context:
            out.append("  %s" % context[key])
    out.append("  peak GFLOP/s per core: %s (all-thread runs: x threads)"
               % peaks)
    load_avg = context.get("load_avg")
    if load_avg:
        out.append("  load average at start: %s%s" % (
            ", ".join("%.2f" % v for v in load_avg),
            "  (busy machine: figures are noisy)"
            if load_avg[0] > 0.5 * context.get("num_cpus", 1) else ""))
    out.append("  GFLOP/s = 2*N*K*OH*OW*(C/g)*R*S / %s wall time; "
               % ("median" if args.stat == "median" else
                  "best repetition's")
               + "ratio = best simdconv / best baseline; %peak = best "
               + "simdconv config's % of its ISA's peak x threads; "
               "* = geomean over fewer layers")

    best_by_threads = {}
    configs_by_threads = {}
    csv_rows = []
    for threads in sorted({r.threads for r in results if r.kind == "run"}):
        text, rows, best, configs = run_table(results, threads, layers,
                                              flops_of)
        best_by_threads[threads] = best
        configs_by_threads[threads] = configs
        csv_rows += rows
        out.append("")
        out.append("== GFLOP/s, %d thread%s ==" % (
            threads, "" if threads == 1 else "s"))
        out.append(text)

    ct = create_table(results, layers)
    if ct:
        out += ["", "== Plan creation (packing), microseconds, 1 thread ==",
                ct]
    dt = depthwise_table(results, layers, context)
    if dt:
        out += ["", "== Depthwise layers: GB/s (input + output + weights "
                "per run) ==", dt]
    it = onednn_impls(results, layers)
    if it:
        out += ["", "== oneDNN implementations chosen ==", it]
    over = sorted({r.layer for r in results if r.kind == "run" and
                   r.pct_peak and r.pct_peak > 100})
    if over:
        out += ["", "note: %d layer(s) above 100%% of peak (%s): the peak "
                "was measured low (busy machine?); pass fixed peaks with "
                "simdconv-bench --peak=ISA:GFLOPS" % (
                    len(over), ", ".join(over[:4]) +
                    (", ..." if len(over) > 4 else ""))]
    failed = [r for r in results if r.error]
    if failed:
        out += ["", "== FAILED benchmarks (%d) ==" % len(failed)]
        out += ["%s/t%d/%s: %s" % (r.config, r.threads, r.layer, r.error)
                for r in failed]

    report = "\n".join(out)
    print(report)
    if args.out_dir:
        suffix = "" if args.stat == "median" else "_" + args.stat
        os.makedirs(args.out_dir, exist_ok=True)
        with open(os.path.join(args.out_dir, "report%s.txt" % suffix), "w",
                  encoding="utf-8") as f:
            f.write(report + "\n")
        with open(os.path.join(args.out_dir, "summary%s.csv" % suffix), "w",
                  newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["threads", "layer", "config", "gflops", "pct_peak",
                        "impl"])
            w.writerows(csv_rows)
        if not args.no_plot and not suffix:
            for msg in plot(best_by_threads, configs_by_threads, context,
                            args.out_dir):
                print(msg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
