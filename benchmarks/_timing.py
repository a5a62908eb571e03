"""Shared timing helper for the benchmarks."""

import statistics
import time


def median_time(fn, repeats: int, *, warmup: bool = False) -> float:
    """Median wall time (s) of `repeats` calls of `fn`, after one untimed call when `warmup` is set."""
    if warmup:
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
