"""Exact statistics from raw samples: percentiles, summaries, P(lag <= t). No bucketing."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(samples: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0..100) of raw samples, interpolating linearly between the two
    nearest ranks (the "linear" method of numpy and of R's type 7). None when empty."""
    ordered = sorted(samples)
    if not ordered:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, not {q}")
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction


def median(samples: Iterable[float]) -> float | None:
    return percentile(samples, 50)


def latency_summary(samples_ms: Sequence[float]) -> dict:
    """n, p50, p95, p99, mean and max of latency samples in milliseconds."""
    if not samples_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    return {
        "n": len(samples_ms),
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "p99": percentile(samples_ms, 99),
        "mean": sum(samples_ms) / len(samples_ms),
        "max": max(samples_ms),
    }


def probability_within(samples: Sequence[float], limit: float) -> float | None:
    """The share of samples <= limit: P(lag <= t), the chance a read at t sees the write."""
    if not samples:
        return None
    return sum(1 for sample in samples if sample <= limit) / len(samples)


def probability_curve(samples: Sequence[float], limits: Sequence[float]) -> list[tuple]:
    """(t, P(sample <= t)) for each t: the empirical distribution function at those points."""
    return [(limit, probability_within(samples, limit)) for limit in limits]


def curve_points(samples: Sequence[float], *, count: int = 60) -> list[float]:
    """Points to evaluate a curve at: 0 up to just past the largest sample, evenly spaced."""
    if not samples:
        return []
    top = max(samples) * 1.05 or 1.0
    return [top * index / (count - 1) for index in range(count)]


def rate(count: int, seconds: float) -> float | None:
    """Events per second, None when no time passed."""
    return count / seconds if seconds > 0 else None
