"""numpy arrays and torch tensors as the library sees them: an address, a
logical N x C x H x W shape and a memory layout.

The library reads NCHW or NHWC memory, which is exactly what a C-contiguous
or a channels_last tensor holds, so both are passed without a copy; anything
else is copied once into NCHW. Outputs take the input's type and layout.
torch is never imported here: a tensor can only exist if the caller already
imported it, so sys.modules tells.
"""
import sys

import numpy as np

NCHW, NHWC = "nchw", "nhwc"


def _torch_of(x):
    """The torch module if x is a torch.Tensor, else None."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        return torch
    return None


def _check_float32(dtype, name, f32):
    if dtype != f32:
        raise TypeError("simdconv: %s must be float32, got %s (simdconv "
                        "computes in fp32 only; convert with .float() or "
                        ".astype(numpy.float32))" % (name, dtype))


def _check_dtype(dtype, name, allowed, module):
    """dtype is one of the names in allowed (float32 by default)."""
    if allowed == ("float32",):
        return _check_float32(dtype, name, module.float32)
    if all(dtype != getattr(module, a) for a in allowed):
        raise TypeError("simdconv: %s must be %s, got %s"
                        % (name, " or ".join(allowed), dtype))


def _check_ndim(shape, name, ndims):
    if len(shape) not in ndims:
        raise ValueError("simdconv: %s must have %s dimensions, got shape %s"
                         % (name, " or ".join(map(str, ndims)), tuple(shape)))


def _torch_memory(t, torch):
    """(tensor whose memory is NCHW or NHWC, layout)."""
    if t.is_contiguous():
        return t, NCHW
    if t.is_contiguous(memory_format=torch.channels_last):
        return t, NHWC
    return t.contiguous(), NCHW


def _numpy_memory(a):
    if a.flags.c_contiguous:
        return a, NCHW
    if a.transpose(0, 2, 3, 1).flags.c_contiguous:
        return a, NHWC
    return np.ascontiguousarray(a), NCHW


class Tensor4:
    """A 4-D operand: .array (what keeps the memory alive), .ptr, .shape
    (N, C, H, W whatever the memory order), .layout, .torch (the module, or
    None for numpy) and .unbatched (a 3-D C x H x W input, as F.conv2d
    accepts)."""
    __slots__ = ("array", "shape", "layout", "torch", "unbatched")

    def __init__(self, x, name, allow_unbatched=False, dtypes=("float32",)):
        torch = _torch_of(x)
        ndims = (3, 4) if allow_unbatched else (4,)
        if torch is not None:
            _check_dtype(x.dtype, name, dtypes, torch)
            if not x.is_cpu:
                raise ValueError("simdconv: %s is on %s; simdconv runs on "
                                 "the CPU" % (name, x.device))
            _check_ndim(x.shape, name, ndims)
            self.unbatched = x.dim() == 3
            self.array, self.layout = _torch_memory(
                x.unsqueeze(0) if self.unbatched else x, torch)
        elif isinstance(x, np.ndarray):
            _check_dtype(x.dtype, name, dtypes, np)
            _check_ndim(x.shape, name, ndims)
            self.unbatched = x.ndim == 3
            self.array, self.layout = _numpy_memory(
                x[None] if self.unbatched else x)
        else:
            raise TypeError("simdconv: %s must be a numpy.ndarray or a "
                            "torch.Tensor, got %s" % (name, type(x).__name__))
        self.torch = torch
        self.shape = tuple(self.array.shape)

    @property
    def ptr(self):
        # numpy's .ctypes costs a microsecond: only for operands passed on
        if self.torch is not None:
            return self.array.data_ptr()
        return self.array.ctypes.data

    def empty(self, channels, height, width, dtype="float32"):
        """A new output of N x channels x height x width with this operand's
        type and layout: (the object to return, its address)."""
        n = self.shape[0]
        if self.torch is not None:
            fmt = (self.torch.channels_last if self.layout == NHWC
                   else self.torch.contiguous_format)
            out = self.torch.empty((n, channels, height, width),
                                   dtype=getattr(self.torch, dtype),
                                   memory_format=fmt)
            ptr = out.data_ptr()
        elif self.layout == NHWC:
            mem = np.empty((n, height, width, channels), dtype)
            out, ptr = mem.transpose(0, 3, 1, 2), mem.ctypes.data
        else:
            out = np.empty((n, channels, height, width), dtype)
            ptr = out.ctypes.data
        return (out[0] if self.unbatched else out), ptr


def _in_layout(a, torch, layout):
    """Whether the memory of a 4-D array or tensor is in `layout`."""
    if torch is not None:
        if layout == NHWC:
            return a.is_contiguous(memory_format=torch.channels_last)
        return a.is_contiguous()
    if layout == NHWC:
        return a.transpose(0, 2, 3, 1).flags.c_contiguous
    return a.flags.c_contiguous


def _copy_to_layout(a, torch, layout):
    if torch is not None:
        return a.contiguous(memory_format=torch.channels_last
                            if layout == NHWC else torch.contiguous_format)
    if layout == NHWC:
        return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(
            0, 3, 1, 2)
    return np.ascontiguousarray(a)


def like_output(a, name, x, shape, writable=False):
    """A residual (read) or out= (written) operand of an output of `shape`
    (N, K, OH, OW) for input x: (the 4-D array or tensor whose memory the
    library gets, its address).

    Either type (numpy or torch) whatever the input's, float32, on the CPU,
    of the output's logical shape (K x OH x OW for an unbatched input). The
    library reads and writes the output's memory layout (the input's): a
    residual in another memory order is copied once; out= must already be
    in it (it is written where it is) and writable."""
    torch = _torch_of(a)
    if torch is not None:
        _check_float32(a.dtype, name, torch.float32)
        if not a.is_cpu:
            raise ValueError("simdconv: %s is on %s; simdconv runs on the "
                             "CPU" % (name, a.device))
    elif isinstance(a, np.ndarray):
        _check_float32(a.dtype, name, np.float32)
    else:
        raise TypeError("simdconv: %s must be None, a numpy.ndarray or a "
                        "torch.Tensor, got %s" % (name, type(a).__name__))
    want = tuple(shape[1:]) if x.unbatched else tuple(shape)
    if tuple(a.shape) != want:
        raise ValueError("simdconv: %s must have the output's shape %s, got "
                         "%s" % (name, want, tuple(a.shape)))
    if x.unbatched:
        a = a.unsqueeze(0) if torch is not None else a[None]
    if writable:
        if torch is not None and a.requires_grad and torch.is_grad_enabled():
            raise ValueError("simdconv: %s requires grad; simdconv writes it "
                             "without autograd (use torch.no_grad())" % name)
        if torch is None and not a.flags.writeable:
            raise ValueError("simdconv: %s is read-only" % name)
        if not _in_layout(a, torch, x.layout):
            raise ValueError(
                "simdconv: %s must be in the output's memory layout, %s (the "
                "input's), as %s" % (name, x.layout, (
                    "a channels_last tensor" if torch is not None else
                    "an NHWC array seen through .transpose(0, 3, 1, 2)")
                    if x.layout == NHWC else "a contiguous " + (
                        "tensor" if torch is not None else "array")))
    elif not _in_layout(a, torch, x.layout):
        a = _copy_to_layout(a, torch, x.layout)
    return a, (a.data_ptr() if torch is not None else a.ctypes.data)


def weights(w, transposed=False, dtypes=("float32",)):
    """(numpy array in OIHW or OHWI memory order, its layout name, logical
    K x C/groups x R x S shape) of a weight array or tensor of one of
    `dtypes`; transposed: (IOHW memory, "iohw", C x K/groups x R x S),
    channels_last memory copied (the library has no IHWO layout)."""
    t = Tensor4(w, "weight", dtypes=dtypes)
    mem = t.array.detach().numpy() if t.torch is not None else t.array
    if transposed:
        return np.ascontiguousarray(mem), "iohw", t.shape
    if t.layout == NHWC:
        return np.ascontiguousarray(mem.transpose(0, 2, 3, 1)), "ohwi", t.shape
    return mem, "oihw", t.shape


def bias(b, out_channels):
    """The bias as a contiguous float32 numpy vector, or None."""
    if b is None:
        return None
    torch = _torch_of(b)
    if torch is not None:
        _check_float32(b.dtype, "bias", torch.float32)
        b = b.detach().numpy()
    elif isinstance(b, np.ndarray):
        _check_float32(b.dtype, "bias", np.float32)
    else:
        raise TypeError("simdconv: bias must be None, a numpy.ndarray or a "
                        "torch.Tensor, got %s" % type(b).__name__)
    if b.shape != (out_channels,):
        raise ValueError("simdconv: bias must have shape (%d,) for %d output "
                         "channels, got %s" % (out_channels, out_channels,
                                               b.shape))
    return np.ascontiguousarray(b)
