#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_conv.c (its input layout is
documented at the top of that file): one input per kernel family and plan,
padding mode, activation, data kind, caller FP mode and probe, plus invalid
descriptors and extreme sizes. File names are the SHA-1 of the contents, as
libFuzzer names them.

    python3 tests/fuzz/make_corpus.py tests/fuzz/corpus
"""
import hashlib
import itertools
import os
import struct
import sys

# fuzz_conv.c's dim_special[]: 0xf0 + index.
SPECIAL = [0, 1, 2, 3, 7, 8, 16, 17, 33, 64, 65, 50000, 1 << 30,
           (1 << 31) - 2, (1 << 31) - 1]
MODES = {"zeros": 0, "reflect": 1, "replicate": 2, "circular": 3}
ACTS = {"none": 0, "clamp": 1, "sigmoid": 2, "tanh": 3, "silu": 4,
        "gelu": 5, "gelu_tanh": 6, "invalid": 0xff}


def dim(v, lo, n):
    """One dim field: a small value, a special, or a raw 32-bit value."""
    if lo <= v < lo + min(n, 0xf0):
        return bytes([v - lo])
    if v in SPECIAL:
        return bytes([0xf0 + SPECIAL.index(v)])
    return b"\xff" + struct.pack("<I", v & 0xffffffff)


def encode(groups=1, depthwise=False, cg=3, kg=8, R=3, S=3, stride=(1, 1),
           dil=(1, 1), padding=0, pads=(1, 1, 1, 1), mode="zeros", nhwc=0,
           ohwi=0, flip=0, bias=1, act="none", act_min=-4, act_span=40,
           corrupt=0, N=1, H=6, W=7, isa=0, fp=0, worker=0, seed=1,
           kinds=(0, 0, 0), probes=0, transposed=None):
    """transposed: None (forward, no byte), or a dict of out_pad=(h, w),
    iohw, keep_mode, or forward_out_pad (the transposed byte)."""
    if depthwise:
        shape = 3 | ((groups - 1) % 24) << 2
        chans = dim(1, 1, 1) + dim(kg, 1, 3)
    else:
        shape = (2 | ((groups - 2) % 3) << 2) if groups > 1 else 0
        chans = dim(cg, 1, 8) + dim(kg, 1, 64)
    out = bytes([shape]) + chans
    out += dim(R, 1, 7) + dim(S, 1, 7)
    out += dim(stride[0], 1, 3) + dim(stride[1], 1, 3)
    out += dim(dil[0], 1, 3) + dim(dil[1], 1, 3)
    out += bytes([padding]) + b"".join(dim(p, 0, 5) for p in pads)
    flags = MODES[mode] | nhwc << 2 | ohwi << 3 | flip << 4 | bias << 5
    out += bytes([flags, ACTS[act], act_min & 0xff, act_span, corrupt])
    out += bytes([N - 1]) + dim(H, 1, 16) + dim(W, 1, 16)
    out += bytes([isa, fp | worker << 7]) + struct.pack("<Q", seed)
    out += bytes(kinds) + bytes([probes])
    if transposed is not None:
        t = transposed
        if t.get("forward_out_pad"):
            out += bytes([0x80])
        else:
            oh, ow = t.get("out_pad", (0, 0))
            out += bytes([1 | oh << 1 | ow << 3 | t.get("iohw", 0) << 5 |
                          t.get("keep_mode", 0) << 6])
    return out


def seeds():
    # Kernel families and plans, both layouts.
    fams = [
        dict(cg=3, kg=8),                                # igemm merged, 8x16
        dict(cg=8, kg=40, R=1, S=1, pads=(0, 0, 0, 0)),  # NCHW GEMM / 6x64
        dict(cg=8, kg=24, R=1, S=1, stride=(2, 2), pads=(0, 0, 0, 0)),
        dict(cg=8, kg=20, dil=(2, 2), pads=(2, 2, 2, 2)),  # unmerged
        dict(cg=40, kg=9, H=4, W=5),                     # Cg >= 32
        dict(cg=8, kg=64, R=1, S=1, H=3, W=5),           # 7x32 / 6x64
        dict(groups=4, cg=2, kg=4),                      # grouped ukernel
        dict(groups=2, cg=4, kg=3),                      # per-group GEMMs
        dict(depthwise=True, groups=16, kg=1, H=9, W=14),
        dict(depthwise=True, groups=8, kg=2, stride=(2, 2)),
        dict(depthwise=True, groups=12, kg=1, R=5, S=5, pads=(2, 2, 2, 2)),
        dict(depthwise=True, groups=4, kg=1, R=7, S=7, pads=(3, 3, 3, 3),
             H=9, W=9),
        dict(depthwise=True, groups=3, kg=1, H=5, W=120),  # NCHW rows
        dict(depthwise=True, groups=20, kg=1, H=4, W=6),   # NCHW flat
        dict(depthwise=True, groups=5, kg=3, R=2, S=4, dil=(2, 3)),
        # Depthwise rows of the specialised micro-kernels: 3x3 and 5x5 at
        # stride 1 and 2, wide enough for the NCHW row kernels.
        dict(depthwise=True, groups=16, kg=1, stride=(2, 2), H=9, W=130),
        dict(depthwise=True, groups=16, kg=1, R=5, S=5, pads=(2, 2, 2, 2),
             H=7, W=130),
        dict(depthwise=True, groups=16, kg=1, R=5, S=5, stride=(2, 2),
             pads=(2, 2, 2, 2), H=9, W=130),
        # Strided rows wide enough (OW >= 6 vectors) for the row kernels,
        # in a padding mode the zero-padding-only direct kernels do not take.
        dict(depthwise=True, groups=4, kg=1, stride=(2, 2), H=5, W=200,
             mode="reflect"),
        dict(depthwise=True, groups=4, kg=1, R=5, S=5, stride=(2, 2),
             pads=(2, 2, 2, 2), H=7, W=200, mode="replicate"),
        dict(depthwise=True, groups=24, kg=1, stride=(2, 2), H=11, W=40),
        dict(depthwise=True, groups=17, kg=1, R=5, S=5, stride=(2, 2),
             pads=(2, 2, 2, 2), H=9, W=48),
    ]
    for i, f in enumerate(fams):
        for nhwc in (0, 1):
            yield encode(nhwc=nhwc, seed=100 + i, isa=i, **f)
    # Padding modes x explicit / valid / same, activations, data kinds.
    for i, (mode, padding) in enumerate(itertools.product(MODES, (0, 1, 2))):
        yield encode(mode=mode, padding=padding, pads=(1, 2, 0, 1), seed=i,
                     nhwc=i % 2, ohwi=i // 2 % 2, flip=i // 3 % 2)
    for i, act in enumerate(a for a in ACTS if a != "invalid"):
        yield encode(act=act, kinds=(i % 7, 0, 0), seed=200 + i, N=2)
    for k in range(7):
        yield encode(kinds=(k, k, k), seed=300 + k, bias=k % 2)
        yield encode(kinds=(k, (k + 3) % 7, 3), seed=310 + k, act="gelu")
    # Caller FP modes, the pool worker in them or not.
    for fp, worker in itertools.product(range(10), (0, 1)):
        yield encode(fp=fp, worker=worker, kinds=(fp % 7, 0, 4), seed=400 + fp)
    # Probes: misaligned input, overlap, short workspace, NULL pointers,
    # misaligned weights and oracle buffers, allocator and ISAs; on each
    # ISA (index 2 is the best on an AVX-512 machine: a workspace).
    for p in range(1, 64):
        yield encode(probes=p, seed=500 + p, nhwc=p % 2, isa=p % 3)
    # Invalid descriptors, one per way fuzz_conv.c breaks them.
    for c in range(1, 10):
        yield encode(corrupt=c, seed=600 + c)
    yield encode(act="invalid")
    yield encode(act="clamp", act_min=20, act_span=0)
    # Statuses of the sizes: reflect/circular pads too large, empty output.
    yield encode(mode="reflect", pads=(7, 0, 0, 0), H=3)
    yield encode(mode="circular", pads=(0, 0, 8, 0), W=7)
    yield encode(R=7, S=7, pads=(0, 0, 0, 0), H=3, W=3)
    # Extreme geometry: pads, strides, dilations up to 2^31 - 1.
    M = (1 << 31) - 1
    yield encode(cg=1, kg=2, pads=(M, M, M, M), stride=(M, M), H=1, W=1)
    yield encode(cg=40, kg=2, pads=(M, M, M, M), stride=(M, M), H=1, W=1)
    yield encode(pads=(50000,) * 4, stride=(50000, 50000), H=3, W=3)
    yield encode(dil=(M, 1), pads=(M, M, 1, 1), stride=(M, 1), H=2, W=5)
    yield encode(R=M, S=M, pads=(M, M, M, M), stride=(M, M), H=1, W=1)
    yield encode(cg=M, kg=M, R=1, S=1, pads=(0, 0, 0, 0))  # size overflow
    yield encode(cg=1 << 30, kg=1 << 30, R=1, S=1, pads=(0, 0, 0, 0))  # OOM
    yield encode(H=M, W=M, N=3, R=1, S=1, pads=(0, 0, 0, 0))
    yield encode(H=0, W=5)
    # Transposed convolutions: the phase-decomposed igemm, depthwise,
    # grouped, output padding, IOHW weights, both layouts, the residual-free
    # epilogues, and the statuses only they have.
    tr = [
        dict(cg=3, kg=8, stride=(2, 2), R=4, S=4, transposed=dict(iohw=1)),
        dict(cg=4, kg=5, stride=(2, 2), transposed=dict(out_pad=(1, 1))),
        dict(cg=3, kg=4, stride=(3, 2), R=5, S=3, pads=(2, 1, 0, 1),
             transposed=dict(out_pad=(2, 1))),
        dict(cg=3, kg=5, stride=(2, 2), dil=(2, 1), pads=(1, 0, 1, 1),
             transposed=dict(out_pad=(1, 1))),
        dict(cg=8, kg=1, stride=(3, 3), R=9, S=9, pads=(4, 4, 4, 4), H=9,
             W=11, transposed=dict(out_pad=(2, 2))),      # few K (FSRCNN)
        dict(cg=16, kg=3, stride=(2, 2), R=4, S=4, H=8, W=9,
             transposed=dict(iohw=1)),                    # K = 3 (DCGAN)
        dict(groups=2, cg=3, kg=4, stride=(2, 2), transposed=dict()),
        dict(depthwise=True, groups=8, kg=1, R=4, S=4, stride=(2, 2),
             H=7, W=9, transposed=dict()),
        dict(depthwise=True, groups=4, kg=2, stride=(2, 2),
             transposed=dict(out_pad=(1, 0))),
        dict(cg=3, kg=8, padding=2, stride=(2, 2), transposed=dict()),
        dict(cg=5, kg=70, R=1, S=1, pads=(0, 0, 0, 0), H=1, W=1,
             transposed=dict()),                          # 1x1 input
    ]
    for i, f in enumerate(tr):
        for nhwc in (0, 1):
            yield encode(nhwc=nhwc, seed=700 + i, isa=i, act=list(ACTS)[i % 7],
                         **f)
    yield encode(stride=(2, 2), transposed=dict(out_pad=(2, 0)))  # >= stride
    yield encode(mode="reflect", transposed=dict(keep_mode=1))
    yield encode(padding=2, R=1, S=1, stride=(2, 2), transposed=dict())
    yield encode(transposed=dict(forward_out_pad=1))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"
    os.makedirs(out, exist_ok=True)
    n = 0
    for data in seeds():
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        n += 1
    print(f"{n} seeds in {out}")


if __name__ == "__main__":
    main()
