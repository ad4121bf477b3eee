"""Rolling old data points up into coarser ones, so a metric's storage stays bounded.

CloudWatch keeps 1-second points for 3 hours, 1-minute points for 15 days, 5-minute points for
63 days and 1-hour points for 455 days
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention).
Each step merges points older than its age into one point per series, unit and coarser period
(sums and counts add, extremes and distributions merge); points older than 455 days are deleted.
A 1-second metric thus holds at most about 10,800 + 21,600 + 17,000 + 9,400 points, however long it runs.
"""

from __future__ import annotations

from lamina.services.cloudwatch import distribution
from lamina.services.cloudwatch.datapoints import Aggregate
from lamina.store.base import Store

TIERS = ((60, 3 * 3600), (300, 15 * 86400), (3600, 63 * 86400))  # (new resolution, age in seconds)
KEEP = 455 * 86400
SLICE = 6 * 3600  # seconds of one series' data merged per transaction


def roll_up(db: Store, now: float) -> int:
    """Merge and delete what has aged; returns the number of rows removed. Works series by series,
    so every statement reads one stretch of the (series, ts) index."""
    removed = 0
    for (series,) in db.query("SELECT id FROM metric_series"):
        for resolution, age in TIERS:
            cutoff = int((now - age) // resolution * resolution)
            oldest = db.query("SELECT MIN(ts) FROM metric_points WHERE series = ? AND ts < ? AND res < ?",
                              (series, cutoff, resolution))[0][0]
            if oldest is None:
                continue
            start = oldest // resolution * resolution
            while start < cutoff:
                end = min(start + max(SLICE, resolution), cutoff)
                removed += _merge(db, series, resolution, start, end)
                start = end
        removed += db.execute("DELETE FROM metric_points WHERE series = ? AND ts < ?", (series, int(now - KEEP)))
    return removed


def _merge(db: Store, series: int, resolution: int, start: int, end: int) -> int:
    with db.transaction():
        rows = db.query("SELECT ts, unit, count, total, low, high, dist FROM metric_points "
                        "WHERE series = ? AND ts >= ? AND ts < ? AND res < ?", (series, start, end, resolution))
        if not rows:
            return 0
        merged: dict[tuple[int, str], Aggregate] = {}
        for ts, unit, count, total, low, high, dist in rows:
            key = (ts // resolution * resolution, unit)
            merged.setdefault(key, Aggregate()).add(count, total, low, high, distribution.loads(dist), unit)
        db.execute("DELETE FROM metric_points WHERE series = ? AND ts >= ? AND ts < ? AND res < ?",
                   (series, start, end, resolution))
        db.executemany(
            "INSERT INTO metric_points (series, ts, res, unit, count, total, low, high, dist) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(series, ts, resolution, unit, a.count, a.total, a.low, a.high, distribution.dumps(a.dist))
             for (ts, unit), a in merged.items()])
    return len(rows) - len(merged)
