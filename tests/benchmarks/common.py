"""Helpers shared by the benchmark modules."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_median_seconds(
    fn: Callable[[], object], peer: Callable[[], object], repeat: int = 15, warmup: int = 1
) -> tuple[float, float]:
    """Median seconds of ``fn`` and of ``peer``, timed in turns.

    Taking turns puts both through the same spells of load from the rest of
    the machine, which timing one after the other does not.
    """
    for _ in range(warmup):
        fn()
        peer()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, spent in ((fn, times[0]), (peer, times[1])):
            start = time.perf_counter()
            call()
            spent.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def line(name: str, value: float, unit: str, peer: tuple[str, float] | None = None) -> str:
    """``name: value unit`` plus the peer's figure and the ratio value / peer."""
    text = f"{name}: {value:.4g} {unit}"
    if peer is not None:
        peer_name, peer_value = peer
        ratio = value / peer_value if peer_value else float("inf")
        text += f" (peer {peer_name}: {peer_value:.4g} {unit}, ratio {ratio:.3g})"
    return text
