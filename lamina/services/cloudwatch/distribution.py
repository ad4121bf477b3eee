"""The values behind percentile statistics: a map value -> count, kept small.

A data point keeps its exact values while there are few of them; past ``MAX_KEYS`` distinct
values they are put in buckets about 1% wide (on a log scale), so rolled-up points stay small
and percentiles stay within about 1%, as CloudWatch's own percentiles are approximations.
"""

from __future__ import annotations

import math
from typing import Iterable

import orjson

Distribution = dict[float, float]
MAX_KEYS = 200
_GROWTH = math.log(1.01)


def bucket(value: float) -> float:
    """The value that stands for ``value``'s bucket (about 1 % wide, on a log scale)."""
    if value == 0:
        return 0.0
    sign = 1.0 if value > 0 else -1.0
    index = round(math.log(abs(value)) / _GROWTH)
    return sign * math.exp(index * _GROWTH)


def add(target: Distribution, values: Iterable[tuple[float, float]]) -> Distribution:
    # Once a distribution holds MAX_KEYS values it is kept in buckets: new values go straight into
    # theirs (bucketing a bucket's value gives the same bucket), so it is squeezed only once.
    bucketed = len(target) >= MAX_KEYS
    for value, count in values:
        key = bucket(value) if bucketed else value
        target[key] = target.get(key, 0.0) + count
    if not bucketed and len(target) > MAX_KEYS:
        squeezed: Distribution = {}
        for value, count in target.items():
            key = bucket(value)
            squeezed[key] = squeezed.get(key, 0.0) + count
        return squeezed
    return target


def percentile(dist: Distribution, p: float) -> float | None:
    total = sum(dist.values())
    if total <= 0:
        return None
    rank = max(p / 100.0 * total, 1e-12)
    seen = 0.0
    for value in sorted(dist):
        seen += dist[value]
        if seen >= rank - 1e-9:
            return value
    return max(dist)


def trimmed_mean(dist: Distribution, low: float, high: float) -> float | None:
    """The mean of the values between the ``low`` and ``high`` percentiles (CloudWatch's TM)."""
    lo, hi = percentile(dist, low) if low > 0 else -math.inf, percentile(dist, high)
    if hi is None or lo is None:
        return None
    kept = [(v, c) for v, c in dist.items() if lo <= v <= hi]
    count = sum(c for _, c in kept)
    return sum(v * c for v, c in kept) / count if count else None


def dumps(dist: Distribution | None) -> bytes | None:
    return orjson.dumps([[v, c] for v, c in dist.items()]) if dist else None


def loads(blob: bytes | None) -> Distribution:
    return {float(v): float(c) for v, c in orjson.loads(blob)} if blob else {}
