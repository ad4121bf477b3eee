"""Ageing metric data, so a metric's storage stays bounded.

CloudWatch keeps 1-second points for 3 hours, 1-minute points for 15 days, 5-minute points for
63 days and 1-hour points for 455 days
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention).
One-second points are already summed per minute in ``metric_summary`` as they are written, so
after 3 hours they are simply deleted; summary rows older than 15 days are merged into 5-minute
rows, older than 63 days into 1-hour rows (sums and counts add, extremes and distributions merge),
and deleted after 455 days. A 1-second metric thus holds at most about 10,800 + 21,600 + 13,800 +
9,400 rows, however long it runs.
"""

from __future__ import annotations

from lamina.services.cloudwatch import distribution
from lamina.services.cloudwatch.datapoints import Aggregate
from lamina.store.base import Store

RAW_AGE = 3 * 3600
TIERS = ((300, 15 * 86400), (3600, 63 * 86400))  # (new resolution, age in seconds)
KEEP = 455 * 86400
SLICE = 6 * 3600  # seconds of one series' data merged per transaction


def roll_up(db: Store, now: float) -> int:
    """Delete and merge what has aged; returns the number of rows removed. Works series by series,
    so every statement reads one stretch of the (series, ts) index."""
    removed = 0
    for (series,) in db.query("SELECT id FROM metric_series"):
        removed += db.execute("DELETE FROM metric_points WHERE series = ? AND ts < ?", (series, int(now - RAW_AGE)))
        for resolution, age in TIERS:
            cutoff = int((now - age) // resolution * resolution)
            oldest = db.query("SELECT MIN(ts) FROM metric_summary WHERE series = ? AND ts < ? AND res < ?",
                              (series, cutoff, resolution))[0][0]
            if oldest is None:
                continue
            start = oldest // resolution * resolution
            while start < cutoff:
                end = min(start + max(SLICE, resolution), cutoff)
                removed += _merge(db, series, resolution, start, end)
                start = end
        removed += db.execute("DELETE FROM metric_summary WHERE series = ? AND ts < ?", (series, int(now - KEEP)))
    return removed


def _merge(db: Store, series: int, resolution: int, start: int, end: int) -> int:
    with db.transaction():
        # Every row of the slice is read, coarse ones too, so the rows written back replace them all.
        rows = db.query("SELECT ts, unit, count, total, low, high, dist FROM metric_summary "
                        "WHERE series = ? AND ts >= ? AND ts < ?", (series, start, end))
        if not rows:
            return 0
        merged: dict[tuple[int, str], Aggregate] = {}
        for ts, unit, count, total, low, high, dist in rows:
            key = (ts // resolution * resolution, unit)
            merged.setdefault(key, Aggregate()).add(count, total, low, high, distribution.loads(dist), unit)
        db.execute("DELETE FROM metric_summary WHERE series = ? AND ts >= ? AND ts < ?", (series, start, end))
        db.executemany(
            "INSERT INTO metric_summary (series, ts, res, unit, count, total, low, high, dist) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(series, ts, resolution, unit, a.count, a.total, a.low, a.high, distribution.dumps(a.dist))
             for (ts, unit), a in merged.items()])
    return len(rows) - len(merged)
