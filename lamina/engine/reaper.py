"""Reaping idle environments: after the idle time, and least recently used first when memory is short."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.engine.engine import Engine

log = logging.getLogger(__name__)


class Reaper:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._task: asyncio.Task | None = None

    @property
    def interval(self) -> float:
        return min(10.0, max(0.05, self.engine.settings.idle_timeout_s / 4))

    def start(self) -> None:
        self._task = self.engine.loop.create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.sweep()
            except Exception:  # a reaping bug must not stop reaping
                log.exception("reaping failed")

    def sweep(self) -> None:
        idle_timeout = self.engine.settings.idle_timeout_s
        for key, pool in list(self.engine.pools.items()):
            for environment in list(pool.idle):
                if not environment.provisioned and environment.idle_for >= idle_timeout:
                    environment.reap()
            if pool.unused:
                del self.engine.pools[key]
