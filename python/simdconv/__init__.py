"""simdconv: PyTorch's conv2d in fp32 with the same bits on every ISA.

    import simdconv
    y = simdconv.conv2d(x, w, b, stride=1, padding=1)   # as F.conv2d
    layer = simdconv.Conv2d(w, b, padding=1)            # prepacked weights
    ref = simdconv.reference(x, w, b, padding=1)        # exact, float64
    bound = simdconv.error_bound(x, w, b, padding=1)    # |y - ref| <= bound
    y = layer(x, residual=r, alpha=1.0)                 # act(conv(x) + r)
    layer(x, residual=r, out=r)                         # ... into r
    y = simdconv.conv_transpose2d(x, w, b, stride=2)    # F.conv_transpose2d
    simdconv.info(), simdconv.kernels()                 # ISAs and kernels
    y8 = simdconv.conv2d_q8(x8, w8, b32, input_scale=..., ...)  # int8

numpy arrays and CPU torch tensors, float32, NCHW or channels_last; the
result has the input's type and layout. simdconv.torch.replace_conv2d(model)
swaps a model's nn.Conv2d layers for simdconv ones (inference only).

int8 (ONNX QLinearConv): conv2d_q8, QConv2d, reference_q8 (the exact oracle)
and quantize_bias, on uint8/int8 arrays; the same bytes on every ISA.

The shared library is found through $SIMDCONV_LIBRARY, else the path
recorded by `meson install`, else the dynamic loader's search path.
"""
from ._lib import Kernel, SimdconvError
from ._conv import (Conv2d, ConvTranspose2d, conv2d, conv_transpose2d,
                    error_bound, reference)
from ._qconv import QConv2d, conv2d_q8, quantize_bias, reference_q8
from . import _lib

__all__ = ["conv2d", "Conv2d", "conv_transpose2d", "ConvTranspose2d",
           "reference", "error_bound", "info",
           "conv2d_q8", "QConv2d", "reference_q8", "quantize_bias",
           "kernels", "Kernel", "SimdconvError", "__version__"]

__version__ = _lib.C.simdconv_version_string().decode()


def info():
    """A dict describing the loaded library: 'version', 'library' (its
    path), 'isas_built', 'isas_supported', 'usable_isas' (what isa= accepts
    on this machine), 'isa_cap' (from $SIMDCONV_ISA), 'active_isa' (what
    isa=None uses), 'kernels' (kernels()) and 'registry_check' (None when
    every kernel table keeps its family's rules, else the library's
    description of the first violation: a bug in the build)."""
    return _lib.info()


def kernels():
    """Every kernel registered in the library, in dispatch order (ISAs best
    first; within an ISA, the order in which the planner tries them), as
    simdconv.Kernel named tuples: name, isa, family, tile_m, tile_n,
    layouts (('nchw', 'nhwc') or one of them), constraints (the layers it
    accepts, in words), rank (its place in its ISA's order) and usable
    (whether this machine runs its ISA). A name is what conv2d(kernel=) and
    Conv2d(kernel=) take."""
    return _lib.kernels()
