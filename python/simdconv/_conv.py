"""conv2d, Conv2d, conv_transpose2d, ConvTranspose2d, reference and
error_bound: F.conv2d's (F.conv_transpose2d's) arguments turned into a
simdconv_desc, objects created and run."""
import ctypes
import math
import numbers

from . import _arrays, _lib, _pool

_INF = math.inf
# PyTorch's names the library spells otherwise (the ReLU family as clamp
# presets, F.gelu's default as gelu_erf): name -> (simdconv activation,
# clamp min, clamp max). Every other name is the library's own
# (simdconv_activation_from_name), but for 'clamp', which takes its bounds
# as ('clamp', min, max).
_PRESETS = {
    None: ("none", -_INF, _INF), "relu": ("clamp", 0.0, _INF),
    "relu6": ("clamp", 0.0, 6.0), "gelu": ("gelu_erf", -_INF, _INF),
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
    if value is None or isinstance(value, str):
        if value in _PRESETS:
            return _PRESETS[value]
        if value != "clamp":
            try:
                _lib.activation_value(value)
                return value, -_INF, _INF
            except ValueError:
                pass
    names = [n for n in _PRESETS if n] + [
        n for n in _lib.activation_names().values() if n != "clamp"]
    raise ValueError("simdconv: activation must be None, one of %s, or "
                     "('clamp', min, max), got %r"
                     % (", ".join(map(repr, names)), value))


def _alpha(value):
    """The residual's scale as a Python float (rounded to float32 by the
    call)."""
    if type(value) is float or type(value) is int:  # without ABCs
        return float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("simdconv: alpha must be a real number, got %r"
                        % (value,))
    return float(value)


def _choice(value, table, name):
    if value not in table:
        raise ValueError("simdconv: %s must be one of %s, got %r"
                         % (name, ", ".join(map(repr, table)), value))
    return table[value]


class _Params:
    """Everything of a layer but its tensors, validated by the library; one
    simdconv_desc per input layout is built on demand and kept. An
    output_padding (None for a forward layer) makes it transposed, its
    weight_shape then C x K/groups x R x S."""

    def __init__(self, weight_shape, weight_layout, stride=1, padding=0,
                 dilation=1, groups=1, padding_mode="zeros", activation=None,
                 flip=False, output_padding=None):
        k, cg, r, s = weight_shape
        self.groups = _size(groups, "groups")
        self.transposed = output_padding is not None
        self.output_padding = _pair(output_padding or 0, "output_padding")
        if self.transposed:  # C x K/groups x R x S
            self.in_channels, self.out_channels = k, cg * self.groups
        else:
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
        d.activation = _lib.activation_value(act)
        d.transposed = int(self.transposed)
        d.output_padding_h, d.output_padding_w = self.output_padding
        return d

    def input(self, x):
        """The input as a Tensor4, its channels checked against the layer."""
        t = _arrays.Tensor4(x, "input", allow_unbatched=True)
        if t.shape[1] != self.in_channels:
            raise ValueError(
                "simdconv: the layer (%d -> %d channels, kernel %d x %d, "
                "groups %d) expects %d input channels, the input has shape %s"
                % ((self.in_channels, self.out_channels) + self.kernel_size
                   + (self.groups, self.in_channels, t.shape)))
        return t

    def output_shape(self, x):
        """(N, K, OH, OW) of the output for input x."""
        key = (x.layout, x.shape[2], x.shape[3])
        shape = self._shapes.get(key)
        if shape is None:
            # a ctypes call costs about as much as the rest of a small
            # layer's Python work: remember the shapes of recent sizes
            if len(self._shapes) > 64:
                self._shapes.clear()
            shape = self._shapes[key] = _lib.output_shape(
                self.desc(x.layout), *key[1:])
        return (x.shape[0], self.out_channels) + shape

    def output(self, x, dtype="float32"):
        """A new output for input x and its address."""
        return x.empty(*self.output_shape(x)[1:], dtype=dtype)


def _layer(weight, bias, conv_args):
    """(_Params, weight memory, bias vector or None) of F.conv2d arguments
    (F.conv_transpose2d's: with an output_padding)."""
    transposed = conv_args.get("output_padding") is not None
    wmem, wlayout, wshape = _arrays.weights(weight, transposed)
    params = _Params(wshape, wlayout, **conv_args)
    return params, wmem, _arrays.bias(bias, params.out_channels)


def _address(a):
    return None if a is None else a.ctypes.data


class Conv2d:
    """A convolution layer with prepacked weights, callable like F.conv2d
    on inputs of any batch size and spatial size.

    Conv2d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode='zeros', *, activation=None, flip=False,
           kernel=None, isa=None, threads=None)

    takes the arguments of simdconv.conv2d() without the input. The weights
    are copied, so later changes to the caller's array do not reach the
    layer. They are packed once per memory layout of the input (NCHW or
    channels_last), on the first call that uses it; a kernel= that cannot
    compute the layer in that layout raises SimdconvError
    (SIMDCONV_ERR_KERNEL_UNSUITABLE) there. threads is the default of each
    call (which may override it). Call close() (or use `with`) to free the
    packed weights at once; otherwise they go with the object.

    layer(input, *, residual=None, alpha=1.0, out=None, threads=None) runs
    it; see simdconv.conv2d() for residual, alpha and out.
    """

    def __init__(self, weight, bias=None, stride=1, padding=0, dilation=1,
                 groups=1, padding_mode="zeros", *, activation=None,
                 flip=False, kernel=None, isa=None, threads=None):
        self._setup(weight, bias, dict(
            stride=stride, padding=padding, dilation=dilation, groups=groups,
            padding_mode=padding_mode, activation=activation, flip=flip),
            isa, kernel, threads, copy=True)

    def _setup(self, weight, bias, conv_args, isa, kernel, threads, copy):
        self._handles = {}
        self._params, wmem, b = _layer(weight, bias, conv_args)
        # copies only for a Conv2d that outlives the call (see conv2d())
        self._weight = wmem.copy() if copy else wmem
        self._bias = b.copy() if copy and b is not None else b
        self._isa = _lib.isa_value(isa)
        _lib.check(_lib.C.simdconv_isa_check(self._isa), "simdconv_isa_check")
        if kernel is not None:
            # what does not depend on the layer fails here: a name the build
            # lacks, a kernel of an ISA this machine cannot run
            info = _lib.kernel_info(_lib.kernel_index(kernel))
            _lib.check(_lib.C.simdconv_isa_check(info.isa),
                       "simdconv_isa_check")
        self._threads = _pool.threads_arg(threads)
        self._conv_args, self._isa_name = conv_args, isa
        self._kernel = kernel

    @classmethod
    def from_torch(cls, module, *, activation=None, kernel=None, isa=None,
                   threads=None):
        """A Conv2d with the weights, bias and settings of a
        torch.nn.Conv2d (activation is fused after it, None by default)."""
        bias = None if module.bias is None else module.bias.detach()
        return cls(module.weight.detach(), bias, module.stride,
                   module.padding, module.dilation, module.groups,
                   module.padding_mode, activation=activation, kernel=kernel,
                   isa=isa, threads=threads)

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
                           _address(self._bias), self._isa, self._kernel)

    def __call__(self, input, *, residual=None, alpha=1.0, out=None,
                 threads=None):
        x = self._params.input(input)
        handle = self._handle(x.layout)
        if residual is None and out is None:  # the common case, first
            out, ptr = self._params.output(x)
            res = rptr = None
        else:
            shape = self._params.output_shape(x)
            if out is None:
                out, ptr = x.empty(*shape[1:])
            else:
                ptr = _arrays.like_output(out, "out", x, shape, True)[1]
            # res also keeps a copied residual alive through the call
            res, rptr = (None, None) if residual is None else \
                _arrays.like_output(residual, "residual", x, shape)
        alpha = _alpha(alpha)
        n, _, h, w = x.shape
        if n:  # torch returns an empty batch for an empty batch
            pool = _pool.get(self._threads if threads is None
                             else _pool.threads_arg(threads))
            if res is None:
                _lib.check(_lib.C.simdconv_run(handle, n, h, w, x.ptr, ptr,
                                               None, 0, pool), "simdconv_run")
            else:
                _lib.check(_lib.C.simdconv_run_residual(
                    handle, n, h, w, x.ptr, rptr, alpha, ptr, None, 0, pool),
                    "simdconv_run_residual")
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
                           self._isa_name, self._threads, self._kernel,
                           type(self)))

    def __repr__(self):
        p = self._params
        args = "".join(", %s=%r" % kv for kv in self._conv_args.items())
        if self._kernel is not None:
            args += ", kernel=%r" % self._kernel
        return ("simdconv.%s(%d, %d, kernel_size=%s%s, isa=%r)"
                % (type(self).__name__, p.in_channels, p.out_channels,
                   p.kernel_size, args, self._isa_name))


def _rebuild(weight, bias, conv_args, isa, threads, kernel=None, cls=None):
    return (cls or Conv2d)(weight, bias, isa=isa, kernel=kernel,
                           threads=threads, **conv_args)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1, padding_mode="zeros", *, activation=None, flip=False,
           residual=None, alpha=1.0, out=None, kernel=None, isa=None,
           threads=None):
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
    activation: None, 'relu', 'relu6', 'sigmoid', 'tanh', 'silu', 'gelu'
            (or 'gelu_erf'), 'gelu_tanh' (F.gelu(approximate='tanh')) or
            ('clamp', min, max), fused after the bias (and the residual).
    flip:   flip the kernel (true convolution, as scipy.signal.convolve2d).
    residual, alpha: a fused residual add before the activation,
            act(conv2d(...) + alpha * residual), computed as
            act(fmaf(alpha, r, sum)) with one rounding (simdconv_run_residual;
            alpha is rounded to float32; it is ignored without a residual).
            residual: float32, numpy or torch, of the output's shape (N x K
            x OH x OW, or K x OH x OW for an unbatched input); read in place
            when its memory is in the output's layout (the input's), else
            copied once.
    out:    None (a new output) or the array or tensor to write the result
            into and return: float32, of the output's shape, writable, in
            the output's memory layout (C-contiguous for an NCHW input,
            channels_last / NHWC memory for a channels_last one). It may be
            the residual itself (accumulate in place: out=r, residual=r),
            but must not otherwise overlap the residual or the input
            (SimdconvError SIMDCONV_ERR_BUFFER_OVERLAP).
    kernel: None (the planner's choice) or the name of a registered kernel
            (simdconv.kernels()) to force; SimdconvError with
            SIMDCONV_ERR_UNKNOWN_KERNEL for a name this build lacks and
            SIMDCONV_ERR_KERNEL_UNSUITABLE for a kernel that cannot compute
            the layer (or of another ISA than isa=). Every kernel gives the
            same bits.
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
        isa, kernel, threads, copy=False)
    try:
        return conv(input, residual=residual, alpha=alpha, out=out)
    finally:
        conv.close()


class ConvTranspose2d(Conv2d):
    """A transposed convolution layer with prepacked weights, callable like
    F.conv_transpose2d (see simdconv.conv_transpose2d()):

    ConvTranspose2d(weight, bias=None, stride=1, padding=0,
                    output_padding=0, groups=1, dilation=1, *,
                    activation=None, kernel=None, isa=None, threads=None)

    weight is C x K/groups x R x S, PyTorch's layout. Everything else is as
    for Conv2d: layer(input, *, residual=None, alpha=1.0, out=None,
    threads=None), kernel(), close(), pickling.
    """

    def __init__(self, weight, bias=None, stride=1, padding=0,
                 output_padding=0, groups=1, dilation=1, *, activation=None,
                 kernel=None, isa=None, threads=None):
        self._setup(weight, bias, _transposed_args(
            stride, padding, output_padding, groups, dilation, activation),
            isa, kernel, threads, copy=True)

    @classmethod
    def from_torch(cls, module, *, activation=None, kernel=None, isa=None,
                   threads=None):
        """A ConvTranspose2d with the weights, bias and settings of a
        torch.nn.ConvTranspose2d (activation fused after it)."""
        bias = None if module.bias is None else module.bias.detach()
        return cls(module.weight.detach(), bias, module.stride,
                   module.padding, module.output_padding, module.groups,
                   module.dilation, activation=activation, kernel=kernel,
                   isa=isa, threads=threads)


def _transposed_args(stride, padding, output_padding, groups, dilation,
                     activation):
    """The _Params arguments of F.conv_transpose2d's: PyTorch's padding
    crops both sides of each axis; 'same' and 'valid' are the library's
    (ONNX SAME_UPPER, no crop)."""
    if output_padding is None:
        raise TypeError("simdconv: output_padding must be an int or a pair, "
                        "got None")
    return dict(stride=stride, padding=padding, dilation=dilation,
                groups=groups, activation=activation,
                output_padding=output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1, *,
                     activation=None, residual=None, alpha=1.0, out=None,
                     kernel=None, isa=None, threads=None):
    """torch.nn.functional.conv_transpose2d, computed by simdconv in its own
    canonical order (docs/numerics.md part III): the same bits on every ISA
    and thread count.

    input:  N x C x H x W (or C x H x W), float32, numpy or torch, NCHW or
            channels_last memory, as for conv2d().
    weight: C x K/groups x R x S (PyTorch's layout).
    bias:   K values or None.
    stride, dilation, output_padding: an int or an (h, w) pair;
            output_padding < max(stride, dilation) per axis, as PyTorch.
    padding: an int or an (h, w) pair (the rows and columns cropped from
            both sides of the full output), (top, bottom, left, right),
            'valid' (no crop) or 'same' (ONNX's SAME_UPPER: OH = H *
            stride_h).
    activation, residual, alpha, out, kernel, isa, threads: as for
            conv2d(); kernel= names a transposed-family kernel
            ("f32_deconv_..." or the scalar direct kernel).
    """
    conv = ConvTranspose2d.__new__(ConvTranspose2d)
    conv._setup(weight, bias, _transposed_args(
        stride, padding, output_padding, groups, dilation, activation),
        isa, kernel, threads, copy=False)
    try:
        return conv(input, residual=residual, alpha=alpha, out=out)
    finally:
        conv.close()


def _oracle(input, weight, bias, conv_args, residual, alpha):
    params, wmem, b = _layer(weight, bias, conv_args)
    x = params.input(input)
    shape = params.output_shape(x)
    ref, ref_ptr = params.output(x, "float64")
    bound, bound_ptr = params.output(x, "float64")
    # res keeps a copied residual alive through the call
    res, rptr = (None, None) if residual is None else \
        _arrays.like_output(residual, "residual", x, shape)
    alpha = _alpha(alpha)
    n, _, h, w = x.shape
    if n:
        _lib.check(_lib.C.simdconv_reference_residual(
            ctypes.byref(params.desc(x.layout)), n, h, w, x.ptr,
            wmem.ctypes.data, _address(b), rptr, alpha, ref_ptr, bound_ptr),
            "simdconv_reference_residual")
    return ref, bound


def _oracle_args(stride, padding, dilation, groups, padding_mode,
                 activation, flip, output_padding):
    """conv2d()'s arguments as _Params'; an output_padding makes the layer
    transposed (conv_transpose2d()'s weights and padding)."""
    args = dict(stride=stride, padding=padding, dilation=dilation,
                groups=groups, padding_mode=padding_mode,
                activation=activation, flip=flip)
    if output_padding is not None:
        args["output_padding"] = output_padding
    return args


def reference(input, weight, bias=None, stride=1, padding=0, dilation=1,
              groups=1, padding_mode="zeros", *, activation=None,
              flip=False, residual=None, alpha=1.0, output_padding=None):
    """The exact result in float64 (simdconv's oracle, which shares no code
    with the kernels), for the arguments of conv2d(): act(sum + alpha *
    residual) with a residual. With output_padding (an int or a pair, 0
    included) it is conv_transpose2d()'s: weight C x K/groups x R x S and
    that function's padding. Same type and layout as conv2d()'s output,
    dtype float64."""
    return _oracle(input, weight, bias, _oracle_args(
        stride, padding, dilation, groups, padding_mode, activation, flip,
        output_padding), residual, alpha)[0]


def error_bound(input, weight, bias=None, stride=1, padding=0, dilation=1,
                groups=1, padding_mode="zeros", *, activation=None,
                flip=False, residual=None, alpha=1.0, output_padding=None):
    """Per output, the largest |y - reference| any fp32 result following
    simdconv's order may show (docs/numerics.md): gamma_n * (|b| +
    sum |x*w|) + n * 2^-150 (d), with a residual plus one rounding,
    d + 2^-24 (|sum + alpha r| + d) + 2^-150, pushed through the
    activation; 0 where the reference is not finite (the result must match
    exactly) and +inf where fp32 overflow is possible. output_padding: as
    for reference(). Same type and layout as conv2d()'s output, dtype
    float64."""
    return _oracle(input, weight, bias, _oracle_args(
        stride, padding, dilation, groups, padding_mode, activation, flip,
        output_padding), residual, alpha)[1]