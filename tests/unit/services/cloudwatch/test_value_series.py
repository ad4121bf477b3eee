"""A ValueSeries adds to the same data points as PutMetricData would, across commits and minutes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lamina.services.cloudwatch.datapoints import MetricStore, dimensions_key
from lamina.services.cloudwatch.value_series import ValueSeries
from lamina.store.sqlite import SqliteStore

FUNCTION = [{"Name": "FunctionName", "Value": "f"}]


@pytest.fixture
def metrics(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = SqliteStore(tmp_path / "db.sqlite")
    yield MetricStore(store)
    store.close()


def _points(metrics: MetricStore, name: str, dimensions: list[dict[str, str]]) -> dict[int, tuple[float, ...]]:
    series = metrics.series_id("a", "r", "NS", name, dimensions)
    assert series is not None
    buckets = metrics.buckets(series, 0, 10_000, 60, None, False)
    return {ts: (agg.count, agg.total, agg.low, agg.high) for ts, agg in buckets.items()}


def test_values_land_under_every_dimension_set_across_commits_and_minutes(metrics: MetricStore) -> None:
    # Inside an event loop, as on the server: commits wait for the store's timer (or an explicit flush), so
    # the series keeps adding to the aggregates it holds.
    asyncio.run(_publish(metrics))
    assert _points(metrics, "Calls", []) == {60: (3.0, 3.0, 1.0, 1.0), 120: (1.0, 1.0, 1.0, 1.0)}
    assert _points(metrics, "Calls", FUNCTION) == {60: (3.0, 3.0, 1.0, 1.0), 120: (2.0, 2.0, 1.0, 1.0)}
    assert _points(metrics, "Time", FUNCTION) == {60: (3.0, 15.0, 3.0, 7.0), 120: (1.0, 9.0, 9.0, 9.0)}
    assert metrics.series_id("a", "r", "NS", "Time", []) is None


async def _publish(metrics: MetricStore) -> None:
    observed: list[float] = []
    sets = [([], dimensions_key([])), (FUNCTION, dimensions_key(FUNCTION))]
    series = ValueSeries(metrics, "a", "r", "NS", [("Calls", "Count", sets), ("Time", "Milliseconds", sets[1:])],
                         [(1, observed.append)])
    series.add(100.0, (1.0, 5.0))
    series.add(110.0, (1.0, 7.0))
    metrics.flush()  # the pending aggregates it held are committed: the next values start new ones
    series.add(115.0, (1.0, 3.0))
    series.add(130.0, (1.0, 9.0))  # the next minute
    metrics.add("a", "r", "NS", {"MetricName": "Calls", "Dimensions": FUNCTION, "Value": 1.0, "Unit": "Count",
                                 "Timestamp": 131.0})  # PutMetricData's path meets the same pending point
    assert observed == [5.0, 7.0, 3.0, 9.0]
    metrics.flush()


def test_held_values_give_the_same_statistics_as_putting_each_value(metrics: MetricStore) -> None:
    """Values held per figure and handed over at the commit end up as if each had been put on its own, under
    every dimension set: the same count, sum, extremes and distribution (past its exact size, too)."""
    values = [float(v) * 1.37 for v in range(1, 451)]

    async def publish() -> None:
        sets = [([], dimensions_key([])), (FUNCTION, dimensions_key(FUNCTION))]
        series = ValueSeries(metrics, "a", "r", "NS", [("Held", "Milliseconds", sets)], [])
        for index, value in enumerate(values):
            series.add(60.0 + index / 10, (value,))
            metrics.add("a", "r", "NS", {"MetricName": "Put", "Dimensions": FUNCTION, "Value": value,
                                         "Unit": "Milliseconds", "Timestamp": 60.0 + index / 10})
        metrics.flush()

    asyncio.run(publish())
    put = metrics.buckets(metrics.series_id("a", "r", "NS", "Put", FUNCTION), 0, 10_000, 60, None, True)
    for dimensions in ([], FUNCTION):
        held = metrics.buckets(metrics.series_id("a", "r", "NS", "Held", dimensions), 0, 10_000, 60, None, True)
        assert held.keys() == put.keys() == {60}
        mine, theirs = held[60], put[60]
        assert (mine.count, mine.low, mine.high) == (theirs.count, theirs.low, theirs.high) == (450.0, 1.37, 616.5)
        assert mine.total == pytest.approx(theirs.total)
        assert mine.dist == theirs.dist
