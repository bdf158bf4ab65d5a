"""The C library through ctypes: loading, struct mirrors, prototypes, errors.

This is the one place that knows include/simdconv.h. Everything else in the
package (and the conformance harness) goes through the names defined here.
Struct mirrors list their fields in header order; a new C field is one line
in the matching _fields_ (tests/python/test_abi.py compares every offset and
size with the C compiler's).
"""
import collections
import ctypes
import ctypes.util
import os

c_size_t, c_int, c_float, c_double = (ctypes.c_size_t, ctypes.c_int,
                                      ctypes.c_float, ctypes.c_double)
c_void_p, c_char_p = ctypes.c_void_p, ctypes.c_char_p

# Enums of simdconv.h that the library cannot name for us (statuses, ISAs
# and activations it can: see status_name(), isa_names() and
# activation_value()). C enums are int-sized.
PADDING = {"explicit": 0, "valid": 1, "same": 2}
PADDING_MODE = {"zeros": 0, "reflect": 1, "replicate": 2, "circular": 3}
LAYOUT = {"nchw": 0, "nhwc": 1}
WEIGHT_LAYOUT = {"oihw": 0, "ohwi": 1, "iohw": 2}
OK = 0


class Desc(ctypes.Structure):
    """simdconv_desc."""
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


ALLOC_FN = ctypes.CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_size_t)
FREE_FN = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)


class Allocator(ctypes.Structure):
    """simdconv_allocator."""
    _fields_ = [("alloc", ALLOC_FN), ("free", FREE_FN), ("ctx", c_void_p)]


class Options(ctypes.Structure):
    """simdconv_options."""
    _fields_ = [("isa", c_int), ("allocator", ctypes.POINTER(Allocator)),
                ("kernel", ctypes.c_char_p), ("pool_wait", c_int)]


class ConvInfo(ctypes.Structure):
    """simdconv_conv_info."""
    _fields_ = [("isa", c_int), ("kernel", c_char_p),
                ("packed_bytes", c_size_t), ("pool_wait", c_int)]


class KernelInfo(ctypes.Structure):
    """simdconv_kernel_info."""
    _fields_ = [("name", c_char_p), ("isa", c_int), ("family", c_char_p),
                ("tile_m", c_size_t), ("tile_n", c_size_t),
                ("layouts", ctypes.c_uint32), ("constraints", c_char_p),
                ("rank", c_size_t), ("cpu_features", c_char_p),
                ("usable", c_int)]


class CompareStats(ctypes.Structure):
    """simdconv_compare_stats."""
    _fields_ = [("count", c_size_t), ("violations", c_size_t),
                ("first_violation", c_size_t),
                ("max_err_over_bound", c_double), ("max_ulp", c_double),
                ("max_abs_err", c_double)]


QTYPE = {"u8": 0, "s8": 1}


class QParams(ctypes.Structure):
    """simdconv_qparams (int8 convolution)."""
    _fields_ = [("input_type", c_int), ("input_scale", c_float),
                ("input_zero_point", ctypes.c_int32),
                ("weight_scales", c_void_p),
                ("weight_scale_count", c_size_t),
                ("output_type", c_int), ("output_scale", c_float),
                ("output_zero_point", ctypes.c_int32), ("clamp", c_int),
                ("output_min", ctypes.c_int32),
                ("output_max", ctypes.c_int32)]


# Every struct mirror under its C name, for the ABI test.
STRUCTS = {"simdconv_desc": Desc, "simdconv_allocator": Allocator,
           "simdconv_options": Options, "simdconv_conv_info": ConvInfo,
           "simdconv_kernel_info": KernelInfo,
           "simdconv_compare_stats": CompareStats,
           "simdconv_qparams": QParams}

P = ctypes.POINTER
# Buffers are passed as c_void_p: callers hand over integer addresses (numpy's
# .ctypes.data, torch's .data_ptr()) without building typed pointers.
PROTOTYPES = {
    "simdconv_version_string": (c_char_p, []),
    "simdconv_status_string": (c_char_p, [c_int]),
    "simdconv_isa_name": (c_char_p, [c_int]),
    "simdconv_isa_from_name": (c_int, [c_char_p, P(c_int)]),
    "simdconv_isas_built": (ctypes.c_uint32, []),
    "simdconv_isas_supported": (ctypes.c_uint32, []),
    "simdconv_isa_cap": (c_int, []),
    "simdconv_active_isa": (c_int, []),
    "simdconv_isa_check": (c_int, [c_int]),
    "simdconv_activation_name": (c_char_p, [c_int]),
    "simdconv_activation_from_name": (c_int, [c_char_p, P(c_int)]),
    "simdconv_desc_init": (None, [P(Desc), c_size_t, c_size_t, c_size_t,
                                  c_size_t]),
    "simdconv_desc_validate": (c_int, [P(Desc)]),
    "simdconv_output_shape": (c_int, [P(Desc), c_size_t, c_size_t,
                                      P(c_size_t), P(c_size_t)]),
    "simdconv_resolved_padding": (c_int, [P(Desc), P(c_size_t)]),
    "simdconv_create": (c_int, [P(Desc), c_void_p, c_void_p, P(Options),
                                P(c_void_p)]),
    "simdconv_destroy": (None, [c_void_p]),
    "simdconv_workspace_size": (c_int, [c_void_p, c_size_t, c_size_t,
                                        c_size_t, P(c_size_t)]),
    "simdconv_run": (c_int, [c_void_p, c_size_t, c_size_t, c_size_t, c_void_p,
                             c_void_p, c_void_p, c_size_t, c_void_p]),
    "simdconv_run_residual": (c_int, [c_void_p, c_size_t, c_size_t, c_size_t,
                                      c_void_p, c_void_p, c_float, c_void_p,
                                      c_void_p, c_size_t, c_void_p]),
    "simdconv_get_info": (c_int, [c_void_p, P(ConvInfo)]),
    "simdconv_conv2d": (c_int, [P(Desc), c_size_t, c_size_t, c_size_t,
                                c_void_p, c_void_p, c_void_p, c_void_p,
                                c_void_p]),
    "simdconv_kernel_count": (c_size_t, []),
    "simdconv_kernel_get": (c_int, [c_size_t, P(KernelInfo)]),
    "simdconv_kernel_find": (c_int, [c_char_p, P(c_size_t)]),
    "simdconv_registry_check": (c_char_p, []),
    "simdconv_reference": (c_int, [P(Desc), c_size_t, c_size_t, c_size_t,
                                   c_void_p, c_void_p, c_void_p, c_void_p,
                                   c_void_p]),
    "simdconv_reference_residual": (c_int, [P(Desc), c_size_t, c_size_t,
                                            c_size_t, c_void_p, c_void_p,
                                            c_void_p, c_void_p, c_float,
                                            c_void_p, c_void_p]),
    "simdconv_compare": (c_int, [c_void_p, c_void_p, c_void_p, c_size_t,
                                 P(CompareStats)]),
    "simdconv_desc_validate_q8": (c_int, [P(Desc), P(QParams)]),
    "simdconv_create_q8": (c_int, [P(Desc), P(QParams), c_void_p, c_void_p,
                                   P(Options), P(c_void_p)]),
    "simdconv_run_q8": (c_int, [c_void_p, c_size_t, c_size_t, c_size_t,
                                c_void_p, c_void_p, c_void_p, c_size_t,
                                c_void_p]),
    "simdconv_quantize_bias": (c_int, [c_void_p, c_size_t, c_float, c_void_p,
                                       c_size_t, c_void_p]),
    "simdconv_reference_q8": (c_int, [P(Desc), P(QParams), c_size_t,
                                      c_size_t, c_size_t, c_void_p, c_void_p,
                                      c_void_p, c_void_p, c_void_p]),
}

ENV_LIBRARY = "SIMDCONV_LIBRARY"


def _candidates():
    """Where to look for libsimdconv, in order: the environment override,
    the path `meson install` recorded in _config.py (absent in the source
    tree), then the dynamic loader's own search."""
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return [env]  # an explicit choice: no silent fallback
    cands = []
    try:
        from . import _config
        cands.append(_config.LIBRARY)
    except ImportError:
        pass
    cands.append(ctypes.util.find_library("simdconv"))
    cands.append("libsimdconv.so.0")
    return [c for c in cands if c]


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("simdconv: cannot load the shared library; tried: %s. "
                      "Set %s to the path of libsimdconv.so."
                      % ("; ".join(tried), ENV_LIBRARY))


def _declare(cdll):
    for name, (restype, argtypes) in PROTOTYPES.items():
        fn = getattr(cdll, name)
        fn.restype, fn.argtypes = restype, argtypes
    return cdll


C, LIBRARY_PATH = _load()
_declare(C)


def status_name(code):
    """"SIMDCONV_ERR_INVALID_SIZE" for 2, the library's own name."""
    return C.simdconv_status_string(code).decode().split(":", 1)[0]


class SimdconvError(RuntimeError):
    """A status returned by the library.

    A RuntimeError, as torch raises for the same invalid configurations.
    Attributes: code (the int status), status (its name, e.g.
    "SIMDCONV_ERR_PADDING_TOO_LARGE"), message (the library's explanation)
    and function (the C function that returned it)."""

    def __init__(self, code, function):
        text = C.simdconv_status_string(code).decode()
        self.code, self.function = code, function
        self.status, _, self.message = text.partition(": ")
        super().__init__("%s: %s" % (function, text))

    def __reduce__(self):
        # rebuilt from the code, e.g. when multiprocessing sends it back
        return SimdconvError, (self.code, self.function)


def check(code, function):
    """Raises SimdconvError unless code is SIMDCONV_OK."""
    if code != OK:
        raise SimdconvError(code, function)


def isa_names():
    """{value: name} of every ISA value the library knows, "auto" included."""
    names, i = {}, 0
    while True:
        name = C.simdconv_isa_name(i)
        if name is None:
            return names
        names[i] = name.decode()
        i += 1


def isa_value(name):
    """The simdconv_isa value of a name such as "avx2"; None means auto."""
    if name is None:
        return 0
    if not isinstance(name, str):
        raise TypeError("simdconv: isa must be a string such as 'avx2' or "
                        "None, got %r" % (name,))
    value = c_int(0)
    if C.simdconv_isa_from_name(name.encode(), ctypes.byref(value)) != OK:
        raise ValueError("simdconv: unknown isa %r; the library knows %s"
                         % (name, ", ".join(isa_names().values())))
    return value.value


# The allocator every object is created with; None is the library's own.
# Tests install a counting one (tests/python/test_leaks.py).
allocator = None


def _create(function, isa, kernel, *args):
    """An object handle (an int) from simdconv_create or _create_q8 with
    args, the options and the handle's address; or SimdconvError. kernel:
    None (the planner's choice) or the name of a registered kernel."""
    opts = Options(isa, ctypes.pointer(allocator) if allocator else None,
                   None if kernel is None else kernel.encode())
    handle = c_void_p()
    check(getattr(C, function)(*args, ctypes.byref(opts),
                               ctypes.byref(handle)), function)
    return handle.value


def create(desc, weight_ptr, bias_ptr, isa, kernel=None):
    """simdconv_create: an object handle (an int), or SimdconvError."""
    return _create("simdconv_create", isa, kernel, ctypes.byref(desc),
                   weight_ptr, bias_ptr)


def create_q8(desc, qparams, weight_ptr, bias_ptr, isa, kernel=None):
    """simdconv_create_q8 (qparams: a QParams)."""
    return _create("simdconv_create_q8", isa, kernel, ctypes.byref(desc),
                   ctypes.byref(qparams), weight_ptr, bias_ptr)


def conv_info(handle):
    info = ConvInfo()
    check(C.simdconv_get_info(handle, ctypes.byref(info)), "simdconv_get_info")
    return info


def output_shape(desc, height, width):
    oh, ow = c_size_t(), c_size_t()
    check(C.simdconv_output_shape(ctypes.byref(desc), height, width,
                                  ctypes.byref(oh), ctypes.byref(ow)),
          "simdconv_output_shape")
    return oh.value, ow.value


def activation_names():
    """{value: name} of every activation the library knows, as
    simdconv_activation_name() spells them ("none", "clamp", ...)."""
    names, i = {}, 0
    while True:
        name = C.simdconv_activation_name(i)
        if name is None:
            return names
        names[i] = name.decode()
        i += 1


def activation_value(name):
    """The simdconv_activation value of one of the library's names (see
    activation_names()); ValueError for any other string."""
    value = c_int(0)
    if C.simdconv_activation_from_name(name.encode(),
                                       ctypes.byref(value)) != OK:
        raise ValueError("simdconv: unknown activation %r; the library knows "
                         "%s" % (name, ", ".join(activation_names().values())))
    return value.value


def kernel_index(name):
    """The registry index of a kernel name; SimdconvError
    (SIMDCONV_ERR_UNKNOWN_KERNEL) for a name this build lacks, TypeError
    for a non-string."""
    if not isinstance(name, str):
        raise TypeError("simdconv: kernel must be a kernel name (a string, "
                        "see simdconv.kernels()) or None, got %r" % (name,))
    index = c_size_t()
    check(C.simdconv_kernel_find(name.encode(), ctypes.byref(index)),
          "simdconv_kernel_find")
    return index.value


def kernel_info(index):
    """simdconv_kernel_get: the KernelInfo struct of kernel `index`."""
    k = KernelInfo()
    check(C.simdconv_kernel_get(index, ctypes.byref(k)), "simdconv_kernel_get")
    return k


Kernel = collections.namedtuple("Kernel", [
    "name", "isa", "family", "tile_m", "tile_n", "layouts", "constraints",
    "rank", "usable", "cpu_features"])
Kernel.__doc__ = """A registered kernel (simdconv_kernel_info): name
("f32_igemm_7x32__avx512", "q8_igemm_vnni_7x32__avx512"), isa, family
("direct", "igemm", "gemm_nchw", "dwconv", for transposed convolutions
"deconv_igemm", "deconv_dwconv", for int8 "q8_direct", "q8_igemm",
"q8_dwconv"), tile_m x tile_n (the micro-tile), layouts (the input layouts
it computes: "nchw", "nhwc"), constraints (the layers it accepts, in
words), rank (its position in its ISA's dispatch order), usable (whether
this machine runs it: its ISA and its cpu_features, the CPU features it
needs beyond its ISA's, e.g. "avx512vnni")."""
Kernel.__module__ = "simdconv"


def _layout_names(mask):
    return tuple(n for n, v in LAYOUT.items() if mask & (1 << v))


def kernels():
    """Every registered kernel in dispatch order, as simdconv.Kernel tuples
    (see simdconv.kernels())."""
    isas, out = isa_names(), []
    for i in range(C.simdconv_kernel_count()):
        k = kernel_info(i)
        out.append(Kernel(
            name=k.name.decode(), isa=isas.get(k.isa, k.isa),
            family=k.family.decode(), tile_m=k.tile_m, tile_n=k.tile_n,
            layouts=_layout_names(k.layouts),
            constraints=k.constraints.decode(), rank=k.rank,
            usable=C.simdconv_isa_check(k.isa) == OK and bool(k.usable),
            cpu_features=(k.cpu_features or b"").decode()))
    return out


def registry_check():
    """None when every kernel table keeps its family's rules, else the
    library's description of the first violation (a bug in the build)."""
    problem = C.simdconv_registry_check()
    return None if problem is None else problem.decode()


def _isa_set(mask):
    return [n for v, n in isa_names().items() if v and mask & (1 << v)]


def info():
    """What the loaded library offers: see simdconv.info()."""
    names = isa_names()
    return {
        "version": C.simdconv_version_string().decode(),
        "library": LIBRARY_PATH,
        "isas_built": _isa_set(C.simdconv_isas_built()),
        "isas_supported": _isa_set(C.simdconv_isas_supported()),
        "isa_cap": names[C.simdconv_isa_cap()],
        "active_isa": names[C.simdconv_active_isa()],
        "usable_isas": [n for v, n in names.items()
                        if v and C.simdconv_isa_check(v) == OK],
        "kernels": kernels(),
        "registry_check": registry_check(),
    }
