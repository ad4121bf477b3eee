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
    # A month of one-second points, one every 5 minutes to keep the test quick, and the last 4 hours
    # every 10 seconds.
    stamps = list(range(now - 30 * DAY, now - 4 * 3600, 300)) + list(range(now - 4 * 3600, now, 10))
    for ts in stamps:
        metrics.add("a", "r", "NS", {"MetricName": "M", "Value": 2.0, "Timestamp": ts, "StorageResolution": 1})
    metrics.flush()
    before = metrics.buckets(_series(metrics), now - 30 * DAY, now, 30 * DAY, None, True)
    raw_before = db.query("SELECT COUNT(*) FROM metric_points")[0][0]
    assert raw_before == len(stamps)
    roll_up(db, now)
    assert db.query("SELECT COUNT(*) FROM metric_points")[0][0] == 3 * 3600 // 10  # the last 3 hours stay
    summary = db.query("SELECT res, COUNT(*) FROM metric_summary GROUP BY res ORDER BY res")
    assert [res for res, _ in summary] == [60, 300]
    assert sum(count for _, count in summary) < 15 * 1440 + 15 * 288 + 10
    after = metrics.buckets(_series(metrics), now - 30 * DAY, now, 30 * DAY, None, True)
    (b,), (a,) = before.values(), after.values()
    assert (a.count, a.total, a.low, a.high) == (b.count, b.total, b.low, b.high) == (len(stamps), 2.0 * len(stamps),
                                                                                       2.0, 2.0)
    assert statistics.value("p90", a) == 2.0
    assert roll_up(db, now) == 0  # nothing left to do


def test_summary_answers_minute_periods_and_raw_points_shorter_ones(metrics: MetricStore) -> None:
    for second in range(0, 60):
        metrics.add("a", "r", "NS", {"MetricName": "M", "Value": 1.0, "Timestamp": 6_000 + second,
                                     "StorageResolution": 1})
    metrics.add("a", "r", "NS", {"MetricName": "M", "Value": 5.0, "Timestamp": 6_030})  # standard resolution
    metrics.flush()
    series = _series(metrics)
    assert {ts: a.count for ts, a in metrics.buckets(series, 6_000, 6_060, 60, None, False).items()} == {6_000: 61.0}
    ten = metrics.buckets(series, 6_000, 6_060, 10, None, False)
    assert sorted(a.count for a in ten.values()) == [10.0] * 6  # the 1-second points


def test_distribution_stays_small_and_close() -> None:
    dist: distribution.Distribution = {}
    for i in range(1, 10001):
        dist = distribution.add(dist, [(float(i), 1.0)])
    assert len(dist) <= 1000
    assert distribution.percentile(dist, 50) == pytest.approx(5000, rel=0.02)
    assert distribution.percentile(dist, 99) == pytest.approx(9900, rel=0.02)
