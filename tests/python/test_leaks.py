"""No leak over 10,000 calls: Python objects (tracemalloc), the library's
own memory (a counting allocator handed to every object the package
creates) and the process as a whole (resident set)."""
import ctypes
import gc
import os
import threading
import tracemalloc

import numpy as np
import torch

import simdconv
from simdconv import _lib

CALLS = 10000
_libc = ctypes.CDLL(None)
_libc.posix_memalign.argtypes = [ctypes.POINTER(ctypes.c_void_p),
                                 ctypes.c_size_t, ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]


class CountingAllocator:
    """A simdconv_allocator over posix_memalign that counts what is live."""

    def __init__(self):
        self.allocs = self.frees = 0
        self._lock = threading.Lock()
        self._fns = (_lib.ALLOC_FN(self._alloc), _lib.FREE_FN(self._free))
        self.struct = _lib.Allocator(*self._fns, None)

    @property
    def live(self):
        return self.allocs - self.frees

    def _alloc(self, ctx, size, alignment):
        p = ctypes.c_void_p()
        align = max(alignment, ctypes.sizeof(ctypes.c_void_p))
        if _libc.posix_memalign(ctypes.byref(p), align, size or 1) != 0:
            return None
        with self._lock:
            self.allocs += 1
        return p.value

    def _free(self, ctx, ptr):
        if ptr:
            _libc.free(ptr)
            with self._lock:
                self.frees += 1


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_no_leak_over_10000_calls(monkeypatch):
    counting = CountingAllocator()
    monkeypatch.setattr(_lib, "allocator", counting.struct)
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (1, 4, 8, 8)).astype(np.float32)
    w = rng.uniform(-1, 1, (4, 4, 3, 3)).astype(np.float32)
    b = rng.uniform(-1, 1, 4).astype(np.float32)
    xt = torch.from_numpy(x).to(memory_format=torch.channels_last)
    layer = simdconv.Conv2d(w, b, padding=1)

    def calls(n):
        """The four paths in turn: one-shot, prepacked (now and then with a
        pool: on a loaded 2-core host a pool's wake-ups cost milliseconds),
        the oracle, and a one-shot call that fails in the library."""
        for i in range(n):
            kind = i % 4
            if kind == 0:
                simdconv.conv2d(x, w, b, padding=1, activation="gelu")
            elif kind == 1:
                layer(xt, threads=2 if i % 100 == 1 else 1)
            elif kind == 2:
                simdconv.error_bound(xt, w, b, padding="same")
            else:
                try:
                    simdconv.conv2d(x, w, padding=8, padding_mode="reflect")
                except simdconv.SimdconvError:
                    pass

    calls(400)  # warm-up: pools, caches, torch's allocator
    gc.collect()
    tracemalloc.start()
    py_before, rss_before = tracemalloc.get_traced_memory()[0], _rss_bytes()
    live_before, allocs_before = counting.live, counting.allocs
    calls(CALLS)
    gc.collect()
    py_grown = tracemalloc.get_traced_memory()[0] - py_before
    tracemalloc.stop()
    rss_grown = _rss_bytes() - rss_before
    assert counting.allocs - allocs_before >= CALLS // 2  # really counted
    assert counting.live == live_before, "library blocks still allocated"
    assert py_grown < 64 * 1024, "Python memory grew by %d bytes" % py_grown
    assert rss_grown < 8 << 20, "resident set grew by %d bytes" % rss_grown
    layer.close()
    assert counting.live == 0
