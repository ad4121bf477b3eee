"""Evaluating metric alarms: on a schedule, and as soon as data arrives for a metric an alarm reads.

CloudWatch evaluates alarms every minute (every period for high-resolution alarms); evaluating
again when data comes in makes a breach visible at once instead of up to a minute later, and
the schedule still catches periods that went by without data (TreatMissingData). Data is evaluated
in the period it was written for: a point of a period that has just ended (committed a moment after
the period's end, or sent with an earlier timestamp) is evaluated as at that period's end, not in the
new period, where it would not be seen until the schedule came round.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lamina.services.cloudwatch import metric_queries
from lamina.services.cloudwatch.alarm_actions import AlarmTransitions
from lamina.services.cloudwatch.alarm_evaluation import alarm_period, evaluate, window
from lamina.services.cloudwatch.alarms import AlarmBook
from lamina.services.cloudwatch.datapoints import MetricStore
from lamina.triggers.wakeable_loop import WakeableLoop

log = logging.getLogger("lamina.cloudwatch")
MetricId = tuple[str, str, str, str]


def _as_of(written: float, period: int, now: float) -> float:
    """When to evaluate data written for time ``written``: at the end of its period if that is the period
    just before the current one, else now (a backfill of older periods is not a breach now)."""
    ends = (written // period + 1) * period
    return ends - 0.001 if now - period < ends <= now else now


class AlarmEvaluator(WakeableLoop):
    def __init__(self, alarms: AlarmBook, metrics: MetricStore, transitions: AlarmTransitions,
                 interval: float = 60.0) -> None:
        self.alarms = alarms
        self.metrics = metrics
        self.transitions = transitions
        self.interval = interval
        self._touched: dict[MetricId, float] = {}  # metric -> the newest time data was written at
        self._everything = True
        self._lock = asyncio.Lock()
        super().__init__()
        metrics.listeners.append(self.metrics_written)

    def start(self) -> None:
        self._start_loop()

    async def stop(self) -> None:
        await self._stop_loop()

    def metrics_written(self, touched: dict[MetricId, float]) -> None:
        for metric, at in touched.items():
            self._touched[metric] = max(self._touched.get(metric, 0.0), at)
        self._wake.set()

    async def evaluate_written(self) -> None:
        """Evaluate now the alarms on what the metric store's commits told of since the last round."""
        touched, self._touched = self._touched, {}
        await self.evaluate(touched)

    def evaluate_all_soon(self) -> None:
        self._everything = True
        self._wake.set()

    async def _loop(self) -> None:
        next_full = time.monotonic()
        while True:
            timeout = max(0.0, next_full - time.monotonic())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            if self._stopping:
                return
            self._wake.clear()
            everything = self._everything or time.monotonic() >= next_full
            touched, self._touched, self._everything = self._touched, {}, False
            if everything:
                next_full = time.monotonic() + self.interval
            try:
                await self.evaluate(None if everything else touched)
            except Exception:
                log.exception("alarm evaluation failed; it runs again at the next round")

    async def evaluate(self, touched: dict[MetricId, float] | None = None) -> None:
        """Evaluate every alarm (``touched`` None), or those reading one of the touched metrics (metric -> the
        newest time data was written at) as at the end of the period that data belongs to, or now."""
        async with self._lock:
            now = time.time()
            for alarm in await self.alarms.all():
                if touched is None:
                    await self.evaluate_one(alarm, now)
                    continue
                written = [touched[m] for m in metric_queries.watched_metrics(alarm) if m in touched]
                if written:
                    await self.evaluate_one(alarm, _as_of(max(written), alarm_period(alarm), now))

    async def evaluate_one(self, alarm: dict[str, Any], now: float) -> None:
        period = alarm_period(alarm)
        starts = window(now, period, alarm["EvaluationPeriods"])
        try:
            points = metric_queries.alarm_points(self.metrics, alarm, starts[0], starts[-1] + period)
        except Exception as error:  # a metric math alarm whose expression cannot be evaluated
            log.warning("alarm %s could not be evaluated: %s", alarm["AlarmName"], error)
            return
        await self.transitions.apply(alarm, evaluate(alarm, points, now))
