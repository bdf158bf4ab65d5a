"""conv2d_q8, QConv2d, reference_q8 and quantize_bias: the int8 convolution
of simdconv_create_q8 / simdconv_run_q8 (ONNX QLinearConv with the
requantization of docs/numerics.md, part IV), the same bytes on every ISA
and thread count.

Tensors are plain integer arrays (numpy or CPU torch): input uint8 or int8,
weights int8 (K x C/groups x R x S), bias int32 at scale input_scale *
weight_scale[k] (quantize_bias() converts a float one), output uint8 or
int8. Scales and zero points are keyword arguments.
"""
import ctypes
import numbers

import numpy as np

from . import _arrays, _lib, _pool
from ._conv import Conv2d, _Params, _address

_INT8 = ("uint8", "int8")
_QTYPE = {"uint8": "u8", "int8": "s8"}


def _dtype_name(dtype):
    """'uint8' for numpy's uint8 and torch.uint8 alike."""
    return str(dtype).replace("torch.", "")


def _qtype(name, what):
    if name not in _QTYPE:
        raise ValueError("simdconv: %s must be 'uint8' or 'int8', got %r"
                         % (what, name))
    return _lib.QTYPE[_QTYPE[name]]


def _input_dtype(x):
    """'uint8' or 'int8': the dtype of a function's input."""
    name = _dtype_name(getattr(x, "dtype", type(x).__name__))
    if name not in _QTYPE:
        raise TypeError("simdconv: an int8 convolution's input must be "
                        "uint8 or int8, got %s" % name)
    return name


def _zero_point(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("simdconv: %s must be an int, got %r" % (name, value))
    return int(value)


def _weight_scales(value, out_channels):
    """A contiguous float32 vector of 1 or out_channels scales."""
    if _arrays._torch_of(value) is not None:
        value = value.detach().numpy()
    a = np.ascontiguousarray(np.atleast_1d(np.asarray(value, np.float32)))
    if a.ndim != 1 or a.size not in (1, out_channels):
        raise ValueError("simdconv: weight_scale must be one scale or %d "
                         "(one per output channel), got shape %s"
                         % (out_channels, a.shape))
    return a


def _bias(b, out_channels):
    """The int32 bias as a contiguous numpy vector, or None."""
    if b is None:
        return None
    if _arrays._torch_of(b) is not None:
        b = b.detach().numpy()
    if not isinstance(b, np.ndarray) or b.dtype != np.int32:
        raise TypeError("simdconv: an int8 convolution's bias must be an "
                        "int32 array or tensor (quantize_bias() makes one), "
                        "got %s" % getattr(b, "dtype", type(b).__name__))
    if b.shape != (out_channels,):
        raise ValueError("simdconv: bias must have shape (%d,), got %s"
                         % (out_channels, b.shape))
    return np.ascontiguousarray(b)


class _QLayer:
    """A layer's geometry (_Params), int8 weights, int32 bias and the
    simdconv_qparams, validated by the library."""

    def __init__(self, weight, bias, conv_args, quant):
        self.weight, wlayout, wshape = _arrays.weights(weight, dtypes=("int8",))
        self.params = _Params(wshape, wlayout, **conv_args)
        k = self.params.out_channels
        self.bias = _bias(bias, k)
        self.input_dtype = quant["input_dtype"]
        self.output_dtype = quant["output_dtype"] or self.input_dtype
        self.scales = _weight_scales(quant["weight_scale"], k)
        q = self.qparams = _lib.QParams()
        q.input_type = _qtype(self.input_dtype, "input_dtype")
        q.output_type = _qtype(self.output_dtype, "output_dtype")
        q.input_scale = float(quant["input_scale"])
        q.output_scale = float(quant["output_scale"])
        q.input_zero_point = _zero_point(quant["input_zero_point"],
                                         "input_zero_point")
        q.output_zero_point = _zero_point(quant["output_zero_point"],
                                          "output_zero_point")
        q.weight_scales = self.scales.ctypes.data
        q.weight_scale_count = self.scales.size
        clamp = quant["clamp"]
        if clamp is not None:
            q.clamp = 1
            q.output_min, q.output_max = (_zero_point(v, "clamp")
                                          for v in clamp)
        _lib.check(_lib.C.simdconv_desc_validate_q8(
            ctypes.byref(self.params.desc(_arrays.NCHW)), ctypes.byref(q)),
            "simdconv_desc_validate_q8")

    def input(self, x):
        t = _arrays.Tensor4(x, "input", allow_unbatched=True, dtypes=_INT8)
        if _dtype_name(t.array.dtype) != self.input_dtype:
            raise TypeError("simdconv: the layer takes %s inputs, got %s"
                            % (self.input_dtype, t.array.dtype))
        if t.shape[1] != self.params.in_channels:
            raise ValueError("simdconv: the layer expects %d input channels, "
                             "the input has shape %s"
                             % (self.params.in_channels, t.shape))
        return t


def _quant(input_scale, input_zero_point, weight_scale, output_scale,
           output_zero_point, input_dtype, output_dtype, clamp):
    return dict(input_scale=input_scale, input_zero_point=input_zero_point,
                weight_scale=weight_scale, output_scale=output_scale,
                output_zero_point=output_zero_point, input_dtype=input_dtype,
                output_dtype=output_dtype, clamp=clamp)


class QConv2d(Conv2d):
    """An int8 convolution layer with prepacked weights, callable on inputs
    of any batch and spatial size (uint8 or int8, as input_dtype says).

    QConv2d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
            padding_mode='zeros', *, input_scale, input_zero_point,
            weight_scale, output_scale, output_zero_point,
            input_dtype='uint8', output_dtype=None, clamp=None,
            activation=None, flip=False, isa=None, threads=None)

    takes conv2d_q8()'s arguments without the input; see there. Packs once
    per memory layout of the input; close() (or `with`) frees the packed
    weights, as for Conv2d.
    """

    def __init__(self, weight, bias=None, stride=1, padding=0, dilation=1,
                 groups=1, padding_mode="zeros", *, input_scale,
                 input_zero_point, weight_scale, output_scale,
                 output_zero_point, input_dtype="uint8", output_dtype=None,
                 clamp=None, activation=None, flip=False, isa=None,
                 threads=None):
        self._handles = {}
        conv_args = dict(stride=stride, padding=padding, dilation=dilation,
                         groups=groups, padding_mode=padding_mode,
                         activation=activation, flip=flip)
        self._quant = _quant(input_scale, input_zero_point, weight_scale,
                             output_scale, output_zero_point, input_dtype,
                             output_dtype, clamp)
        self._layer = _QLayer(weight, bias, conv_args, self._quant)
        self._params = self._layer.params
        self._isa = _lib.isa_value(isa)
        _lib.check(_lib.C.simdconv_isa_check(self._isa), "simdconv_isa_check")
        self._threads = _pool.threads_arg(threads)
        self._conv_args, self._isa_name = conv_args, isa
        self._kernel = None  # the planner chooses (Conv2d._create's kernel=)

    def _create(self, layout):
        layer = self._layer
        return _lib.create_q8(self._params.desc(layout), layer.qparams,
                              layer.weight.ctypes.data, _address(layer.bias),
                              self._isa)

    def __call__(self, input, *, threads=None):
        x = self._layer.input(input)
        handle = self._handle(x.layout)
        out, ptr = self._params.output(x, self._layer.output_dtype)
        n, _, h, w = x.shape
        if n:
            pool = _pool.get(self._threads if threads is None
                             else _pool.threads_arg(threads))
            _lib.check(_lib.C.simdconv_run_q8(handle, n, h, w, x.ptr, ptr,
                                              None, 0, pool),
                       "simdconv_run_q8")
        return out

    @classmethod
    def from_torch(cls, module, *, input_scale, input_zero_point,
                   input_dtype="uint8", isa=None, threads=None):
        """A QConv2d from a torch quantized Conv2d
        (torch.ao.nn.quantized.Conv2d, qint8 weights with zero point 0,
        per tensor or per channel): its int8 weights, weight scales and
        output quantization, its float bias through quantize_bias(). The
        input's quantization (the previous layer's output) is given."""
        import torch
        w = module.weight()
        if w.qscheme() in (torch.per_channel_affine,
                           torch.per_channel_symmetric):
            scales = w.q_per_channel_scales().float()
            zero = bool((w.q_per_channel_zero_points() == 0).all())
        else:
            scales, zero = [w.q_scale()], w.q_zero_point() == 0
        if w.dtype != torch.qint8 or not zero:
            raise ValueError("simdconv: QConv2d.from_torch needs qint8 "
                             "weights with zero point 0")
        b = module.bias()
        bias = (None if b is None
                else quantize_bias(b.float(), input_scale, scales))
        return cls(w.int_repr(), bias, module.stride, module.padding,
                   module.dilation, module.groups, module.padding_mode,
                   input_scale=input_scale, input_zero_point=input_zero_point,
                   weight_scale=scales, output_scale=float(module.scale),
                   output_zero_point=int(module.zero_point),
                   input_dtype=input_dtype, isa=isa, threads=threads)

    def __reduce__(self):
        # Packed objects are process-local: copies and pickles re-pack.
        layer = self._layer
        weight = layer.weight
        if self._params.weight_layout == "ohwi":
            weight = weight.transpose(0, 3, 1, 2)
        quant = dict(self._quant, weight_scale=layer.scales)
        return (_rebuild, (weight, layer.bias, self._conv_args, quant,
                           self._isa_name, self._threads))

    def __repr__(self):
        p = self._params
        return ("simdconv.QConv2d(%d, %d, kernel_size=%s, %s -> %s, isa=%r)"
                % (p.in_channels, p.out_channels, p.kernel_size,
                   self._layer.input_dtype, self._layer.output_dtype,
                   self._isa_name))


def _rebuild(weight, bias, conv_args, quant, isa, threads):
    return QConv2d(weight, bias, isa=isa, threads=threads, **conv_args,
                   **quant)


def conv2d_q8(input, weight, bias=None, stride=1, padding=0, dilation=1,
              groups=1, padding_mode="zeros", *, input_scale,
              input_zero_point, weight_scale, output_scale, output_zero_point,
              output_dtype=None, clamp=None, activation=None, flip=False,
              isa=None, threads=None):
    """The int8 convolution (ONNX QLinearConv), computed by simdconv.

    input:  N x C x H x W (or C x H x W), uint8 or int8, numpy or CPU torch,
            NCHW or channels_last memory; the output has its type and
            layout, dtype output_dtype (default: the input's).
    weight: K x C/groups x R x S int8 (zero point 0).
    bias:   K int32 values at scale input_scale * weight_scale[k], or None.
    input_scale, input_zero_point: the input's quantization (zero padding
            pads with the zero point).
    weight_scale: one scale, or K (per output channel).
    output_scale, output_zero_point: the output's quantization.
    clamp:  None or (qmin, qmax), bounds in the output's integer domain.
    activation: None, 'relu', 'relu6' or ('clamp', min, max) in real
            values (turned into quantized bounds); others are rejected.
    The geometry arguments, isa and threads are conv2d()'s. Every ISA and
    thread count gives the same bytes, those of reference_q8().
    """
    dtype = _input_dtype(input)
    layer = QConv2d(weight, bias, stride, padding, dilation, groups,
                    padding_mode, input_scale=input_scale,
                    input_zero_point=input_zero_point,
                    weight_scale=weight_scale, output_scale=output_scale,
                    output_zero_point=output_zero_point, input_dtype=dtype,
                    output_dtype=output_dtype, clamp=clamp,
                    activation=activation, flip=flip, isa=isa,
                    threads=threads)
    try:
        return layer(input)
    finally:
        layer.close()


def reference_q8(input, weight, bias=None, stride=1, padding=0, dilation=1,
                 groups=1, padding_mode="zeros", *, input_scale,
                 input_zero_point, weight_scale, output_scale,
                 output_zero_point, output_dtype=None, clamp=None,
                 activation=None, flip=False, return_acc=False):
    """simdconv's exact oracle (int64 sums, then the requantization) for
    conv2d_q8()'s arguments: the output it must give. With return_acc, also
    the exact sums (bias included) as int64 in the output's shape."""
    dtype = _input_dtype(input)
    layer = _QLayer(weight, bias, dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups,
        padding_mode=padding_mode, activation=activation, flip=flip), _quant(
        input_scale, input_zero_point, weight_scale, output_scale,
        output_zero_point, dtype, output_dtype, clamp))
    x = layer.input(input)
    out, ptr = layer.params.output(x, layer.output_dtype)
    acc, acc_ptr = layer.params.output(x, "int64")
    n, _, h, w = x.shape
    if n:
        _lib.check(_lib.C.simdconv_reference_q8(
            ctypes.byref(layer.params.desc(x.layout)),
            ctypes.byref(layer.qparams), n, h, w, x.ptr,
            layer.weight.ctypes.data, _address(layer.bias), ptr, acc_ptr),
            "simdconv_reference_q8")
    return (out, acc) if return_acc else out


def quantize_bias(bias, input_scale, weight_scale):
    """A float bias as the int32 bias of conv2d_q8(): round(bias[k] /
    (input_scale * weight_scale[k])) (double, ties to even, saturated):
    simdconv_quantize_bias."""
    if _arrays._torch_of(bias) is not None:
        bias = bias.detach().numpy()
    b = np.ascontiguousarray(np.asarray(bias, np.float32).reshape(-1))
    scales = _weight_scales(weight_scale, b.size)
    out = np.empty(b.size, np.int32)
    _lib.check(_lib.C.simdconv_quantize_bias(
        b.ctypes.data, b.size, float(input_scale), scales.ctypes.data,
        scales.size, out.ctypes.data), "simdconv_quantize_bias")
    return out
