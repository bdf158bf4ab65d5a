"""What conformance.py, conformance_transposed.py and numerics_figures.py
share, on top of the simdconv Python package (python/simdconv, loaded from
this source tree): a library handle whose calls return raw status codes
(the harness compares them with torch's errors), descriptors from
configuration dicts, odd-aligned buffers, the bit-identity checks of a
case across ISAs, threads and batch positions, and the check that the
package's ctypes structs match the C header.
"""
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OK = 0
STATUS = {}  # code -> "ERR_INVALID_SIZE" etc., filled by Lib()


def find_library(explicit=None):
    """The shared library: explicit path, $SIMDCONV_LIBRARY, or a build dir."""
    cands = [explicit, os.environ.get("SIMDCONV_LIBRARY")]
    for d in ("build-conformance", "build-conf", "build"):
        cands.append(os.path.join(ROOT, d, "src", "libsimdconv.so"))
    for c in cands:
        if c and os.path.exists(c):
            return os.path.abspath(c)
    raise SystemExit("libsimdconv.so not found: build it (tests/conformance/"
                     "run.sh does) or pass --lib / set SIMDCONV_LIBRARY")


def import_package(path):
    """The simdconv package of this tree, bound to the library at path."""
    os.environ["SIMDCONV_LIBRARY"] = path
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import simdconv._lib
    import simdconv._pool
    return simdconv


def aligned_f32(n, misalign):
    """A float32 array of n elements whose address is 64-byte aligned plus
    misalign floats (so kernels see odd alignments too)."""
    raw = np.zeros(n + 16 + misalign, dtype=np.float32)
    off = (-raw.ctypes.data % 64) // 4
    return raw[off + misalign: off + misalign + n]


def _addr(a):
    return None if a is None else a.ctypes.data


class Lib:
    """The library's calls as the harness needs them: raw status codes."""

    def __init__(self, path):
        self.path = path
        self.pkg = import_package(path)
        self.api = api = self.pkg._lib
        self.L = api.C
        STATUS.update((code, api.status_name(code)[len("SIMDCONV_"):])
                      for code in range(64)
                      if api.status_name(code) != "SIMDCONV_ERR_UNKNOWN")
        self.version = self.L.simdconv_version_string().decode()
        self.usable_isas = [i for i in api.isa_names()
                            if i and self.L.simdconv_isa_check(i) == OK]
        self.active_isa = self.L.simdconv_active_isa()

    def status_string(self, st):
        return self.L.simdconv_status_string(st).decode()

    def isa_name(self, isa):
        return self.api.isa_names()[isa]

    def shared_pool(self, threads):
        """The package's pool with this many threads."""
        return self.pkg._pool.get(threads)

    def desc(self, cfg):
        """A simdconv_desc from a configuration dict (see conformance.py)."""
        api = self.api
        d = api.Desc()
        self.L.simdconv_desc_init(ctypes.byref(d), cfg["C"], cfg["K"],
                                  cfg["R"], cfg["S"])
        d.stride_h, d.stride_w = cfg["stride"]
        d.dilation_h, d.dilation_w = cfg["dilation"]
        d.groups = cfg["groups"]
        d.padding = api.PADDING[cfg["padding"]]
        d.pad_top, d.pad_bottom, d.pad_left, d.pad_right = cfg["pads"]
        d.padding_mode = api.PADDING_MODE[cfg["mode"]]
        d.layout = api.LAYOUT[cfg["layout"]]
        d.weight_layout = api.WEIGHT_LAYOUT[cfg["wlayout"]]
        d.flip_kernel = 1 if cfg["flip"] else 0
        d.transposed = 1 if cfg.get("transposed") else 0
        d.output_padding_h, d.output_padding_w = cfg.get("output_padding",
                                                         (0, 0))
        act = cfg["act"]
        if act in ("relu", "relu6", "clamp"):
            d.activation = api.activation_value("clamp")
            d.act_min, d.act_max = cfg["act_lo"], cfg["act_hi"]
        else:  # the package's names: "gelu" is the library's "gelu_erf"
            d.activation = api.activation_value(
                self.pkg._conv._activation(act)[0])
        return d

    def validate(self, d):
        return self.L.simdconv_desc_validate(ctypes.byref(d))

    def output_shape(self, d, h, w):
        oh, ow = ctypes.c_size_t(0), ctypes.c_size_t(0)
        st = self.L.simdconv_output_shape(ctypes.byref(d), h, w,
                                          ctypes.byref(oh), ctypes.byref(ow))
        return st, oh.value, ow.value

    def resolved_padding(self, d):
        pads = (ctypes.c_size_t * 4)()
        st = self.L.simdconv_resolved_padding(ctypes.byref(d), pads)
        return st, tuple(pads)

    def conv2d(self, d, n, h, w, x, wt, b, out, pool=None):
        return self.L.simdconv_conv2d(ctypes.byref(d), n, h, w, _addr(x),
                                      _addr(wt), _addr(b), _addr(out), pool)

    def create(self, d, wt, b, isa=0):
        try:
            return OK, self.api.create(d, _addr(wt), _addr(b), isa)
        except self.api.SimdconvError as e:
            return e.code, None

    def destroy(self, conv):
        self.L.simdconv_destroy(conv)

    def info(self, conv):
        inf = self.api.conv_info(conv)
        return OK, inf.isa, inf.kernel.decode(), inf.packed_bytes

    def workspace_size(self, conv, n, h, w):
        sz = ctypes.c_size_t(0)
        st = self.L.simdconv_workspace_size(conv, n, h, w, ctypes.byref(sz))
        return st, sz.value

    def run(self, conv, n, h, w, x, out, ws=None, pool=None):
        wsz = ws.nbytes if ws is not None else 0
        return self.L.simdconv_run(conv, n, h, w, _addr(x), _addr(out),
                                   _addr(ws), wsz, pool)

    def run_residual(self, conv, n, h, w, x, r, alpha, out, ws=None,
                     pool=None):
        wsz = ws.nbytes if ws is not None else 0
        return self.L.simdconv_run_residual(conv, n, h, w, _addr(x),
                                            _addr(r), alpha, _addr(out),
                                            _addr(ws), wsz, pool)

    def reference_residual(self, d, n, h, w, x, wt, b, r, alpha, ref,
                           bound):
        return self.L.simdconv_reference_residual(
            ctypes.byref(d), n, h, w, _addr(x), _addr(wt), _addr(b),
            _addr(r), alpha, _addr(ref), _addr(bound))

    def reference(self, d, n, h, w, x, wt, b, ref, bound):
        return self.L.simdconv_reference(ctypes.byref(d), n, h, w, _addr(x),
                                         _addr(wt), _addr(b), _addr(ref),
                                         _addr(bound))

    def compare(self, y, ref, bound):
        s = self.api.CompareStats()
        st = self.L.simdconv_compare(_addr(y), _addr(ref), _addr(bound),
                                     y.size, ctypes.byref(s))
        return st, s


def torch_operands(xm, w, b, layout, absolute=False):
    """x, w and b (None stays None) as float64 torch tensors, x in NCHW
    order whatever its memory layout; absolute: their magnitudes with
    non-finite values as 0, whose sum of products is the scale |b| +
    sum |x*w| over the finite terms."""
    import torch
    X, W, B = (None if a is None else torch.from_numpy(a.astype(np.float64))
               for a in (xm, w, b))
    if absolute:
        X, W, B = (None if t is None else
                   torch.nan_to_num(t.abs(), nan=0.0, posinf=0.0)
                   for t in (X, W, B))
    if layout == "nhwc":
        X = X.permute(0, 3, 1, 2)
    return X, W, B


def torch_module_run(module, X, W, B):
    """A float64 torch module (nn.Conv2d, nn.ConvTranspose2d) with weight W
    and bias B, run on X."""
    import torch
    with torch.no_grad():
        module.weight.copy_(W)
        if B is not None:
            module.bias.copy_(B)
        return module(X)


def check_bits(name, a, b, errs):
    """a and b must be identical bit for bit (NaN matches any NaN)."""
    ai, bi = a.view(np.uint32), b.view(np.uint32)
    diff = (ai != bi) & ~(np.isnan(a) & np.isnan(b))
    if diff.any():
        i = int(np.flatnonzero(diff)[0])
        errs.append("%s: %d elements differ bitwise, first at %d: %r [%08x] "
                    "vs %r [%08x]" % (name, int(diff.sum()), i, float(a[i]),
                                      int(ai[i]), float(b[i]), int(bi[i])))


def _check_threads_and_images(lib, conv, isa, shape, xm, y, idx, errs):
    """One ISA of a case: a pool of 2 or 3 threads, and each image of the
    batch run alone, give the bits of y."""
    N, H, W = shape
    threads = 3 if idx % 4 == 3 else 2
    yt = np.zeros(y.size, np.float32)
    rc = lib.run(conv, N, H, W, xm, yt, None, lib.shared_pool(threads))
    if rc == OK:
        check_bits("%s with %d threads" % (lib.isa_name(isa), threads), yt, y,
                   errs)
    else:
        errs.append("run with pool: %s" % lib.status_string(rc))
    per = y.size // N
    for i in range(N if N > 1 else 0):
        yi = np.zeros(per, np.float32)
        if lib.run(conv, 1, H, W, np.ascontiguousarray(xm.reshape(N, -1)[i]),
                   yi) == OK:
            check_bits("%s image %d alone" % (lib.isa_name(isa), i), yi,
                       y[i * per:(i + 1) * per], errs)


def check_library(lib, d, shape, n_out, xm, wm, b, idx, kernels, errs):
    """The library's bits for one case: simdconv_conv2d, then every usable
    ISA on misaligned buffers with a workspace (the same bits), and for one
    ISA per case threads and each image alone. shape: (N, H, W); kernels
    counts the kernels that ran. Returns conv2d's output, None when it
    failed."""
    N, H, W = shape
    y = np.zeros(n_out, np.float32)
    rc = lib.conv2d(d, N, H, W, xm, wm, b, y)
    if rc != OK:
        errs.append("simdconv_conv2d: %s" % lib.status_string(rc))
        return None
    isas = lib.usable_isas
    for j, isa in enumerate(isas):
        rc, conv = lib.create(d, wm, b, isa)
        if rc != OK:
            errs.append("simdconv_create(%s): %s" % (lib.isa_name(isa),
                                                     lib.status_string(rc)))
            continue
        kname = lib.info(conv)[2]
        kernels[kname] = kernels.get(kname, 0) + 1
        _, wsz = lib.workspace_size(conv, N, H, W)
        ws = np.zeros(wsz + 1, np.uint8)[1:] if wsz else None
        xin = aligned_f32(xm.size, 1 + (idx + j) % 3)
        xin[:] = xm.reshape(-1)
        yo = aligned_f32(n_out, (idx + 2 * j) % 5)
        rc = lib.run(conv, N, H, W, xin, yo, ws)
        if rc != OK:
            errs.append("simdconv_run(%s): %s" % (lib.isa_name(isa),
                                                  lib.status_string(rc)))
        else:
            check_bits("isa %s vs simdconv_conv2d" % lib.isa_name(isa), yo, y,
                       errs)
        if (idx + j) % len(isas) == 0:  # one ISA per case: threads, batch
            _check_threads_and_images(lib, conv, isa, shape, xm, y, idx,
                                      errs)
        lib.destroy(conv)
    return y


def check_oracle(lib, d, shape, xm, wm, b, y, errs, r=None, alpha=1.0):
    """The library's oracle for one case (simdconv_reference_residual; r
    None: no residual) and simdconv_compare of y against it. Returns
    (ref, bound), None when the oracle failed."""
    N, H, W = shape
    ref, bound = np.zeros(y.size), np.zeros(y.size)
    rc = lib.reference_residual(d, N, H, W, xm, wm, b, r, alpha, ref, bound)
    if rc != OK:
        errs.append("simdconv_reference_residual: %s"
                    % lib.status_string(rc))
        return None
    _, cs = lib.compare(y, ref, bound)
    if cs.violations:
        i = cs.first_violation
        errs.append("simdconv_compare: %d violations, first at %d: y=%r "
                    "ref=%r bound=%r" % (cs.violations, i, float(y[i]),
                                         ref[i], bound[i]))
    return ref, bound


def _desc_init_problems(lib):
    """simdconv_desc_init into a sentinel-filled buffer larger than Desc: it
    must write every field where the mirror expects it and nothing beyond."""
    Desc, problems = lib.api.Desc, []
    size = ctypes.sizeof(Desc)
    buf = (ctypes.c_ubyte * (size + 64))(*([0xA5] * (size + 64)))
    lib.L.simdconv_desc_init(ctypes.cast(buf, ctypes.POINTER(Desc)), 3, 5, 7,
                             9)
    if any(b != 0xA5 for b in bytes(buf)[size:]):
        problems.append("simdconv_desc_init wrote past sizeof(Desc)=%d" % size)
    d = Desc.from_buffer(buf)
    want = dict(in_channels=3, out_channels=5, kernel_h=7, kernel_w=9,
                stride_h=1, stride_w=1, dilation_h=1, dilation_w=1, groups=1,
                padding=0, pad_top=0, pad_bottom=0, pad_left=0, pad_right=0,
                padding_mode=0, layout=0, weight_layout=0, flip_kernel=0,
                activation=0, act_min=float("-inf"), act_max=float("inf"),
                transposed=0, output_padding_h=0, output_padding_w=0)
    for k, v in want.items():
        if getattr(d, k) != v:
            problems.append("desc_init: field %s = %r, want %r"
                            % (k, getattr(d, k), v))
    return problems


def _offset_problems(structs, c_output):
    """Compares abi_offsets' lines ("struct field offset", "struct sizeof
    n") with the ctypes mirrors."""
    got = {}
    for line in c_output.splitlines():
        struct, field, value = line.split()
        got[(struct, field)] = int(value)
    problems = []
    for name, cls in structs.items():
        want = {(name, "sizeof"): ctypes.sizeof(cls)}
        want.update(((name, f), getattr(cls, f).offset)
                    for f, _ in cls._fields_)
        for key, v in want.items():
            if got.get(key) != v:
                problems.append("C says %s.%s = %s, ctypes %s"
                                % (key + (got.get(key), v)))
    return problems


def abi_check(lib):
    """Checks the package's ctypes mirrors of the C structs against
    simdconv_desc_init() and, when a C compiler is at hand, against the
    compiler's offsets and sizes (abi_offsets.c). Returns (problems, note)."""
    problems = _desc_init_problems(lib)
    note = "simdconv_desc is %d bytes; " % ctypes.sizeof(lib.api.Desc)
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return problems, note + "sentinel check only (no C compiler)"
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "abi_offsets")
        inc, src = os.path.join(ROOT, "include"), os.path.join(
            HERE, "abi_offsets.c")
        r = subprocess.run([cc, "-std=c11", "-I", inc, src, "-o", exe],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return problems, note + "sentinel check only (helper did not " \
                "compile: %s)" % r.stderr.strip()[:200]
        out = subprocess.run([exe], capture_output=True, text=True,
                             check=True).stdout
    problems += _offset_problems(lib.api.STRUCTS, out)
    return problems, note + "%d structs checked against %s" % (
        len(lib.api.STRUCTS), os.path.basename(cc))
