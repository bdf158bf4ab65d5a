"""conv2d, Conv2d, reference and error_bound: F.conv2d's arguments turned
into a simdconv_desc, objects created and run."""
import ctypes
import math
import numbers

from . import _arrays, _lib, _pool

_INF = math.inf
# name -> (simdconv activation, clamp min, clamp max)
_ACTIVATIONS = {
    None: ("none", -_INF, _INF), "none": ("none", -_INF, _INF),
    "relu": ("clamp", 0.0, _INF), "relu6": ("clamp", 0.0, 6.0),
    "sigmoid": ("sigmoid", -_INF, _INF), "tanh": ("tanh", -_INF, _INF),
    "silu": ("silu", -_INF, _INF), "gelu": ("gelu", -_INF, _INF),
    "gelu_tanh": ("gelu_tanh", -_INF, _INF),
}


def _size(value, name):
    if type(value) is int and value >= 0:  # the common case, without ABCs
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("simdconv: %s must be an int or a tuple of ints, got "
                        "%r" % (name, value))
    if value < 0:
        raise ValueError("simdconv: %s must not be negative, got %r"
                         % (name, value))
    return int(value)


def _pair(value, name):
    """F.conv2d's convention: an int for both axes or an (h, w) pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError("simdconv: %s must be an int or a pair, got %r"
                             % (name, value))
        return _size(value[0], name), _size(value[1], name)
    v = _size(value, name)
    return v, v


def _padding(value):
    """(simdconv padding name, (top, bottom, left, right))."""
    if isinstance(value, str):
        if value not in ("same", "valid"):
            raise ValueError("simdconv: padding must be 'same', 'valid', an "
                             "int or a tuple, got %r" % value)
        return value, (0, 0, 0, 0)
    if isinstance(value, (tuple, list)) and len(value) == 4:
        # an extension of F.conv2d: asymmetric padding, in the C API's order
        return "explicit", tuple(_size(p, "padding") for p in value)
    ph, pw = _pair(value, "padding")
    return "explicit", (ph, ph, pw, pw)


def _activation(value):
    """(simdconv activation name, clamp min, clamp max)."""
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "clamp":
        lo = -_INF if value[1] is None else float(value[1])
        hi = _INF if value[2] is None else float(value[2])
        return "clamp", lo, hi
    try:
        return _ACTIVATIONS[value]
    except (KeyError, TypeError):
        raise ValueError(
            "simdconv: activation must be None, one of %s, or ('clamp', min, "
            "max), got %r" % (", ".join(repr(k) for k in _ACTIVATIONS if k),
                              value)) from None


def _choice(value, table, name):
    if value not in table:
        raise ValueError("simdconv: %s must be one of %s, got %r"
                         % (name, ", ".join(map(repr, table)), value))
    return table[value]


class _Params:
    """Everything of a layer but its tensors, validated by the library; one
    simdconv_desc per input layout is built on demand and kept."""

    def __init__(self, weight_shape, weight_layout, stride=1, padding=0,
                 dilation=1, groups=1, padding_mode="zeros", activation=None,
                 flip=False):
        k, cg, r, s = weight_shape
        self.groups = _size(groups, "groups")
        self.in_channels, self.out_channels = cg * self.groups, k
        self.kernel_size = (r, s)
        self.stride = _pair(stride, "stride")
        self.dilation = _pair(dilation, "dilation")
        self.padding, self.pads = _padding(padding)
        self.padding_mode = padding_mode
        self._mode = _choice(padding_mode, _lib.PADDING_MODE, "padding_mode")
        self.activation = _activation(activation)
        self.flip = bool(flip)
        self.weight_layout = weight_layout
        self._descs, self._shapes = {}, {}
        _lib.check(_lib.C.simdconv_desc_validate(
            ctypes.byref(self.desc(_arrays.NCHW))), "simdconv_desc_validate")

    def desc(self, layout):
        d = self._descs.get(layout)
        if d is None:
            d = self._descs[layout] = self._make_desc(layout)
        return d

    def _make_desc(self, layout):
        d = _lib.Desc()
        _lib.C.simdconv_desc_init(ctypes.byref(d), self.in_channels,
                                  self.out_channels, *self.kernel_size)
        d.stride_h, d.stride_w = self.stride
        d.dilation_h, d.dilation_w = self.dilation
        d.groups = self.groups
        d.padding = _lib.PADDING[self.padding]
        d.pad_top, d.pad_bottom, d.pad_left, d.pad_right = self.pads
        d.padding_mode = self._mode
        d.layout = _lib.LAYOUT[layout]
        d.weight_layout = _lib.WEIGHT_LAYOUT[self.weight_layout]
        d.flip_kernel = int(self.flip)
        act, d.act_min, d.act_max = self.activation
        d.activation = _lib.ACTIVATION[act]
        return d

    def input(self, x):
        """The input as a Tensor4, its channels checked against the layer."""
        t = _arrays.Tensor4(x, "input", allow_unbatched=True)
        if t.shape[1] != self.in_channels:
            raise ValueError(
                "simdconv: the layer (weight %d x %d x %d x %d, groups %d) "
                "expects %d input channels, the input has shape %s"
                % ((self.out_channels, self.in_channels // self.groups)
                   + self.kernel_size + (self.groups, self.in_channels,
                                         t.shape)))
        return t

    def output(self, x, dtype="float32"):
        """A new output for input x and its address."""
        key = (x.layout, x.shape[2], x.shape[3])
        shape = self._shapes.get(key)
        if shape is None:
            # a ctypes call costs about as much as the rest of a small
            # layer's Python work: remember the shapes of recent sizes
            if len(self._shapes) > 64:
                self._shapes.clear()
            shape = self._shapes[key] = _lib.output_shape(
                self.desc(x.layout), *key[1:])
        return x.empty(self.out_channels, shape[0], shape[1], dtype)


def _layer(weight, bias, conv_args):
    """(_Params, weight memory, bias vector or None) of F.conv2d arguments."""
    wmem, wlayout, wshape = _arrays.weights(weight)
    params = _Params(wshape, wlayout, **conv_args)
    return params, wmem, _arrays.bias(bias, params.out_channels)


def _address(a):
    return None if a is None else a.ctypes.data


class Conv2d:
    """A convolution layer with prepacked weights, callable like F.conv2d
    on inputs of any batch size and spatial size.

    Conv2d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode='zeros', *, activation=None, flip=False, isa=None,
           threads=None)

    takes the arguments of simdconv.conv2d() without the input. The weights
    are copied, so later changes to the caller's array do not reach the
    layer. They are packed once per memory layout of the input (NCHW or
    channels_last), on the first call that uses it. threads is the default
    of each call (which may override it). Call close() (or use `with`) to
    free the packed weights at once; otherwise they go with the object.
    """

    def __init__(self, weight, bias=None, stride=1, padding=0, dilation=1,
                 groups=1, padding_mode="zeros", *, activation=None,
                 flip=False, isa=None, threads=None):
        self._setup(weight, bias, dict(
            stride=stride, padding=padding, dilation=dilation, groups=groups,
            padding_mode=padding_mode, activation=activation, flip=flip),
            isa, threads, copy=True)

    def _setup(self, weight, bias, conv_args, isa, threads, copy):
        self._handles = {}
        self._params, wmem, b = _layer(weight, bias, conv_args)
        # copies only for a Conv2d that outlives the call (see conv2d())
        self._weight = wmem.copy() if copy else wmem
        self._bias = b.copy() if copy and b is not None else b
        self._isa = _lib.isa_value(isa)
        _lib.check(_lib.C.simdconv_isa_check(self._isa), "simdconv_isa_check")
        self._threads = _pool.threads_arg(threads)
        self._conv_args, self._isa_name = conv_args, isa

    @classmethod
    def from_torch(cls, module, *, activation=None, isa=None, threads=None):
        """A Conv2d with the weights, bias and settings of a
        torch.nn.Conv2d (activation is fused after it, None by default)."""
        bias = None if module.bias is None else module.bias.detach()
        return cls(module.weight.detach(), bias, module.stride,
                   module.padding, module.dilation, module.groups,
                   module.padding_mode, activation=activation, isa=isa,
                   threads=threads)

    # Bound here so that objects collected at interpreter exit, after the
    # module globals are gone, can still be freed.
    _destroy = staticmethod(_lib.C.simdconv_destroy)

    def _handle(self, layout):
        if self._handles is None:
            raise ValueError("simdconv.Conv2d: the layer was closed")
        handle = self._handles.get(layout)
        if handle is None:
            new = self._create(layout)
            # two threads may race here: keep one object, free the other
            handle = self._handles.setdefault(layout, new)
            if handle != new:
                self._destroy(new)
        return handle

    def _create(self, layout):
        return _lib.create(self._params.desc(layout), self._weight.ctypes.data,
                           _address(self._bias), self._isa)

    def __call__(self, input, *, threads=None):
        x = self._params.input(input)
        handle = self._handle(x.layout)
        out, ptr = self._params.output(x)
        n, _, h, w = x.shape
        if n:  # torch returns an empty batch for an empty batch
            pool = _pool.get(self._threads if threads is None
                             else _pool.threads_arg(threads))
            _lib.check(_lib.C.simdconv_run(handle, n, h, w, x.ptr, ptr, None,
                                           0, pool), "simdconv_run")
        return out

    def kernel(self, layout=_arrays.NCHW):
        """(ISA name, kernel name) the layer runs on for inputs in this
        memory layout ('nchw' or 'nhwc')."""
        _choice(layout, _lib.LAYOUT, "layout")
        info = _lib.conv_info(self._handle(layout))
        return _lib.isa_names()[info.isa], info.kernel.decode()

    in_channels = property(lambda self: self._params.in_channels)
    out_channels = property(lambda self: self._params.out_channels)
    kernel_size = property(lambda self: self._params.kernel_size)

    def close(self):
        """Frees the packed weights; the layer cannot be called afterwards."""
        handles, self._handles = getattr(self, "_handles", None), None
        for handle in (handles or {}).values():
            self._destroy(handle)

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __reduce__(self):
        # Packed objects are process-local: copies and pickles re-pack.
        weight = self._weight
        if self._params.weight_layout == "ohwi":
            weight = weight.transpose(0, 3, 1, 2)
        return (_rebuild, (weight, self._bias, self._conv_args,
                           self._isa_name, self._threads))

    def __repr__(self):
        p = self._params
        args = "".join(", %s=%r" % kv for kv in self._conv_args.items())
        return ("simdconv.Conv2d(%d, %d, kernel_size=%s%s, isa=%r)"
                % (p.in_channels, p.out_channels, p.kernel_size, args,
                   self._isa_name))


def _rebuild(weight, bias, conv_args, isa, threads):
    return Conv2d(weight, bias, isa=isa, threads=threads, **conv_args)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1, padding_mode="zeros", *, activation=None, flip=False,
           isa=None, threads=None):
    """torch.nn.functional.conv2d, computed by simdconv.

    input:  N x C x H x W (or C x H x W), float32; a numpy array (C-contiguous,
            or an NHWC array seen through .transpose(0, 3, 1, 2)) or a CPU
            torch tensor (contiguous or channels_last). Other memory orders
            are copied. The output has the input's type and memory layout.
    weight: K x C/groups x R x S (OIHW, or OHWI memory as for the input).
    bias:   K values or None.
    stride, dilation: an int or an (h, w) pair. padding: an int, an (h, w)
            pair, (top, bottom, left, right), 'same' (stride 1) or 'valid'.
    padding_mode: 'zeros', 'reflect', 'replicate' or 'circular', as for
            nn.Conv2d.
    activation: None, 'relu', 'relu6', 'sigmoid', 'tanh', 'silu', 'gelu',
            'gelu_tanh' (F.gelu(approximate='tanh')) or ('clamp', min, max),
            fused after the bias.
    flip:   flip the kernel (true convolution, as scipy.signal.convolve2d).
    isa:    None (the active ISA) or a name from
            simdconv.info()['usable_isas']; every ISA gives the same bits.
    threads: None or 1 (the calling thread) or a thread count (a pool kept by
            the module); the same bits whatever the count.

    Raises TypeError / ValueError for arguments of the wrong type, dtype or
    shape, and simdconv.SimdconvError (a RuntimeError) for configurations
    the library rejects, e.g. reflect padding as large as the input.
    """
    conv = Conv2d.__new__(Conv2d)
    conv._setup(weight, bias, dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups,
        padding_mode=padding_mode, activation=activation, flip=flip),
        isa, threads, copy=False)
    try:
        return conv(input)
    finally:
        conv.close()


def _oracle(input, weight, bias, conv_args):
    params, wmem, b = _layer(weight, bias, conv_args)
    x = params.input(input)
    ref, ref_ptr = params.output(x, "float64")
    bound, bound_ptr = params.output(x, "float64")
    n, _, h, w = x.shape
    if n:
        _lib.check(_lib.C.simdconv_reference(
            ctypes.byref(params.desc(x.layout)), n, h, w, x.ptr,
            wmem.ctypes.data, _address(b), ref_ptr, bound_ptr),
            "simdconv_reference")
    return ref, bound


def reference(input, weight, bias=None, stride=1, padding=0, dilation=1,
              groups=1, padding_mode="zeros", *, activation=None,
              flip=False):
    """The exact result in float64 (simdconv's oracle, which shares no code
    with the kernels), for the arguments of conv2d(). Same type and layout
    as conv2d()'s output, dtype float64."""
    return _oracle(input, weight, bias, dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups,
        padding_mode=padding_mode, activation=activation, flip=flip))[0]


def error_bound(input, weight, bias=None, stride=1, padding=0, dilation=1,
                groups=1, padding_mode="zeros", *, activation=None,
                flip=False):
    """Per output, the largest |y - reference| any fp32 result following
    simdconv's order may show (docs/numerics.md): gamma_n * (|b| +
    sum |x*w|) + n * 2^-150 pushed through the activation; 0 where the
    reference is not finite (the result must match exactly) and +inf where
    fp32 overflow is possible. Same type and layout as conv2d()'s output,
    dtype float64."""
    return _oracle(input, weight, bias, dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups,
        padding_mode=padding_mode, activation=activation, flip=flip))[1]
