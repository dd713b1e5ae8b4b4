"""Python's cyclic garbage collector, paused around allocation-heavy work that builds no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off for one batch: a batch allocates a few containers per recipient, none in
    a cycle (reference counting frees them), and the collector's passes, some over the server's whole heap,
    cost more than the batch itself. Sends run one at a time on the jobs thread; it is on again after (unless
    it was off already)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
