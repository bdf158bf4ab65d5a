"""ctypes bindings for the public API of simdconv (include/simdconv.h).

Shared by conformance.py and numerics_figures.py. Only the standard library
and numpy are needed here.
"""
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

c_size_t = ctypes.c_size_t
c_int = ctypes.c_int
c_float = ctypes.c_float
c_double = ctypes.c_double
c_void_p = ctypes.c_void_p
P_float = ctypes.POINTER(c_float)
P_double = ctypes.POINTER(c_double)

# enum values, as in simdconv.h
OK = 0
STATUS = {
    0: "OK", 1: "ERR_NULL_POINTER", 2: "ERR_INVALID_SIZE",
    3: "ERR_INVALID_GROUPS", 4: "ERR_INVALID_ENUM",
    5: "ERR_SAME_PADDING_STRIDE", 6: "ERR_PADDING_TOO_LARGE",
    7: "ERR_EMPTY_OUTPUT", 8: "ERR_INVALID_ACTIVATION",
    9: "ERR_SIZE_OVERFLOW", 10: "ERR_OUT_OF_MEMORY",
    11: "ERR_WORKSPACE_TOO_SMALL", 12: "ERR_BUFFER_OVERLAP",
    13: "ERR_ISA_NOT_BUILT", 14: "ERR_ISA_NOT_SUPPORTED",
    15: "ERR_ISA_DISABLED", 16: "ERR_INVALID_ALLOCATOR",
    24: "ERR_OUTPUT_PADDING", 25: "ERR_PADDING_MODE", 26: "ERR_OUTPUT_SHAPE",
}
STATUS_CODE = {v: k for k, v in STATUS.items()}
ISA_NAMES = {0: "auto", 1: "scalar", 2: "avx2", 3: "avx512", 4: "neon"}
ISA_COUNT = 5
PADDING = {"explicit": 0, "valid": 1, "same": 2}
PAD_MODE = {"zeros": 0, "reflect": 1, "replicate": 2, "circular": 3}
LAYOUT = {"nchw": 0, "nhwc": 1}
WLAYOUT = {"oihw": 0, "ohwi": 1, "iohw": 2}
ACT = {"none": 0, "clamp": 1, "sigmoid": 2, "tanh": 3, "silu": 4,
       "gelu": 5, "gelu_tanh": 6}


class Desc(ctypes.Structure):
    """Mirror of simdconv_desc: size_t fields, C enums as int, int flip."""
    _fields_ = [
        ("in_channels", c_size_t), ("out_channels", c_size_t),
        ("kernel_h", c_size_t), ("kernel_w", c_size_t),
        ("stride_h", c_size_t), ("stride_w", c_size_t),
        ("dilation_h", c_size_t), ("dilation_w", c_size_t),
        ("groups", c_size_t),
        ("padding", c_int),
        ("pad_top", c_size_t), ("pad_bottom", c_size_t),
        ("pad_left", c_size_t), ("pad_right", c_size_t),
        ("padding_mode", c_int), ("layout", c_int), ("weight_layout", c_int),
        ("flip_kernel", c_int), ("activation", c_int),
        ("act_min", c_float), ("act_max", c_float),
        ("transposed", c_int),
        ("output_padding_h", c_size_t), ("output_padding_w", c_size_t),
    ]


class Options(ctypes.Structure):
    _fields_ = [("isa", c_int), ("allocator", c_void_p)]


class Info(ctypes.Structure):
    _fields_ = [("isa", c_int), ("kernel", ctypes.c_char_p),
                ("packed_bytes", c_size_t)]


class CompareStats(ctypes.Structure):
    _fields_ = [("count", c_size_t), ("violations", c_size_t),
                ("first_violation", c_size_t),
                ("max_err_over_bound", c_double), ("max_ulp", c_double),
                ("max_abs_err", c_double)]


def find_library(explicit=None):
    """The shared library: explicit path, $SIMDCONV_LIB, or a build dir."""
    cands = [explicit, os.environ.get("SIMDCONV_LIB")]
    for d in ("build-conformance", "build-conf", "build"):
        cands.append(os.path.join(ROOT, d, "src", "libsimdconv.so"))
    for c in cands:
        if c and os.path.exists(c):
            return os.path.abspath(c)
    raise SystemExit("libsimdconv.so not found: build it (tests/conformance/"
                     "run.sh does) or pass --lib / set SIMDCONV_LIB")


def _ptr(a, t):
    return None if a is None else a.ctypes.data_as(t)


def fptr(a):
    return _ptr(a, P_float)


def dptr(a):
    return _ptr(a, P_double)


def aligned_f32(n, misalign):
    """A float32 array of n elements whose address is 64-byte aligned plus
    misalign floats (so kernels see odd alignments too)."""
    raw = np.zeros(n + 16 + misalign, dtype=np.float32)
    off = (-raw.ctypes.data % 64) // 4
    return raw[off + misalign: off + misalign + n]


class Lib:
    def __init__(self, path):
        self.path = path
        L = self.L = ctypes.CDLL(path)
        L.simdconv_version_string.restype = ctypes.c_char_p
        L.simdconv_status_string.restype = ctypes.c_char_p
        L.simdconv_status_string.argtypes = [c_int]
        L.simdconv_isa_name.restype = ctypes.c_char_p
        L.simdconv_isa_name.argtypes = [c_int]
        L.simdconv_isa_check.argtypes = [c_int]
        L.simdconv_active_isa.restype = c_int
        L.simdconv_desc_init.restype = None
        L.simdconv_desc_init.argtypes = [ctypes.c_void_p, c_size_t, c_size_t,
                                         c_size_t, c_size_t]
        L.simdconv_desc_validate.argtypes = [ctypes.POINTER(Desc)]
        L.simdconv_output_shape.argtypes = [
            ctypes.POINTER(Desc), c_size_t, c_size_t,
            ctypes.POINTER(c_size_t), ctypes.POINTER(c_size_t)]
        L.simdconv_resolved_padding.argtypes = [ctypes.POINTER(Desc),
                                                ctypes.POINTER(c_size_t)]
        L.simdconv_conv2d.argtypes = [
            ctypes.POINTER(Desc), c_size_t, c_size_t, c_size_t, P_float,
            P_float, P_float, P_float, c_void_p]
        L.simdconv_create.argtypes = [
            ctypes.POINTER(Desc), P_float, P_float, ctypes.POINTER(Options),
            ctypes.POINTER(c_void_p)]
        L.simdconv_destroy.restype = None
        L.simdconv_destroy.argtypes = [c_void_p]
        L.simdconv_workspace_size.argtypes = [
            c_void_p, c_size_t, c_size_t, c_size_t, ctypes.POINTER(c_size_t)]
        L.simdconv_run.argtypes = [
            c_void_p, c_size_t, c_size_t, c_size_t, P_float, P_float,
            c_void_p, c_size_t, c_void_p]
        L.simdconv_get_info.argtypes = [c_void_p, ctypes.POINTER(Info)]
        L.simdconv_reference.argtypes = [
            ctypes.POINTER(Desc), c_size_t, c_size_t, c_size_t, P_float,
            P_float, P_float, P_double, P_double]
        L.simdconv_compare.argtypes = [P_float, P_double, P_double, c_size_t,
                                       ctypes.POINTER(CompareStats)]
        # pthreadpool is a dependency of libsimdconv.so: dlsym on its handle
        # finds it; fall back to loading it by name.
        try:
            pc = L.pthreadpool_create
            pd = L.pthreadpool_destroy
        except AttributeError:
            pp = ctypes.CDLL(ctypes.util.find_library("pthreadpool")
                             or "libpthreadpool.so.0")
            pc, pd = pp.pthreadpool_create, pp.pthreadpool_destroy
        pc.restype = c_void_p
        pc.argtypes = [c_size_t]
        pd.restype = None
        pd.argtypes = [c_void_p]
        self._pool_create, self._pool_destroy = pc, pd
        self.version = L.simdconv_version_string().decode()
        self.usable_isas = [i for i in range(1, ISA_COUNT)
                            if L.simdconv_isa_check(i) == OK]
        self.active_isa = L.simdconv_active_isa()

    # -- helpers ---------------------------------------------------------
    def status_string(self, st):
        return self.L.simdconv_status_string(st).decode()

    def isa_name(self, isa):
        return self.L.simdconv_isa_name(isa).decode()

    def pool(self, threads):
        p = self._pool_create(threads)
        if not p:
            raise RuntimeError("pthreadpool_create failed")
        return p

    def pool_destroy(self, p):
        self._pool_destroy(p)

    def shared_pool(self, threads):
        """A pool with this many threads, created once and kept."""
        if not hasattr(self, "_pools"):
            self._pools = {}
        if threads not in self._pools:
            self._pools[threads] = self.pool(threads)
        return self._pools[threads]

    def desc(self, cfg):
        """A simdconv_desc from a configuration dict (see conformance.py)."""
        d = Desc()
        self.L.simdconv_desc_init(ctypes.byref(d), cfg["C"], cfg["K"],
                                  cfg["R"], cfg["S"])
        d.stride_h, d.stride_w = cfg["stride"]
        d.dilation_h, d.dilation_w = cfg["dilation"]
        d.groups = cfg["groups"]
        d.padding = PADDING[cfg["padding"]]
        d.pad_top, d.pad_bottom, d.pad_left, d.pad_right = cfg["pads"]
        d.padding_mode = PAD_MODE[cfg["mode"]]
        d.layout = LAYOUT[cfg["layout"]]
        d.weight_layout = WLAYOUT[cfg["wlayout"]]
        d.flip_kernel = 1 if cfg["flip"] else 0
        d.transposed = 1 if cfg.get("transposed") else 0
        d.output_padding_h, d.output_padding_w = cfg.get("output_padding",
                                                         (0, 0))
        act = cfg["act"]
        if act in ("relu", "relu6", "clamp"):
            d.activation = ACT["clamp"]
            d.act_min, d.act_max = cfg["act_lo"], cfg["act_hi"]
        else:
            d.activation = ACT[act]
        return d

    def validate(self, d):
        return self.L.simdconv_desc_validate(ctypes.byref(d))

    def output_shape(self, d, h, w):
        oh, ow = c_size_t(0), c_size_t(0)
        st = self.L.simdconv_output_shape(ctypes.byref(d), h, w,
                                          ctypes.byref(oh), ctypes.byref(ow))
        return st, oh.value, ow.value

    def resolved_padding(self, d):
        pads = (c_size_t * 4)()
        st = self.L.simdconv_resolved_padding(ctypes.byref(d), pads)
        return st, tuple(pads)

    def conv2d(self, d, n, h, w, x, wt, b, out, pool=None):
        return self.L.simdconv_conv2d(ctypes.byref(d), n, h, w, fptr(x),
                                      fptr(wt), fptr(b), fptr(out), pool)

    def create(self, d, wt, b, isa=0):
        conv = c_void_p()
        opts = Options(isa, None)
        st = self.L.simdconv_create(ctypes.byref(d), fptr(wt), fptr(b),
                                    ctypes.byref(opts), ctypes.byref(conv))
        return st, conv

    def destroy(self, conv):
        self.L.simdconv_destroy(conv)

    def info(self, conv):
        inf = Info()
        st = self.L.simdconv_get_info(conv, ctypes.byref(inf))
        return st, inf.isa, inf.kernel.decode(), inf.packed_bytes

    def workspace_size(self, conv, n, h, w):
        sz = c_size_t(0)
        st = self.L.simdconv_workspace_size(conv, n, h, w, ctypes.byref(sz))
        return st, sz.value

    def run(self, conv, n, h, w, x, out, ws=None, pool=None):
        wsp = ws.ctypes.data if ws is not None else None
        wsz = ws.nbytes if ws is not None else 0
        return self.L.simdconv_run(conv, n, h, w, fptr(x), fptr(out), wsp,
                                   wsz, pool)

    def reference(self, d, n, h, w, x, wt, b, ref, bound):
        return self.L.simdconv_reference(ctypes.byref(d), n, h, w, fptr(x),
                                         fptr(wt), fptr(b), dptr(ref),
                                         dptr(bound))

    def compare(self, y, ref, bound):
        s = CompareStats()
        st = self.L.simdconv_compare(fptr(y), dptr(ref), dptr(bound), y.size,
                                     ctypes.byref(s))
        return st, s


def abi_check(lib):
    """Checks the ctypes mirror of simdconv_desc against the C compiler's
    layout (if a compiler is available) and against simdconv_desc_init().
    Returns a list of problems (empty when all is well) and a note."""
    problems = []
    # 1. simdconv_desc_init into a sentinel-filled buffer larger than Desc:
    #    it must write every field where we expect it and nothing beyond.
    size = ctypes.sizeof(Desc)
    buf = (ctypes.c_ubyte * (size + 64))(*([0xA5] * (size + 64)))
    lib.L.simdconv_desc_init(ctypes.addressof(buf), 3, 5, 7, 9)
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
    # 2. offsetof() from a compiled helper, when a compiler is at hand.
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    note = "sentinel check only (no C compiler)"
    if cc:
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, "abi_offsets")
            r = subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT,
                                "include"), os.path.join(HERE, "abi_offsets.c"),
                                "-o", exe], capture_output=True, text=True)
            if r.returncode == 0:
                out = subprocess.run([exe], capture_output=True, text=True,
                                     check=True).stdout
                got = dict((l.split()[0], int(l.split()[1]))
                           for l in out.splitlines())
                exp = {"sizeof": size,
                       "stats_sizeof": ctypes.sizeof(CompareStats),
                       "options_sizeof": ctypes.sizeof(Options)}
                for name, _ in Desc._fields_:
                    exp[name] = getattr(Desc, name).offset
                for k, v in exp.items():
                    if got.get(k) != v:
                        problems.append("C says %s = %s, ctypes %s"
                                        % (k, got.get(k), v))
                note = "offsets checked against %s" % os.path.basename(cc)
            else:
                note = "sentinel check only (helper did not compile)"
    return problems, note
