"""torch.nn integration: reproducible Conv2d layers for inference.

    import simdconv.torch
    model = simdconv.torch.replace_conv2d(model.eval())
    with torch.no_grad():
        y = model(x)        # the same bits on every ISA and thread count

Each torch.nn.Conv2d becomes a SimdConv2d with the same weights, bias,
stride, padding, padding_mode, dilation and groups. Only exact nn.Conv2d
instances are replaced: subclasses may change what forward() computes.
"""
import torch
from torch import nn

from ._conv import Conv2d

__all__ = ["SimdConv2d", "replace_conv2d"]


class SimdConv2d(nn.Module):
    """An nn.Conv2d for inference, computed by simdconv (float32, CPU).

    weight and bias are buffers sharing the original layer's storage, so
    state_dict() keeps its keys; the packed copy simdconv runs on is taken
    at construction, so later changes to them are not seen (build a new
    layer instead). No autograd: calling it on an input that requires a
    gradient while gradients are enabled raises RuntimeError.
    """

    def __init__(self, conv, *, isa=None, threads=None):
        super().__init__()
        if not isinstance(conv, nn.Conv2d):
            raise TypeError("SimdConv2d wraps a torch.nn.Conv2d, got %s"
                            % type(conv).__name__)
        for name in ("in_channels", "out_channels", "kernel_size", "stride",
                     "padding", "dilation", "groups", "padding_mode"):
            setattr(self, name, getattr(conv, name))
        self.register_buffer("weight", conv.weight.detach())
        self.register_buffer("bias", None if conv.bias is None
                             else conv.bias.detach())
        self.isa, self.threads = isa, threads
        self.conv = Conv2d.from_torch(conv, isa=isa, threads=threads)

    def forward(self, input):
        if input.requires_grad and torch.is_grad_enabled():
            raise RuntimeError("SimdConv2d is for inference and computes no "
                               "gradient; run under torch.no_grad() or "
                               "detach the input")
        return self.conv(input)

    def extra_repr(self):
        return ("%d, %d, kernel_size=%s, stride=%s, padding=%s, dilation=%s, "
                "groups=%d, bias=%s, padding_mode=%r, isa=%r, threads=%r"
                % (self.in_channels, self.out_channels, self.kernel_size,
                   self.stride, self.padding, self.dilation, self.groups,
                   self.bias is not None, self.padding_mode, self.isa,
                   self.threads))


def replace_conv2d(model, *, isa=None, threads=None):
    """Replaces every torch.nn.Conv2d in model (recursively, in place) by a
    SimdConv2d with the given isa and threads, and returns the model (a
    bare nn.Conv2d is returned as a new SimdConv2d). Raises TypeError for a
    layer that is not float32."""
    if type(model) is nn.Conv2d:
        return SimdConv2d(model, isa=isa, threads=threads)
    for name, child in model.named_children():
        setattr(model, name, replace_conv2d(child, isa=isa, threads=threads))
    return model
