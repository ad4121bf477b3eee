"""Data points in a real SQLite store: statistics per period, percentiles, and the roll-up that bounds storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamina.services.cloudwatch import distribution, statistics
from lamina.services.cloudwatch.datapoints import MetricStore
from lamina.services.cloudwatch.rollup import roll_up
from lamina.store.sqlite import SqliteStore

DAY = 86400


@pytest.fixture
def metrics(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = SqliteStore(tmp_path / "db.sqlite")
    yield MetricStore(store)
    store.close()


def _series(metrics: MetricStore) -> int:
    found = metrics.series_id("a", "r", "NS", "M", None)
    assert found is not None
    return found


def test_one_second_points_aggregate_per_period(metrics: MetricStore) -> None:
    for second in range(120):
        metrics.add("a", "r", "NS", {"MetricName": "M", "Value": float(second), "Timestamp": 1_000_020 + second,
                                     "StorageResolution": 1})
    metrics.flush()
    buckets = metrics.buckets(_series(metrics), 1_000_020, 1_000_140, 60, None, False)
    assert {ts: (a.count, a.total, a.low, a.high) for ts, a in buckets.items()} == {
        1_000_020: (60.0, float(sum(range(60))), 0.0, 59.0), 1_000_080: (60.0, float(sum(range(60, 120))), 60.0, 119.0)}
    with_values = metrics.buckets(_series(metrics), 1_000_020, 1_000_140, 120, None, True)
    assert statistics.value("p50", with_values[1_000_020]) == 59.0
    assert statistics.value("p99", with_values[1_000_020]) == 118.0


def test_standard_resolution_points_land_on_the_minute(metrics: MetricStore) -> None:
    metrics.add("a", "r", "NS", {"MetricName": "M", "Value": 1.0, "Timestamp": 1_000_059})
    metrics.flush()
    assert list(metrics.buckets(_series(metrics), 0, 2_000_000, 1, None, False)) == [1_000_020]


def test_rollup_bounds_a_month_of_one_second_data(metrics: MetricStore) -> None:
    now = 40 * DAY
    db = metrics.db
    rows = [(1, ts, 1, "Count", 1.0, 2.0, 2.0, 2.0, distribution.dumps({2.0: 1.0}))
            for ts in range(now - 30 * DAY, now, 30)]  # every 30th second of a month, to keep the test quick
    metrics.add("a", "r", "NS", {"MetricName": "M", "Value": 2.0, "Timestamp": now, "StorageResolution": 1})
    metrics.flush()
    db.executemany("INSERT INTO metric_points (series, ts, res, unit, count, total, low, high, dist) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    before = metrics.buckets(_series(metrics), now - 30 * DAY, now + 1, 30 * DAY + 60, None, True)
    roll_up(db, now)
    count = db.query("SELECT COUNT(*) FROM metric_points")[0][0]
    # 3 h of raw points (one per 30 s), then 1-minute points to 15 days, 5-minute points beyond.
    assert count < 3 * 3600 / 30 + 15 * 1440 + 15 * 288 + 10
    after = metrics.buckets(_series(metrics), now - 30 * DAY, now + 1, 30 * DAY + 60, None, True)
    (b,), (a,) = before.values(), after.values()
    assert (a.count, a.total, a.low, a.high) == (b.count, b.total, b.low, b.high)
    assert statistics.value("p90", a) == 2.0
    assert set(r[0] for r in db.query("SELECT DISTINCT res FROM metric_points")) == {1, 60, 300}


def test_distribution_stays_small_and_close() -> None:
    dist: distribution.Distribution = {}
    for i in range(1, 10001):
        dist = distribution.add(dist, [(float(i), 1.0)])
    assert len(dist) <= 1000
    assert distribution.percentile(dist, 50) == pytest.approx(5000, rel=0.02)
    assert distribution.percentile(dist, 99) == pytest.approx(9900, rel=0.02)
