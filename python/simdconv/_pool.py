"""The module's pthreadpools: one per thread count, created on first use and
destroyed at interpreter exit.

A pool is reused by every call with the same thread count: creating one
starts its threads, which costs far more than a small convolution.
pthreadpool serialises concurrent jobs on one pool, so sharing is safe when
Python threads call in at once (ctypes releases the GIL during the call).
"""
import atexit
import ctypes
import ctypes.util
import threading

from . import _lib


def _functions():
    # libsimdconv links pthreadpool, so its handle resolves the symbols;
    # load the library by name only if that ever stops being true.
    try:
        create, destroy = (_lib.C.pthreadpool_create,
                           _lib.C.pthreadpool_destroy)
    except AttributeError:
        lib = ctypes.CDLL(ctypes.util.find_library("pthreadpool")
                          or "libpthreadpool.so.0")
        create, destroy = lib.pthreadpool_create, lib.pthreadpool_destroy
    create.restype, create.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    destroy.restype, destroy.argtypes = None, [ctypes.c_void_p]
    return create, destroy


_create, _destroy = _functions()
_pools = {}
_lock = threading.Lock()


def threads_arg(threads):
    """Validates a threads= argument: None or a positive int."""
    if threads is None:
        return 1
    if isinstance(threads, bool) or not isinstance(threads, int) \
            or threads < 1:
        raise ValueError("threads must be a positive int or None, got %r"
                         % (threads,))
    return threads


def get(threads):
    """The pool for this many threads; None (the calling thread) for 1."""
    if threads == 1:
        return None
    pool = _pools.get(threads)
    if pool is None:
        with _lock:
            pool = _pools.get(threads)
            if pool is None:
                pool = _create(threads)
                if not pool:
                    raise MemoryError("pthreadpool_create(%d) failed"
                                      % threads)
                _pools[threads] = pool
    return pool


@atexit.register
def close_all():
    """Destroys every pool (joins its threads)."""
    with _lock:
        for pool in _pools.values():
            _destroy(pool)
        _pools.clear()
