"""Running the metric roll-up (``lamina/services/cloudwatch/rollup.py``) every few minutes."""

from __future__ import annotations

import asyncio
import logging
import time

from lamina.services.cloudwatch.datapoints import MetricStore
from lamina.services.cloudwatch.rollup import roll_up

log = logging.getLogger("lamina.cloudwatch")


class MetricRollup:
    def __init__(self, metrics: MetricStore, interval: float = 300.0) -> None:
        self.metrics = metrics
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                self.metrics.flush()
                removed = roll_up(self.metrics.db, time.time())
                if removed:
                    log.info("metric roll-up merged or deleted %d data points", removed)
            except Exception:
                log.exception("metric roll-up failed; it runs again later")
            await asyncio.sleep(self.interval)
