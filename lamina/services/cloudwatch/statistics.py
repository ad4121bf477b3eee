"""Statistics of a period's data points: the five standard ones and percentile-style extended ones.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
Supported extended statistics: ``pNN`` (percentile) and ``tmNN`` / ``TM(a%:b%)`` (trimmed mean).
"""

from __future__ import annotations

import re

from lamina.services.cloudwatch import distribution
from lamina.services.cloudwatch.datapoints import Aggregate

STANDARD = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100)$")
_TRIMMED = re.compile(r"^tm(\d{1,2}(?:\.\d{1,10})?)$", re.IGNORECASE)
_TRIMMED_RANGE = re.compile(r"^TM\((\d{1,3}(?:\.\d+)?)%:(\d{1,3}(?:\.\d+)?)%\)$", re.IGNORECASE)


def is_valid(stat: str) -> bool:
    return stat in STANDARD or bool(_PERCENTILE.match(stat) or _TRIMMED.match(stat) or _TRIMMED_RANGE.match(stat))


def needs_distribution(stats: list[str]) -> bool:
    return any(stat not in STANDARD for stat in stats)


def value(stat: str, agg: Aggregate) -> float | None:
    if agg.count <= 0 and stat != "SampleCount":
        return None
    if stat == "SampleCount":
        return agg.count
    if stat == "Sum":
        return agg.total
    if stat == "Average":
        return agg.total / agg.count
    if stat == "Minimum":
        return agg.low
    if stat == "Maximum":
        return agg.high
    found = _PERCENTILE.match(stat)
    if found:
        return distribution.percentile(agg.dist, float(found.group(1))) if agg.dist else None
    found = _TRIMMED.match(stat)
    if found:
        return distribution.trimmed_mean(agg.dist, 0.0, float(found.group(1))) if agg.dist else None
    found = _TRIMMED_RANGE.match(stat)
    if found:
        return distribution.trimmed_mean(agg.dist, float(found.group(1)), float(found.group(2))) if agg.dist else None
    raise ValueError(stat)
