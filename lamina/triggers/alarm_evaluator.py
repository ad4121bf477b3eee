"""Evaluating metric alarms: on a schedule, and as soon as data arrives for a metric an alarm reads.

CloudWatch evaluates alarms every minute (every period for high-resolution alarms); evaluating
again when data comes in makes a breach visible at once instead of up to a minute later, and
the schedule still catches periods that went by without data (TreatMissingData).
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

log = logging.getLogger("lamina.cloudwatch")
MetricId = tuple[str, str, str, str]


class AlarmEvaluator:
    def __init__(self, alarms: AlarmBook, metrics: MetricStore, transitions: AlarmTransitions,
                 interval: float = 60.0) -> None:
        self.alarms = alarms
        self.metrics = metrics
        self.transitions = transitions
        self.interval = interval
        self._touched: set[MetricId] = set()
        self._everything = True
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        metrics.listeners.append(self.metrics_written)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def metrics_written(self, touched: set[MetricId]) -> None:
        self._touched |= touched
        self._wake.set()

    def evaluate_all_soon(self) -> None:
        self._everything = True
        self._wake.set()

    async def _run(self) -> None:
        next_full = time.monotonic()
        while True:
            timeout = max(0.0, next_full - time.monotonic())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            everything = self._everything or time.monotonic() >= next_full
            touched, self._touched, self._everything = self._touched, set(), False
            if everything:
                next_full = time.monotonic() + self.interval
            try:
                await self.evaluate(None if everything else touched)
            except Exception:
                log.exception("alarm evaluation failed; it runs again at the next round")

    async def evaluate(self, touched: set[MetricId] | None = None) -> None:
        """Evaluate every alarm (``touched`` None) or those reading one of the touched metrics."""
        async with self._lock:
            now = time.time()
            for alarm in await self.alarms.all():
                if touched is not None and not (metric_queries.watched_metrics(alarm) & touched):
                    continue
                await self.evaluate_one(alarm, now)

    async def evaluate_one(self, alarm: dict[str, Any], now: float) -> None:
        period = alarm_period(alarm)
        starts = window(now, period, alarm["EvaluationPeriods"])
        try:
            points = metric_queries.alarm_points(self.metrics, alarm, starts[0], starts[-1] + period)
        except Exception as error:  # a metric math alarm whose expression cannot be evaluated
            log.warning("alarm %s could not be evaluated: %s", alarm["AlarmName"], error)
            return
        await self.transitions.apply(alarm, evaluate(alarm, points, now))
