"""Deleting log events older than their group's retention (PutRetentionPolicy), on a schedule.

CloudWatch deletes expired events in the background; here the sweep runs at start, when a
policy is put, and then every ``interval`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time

from lamina.services.logs.events import expire
from lamina.store.base import Store
from lamina.triggers.wakeable_loop import WakeableLoop

log = logging.getLogger("lamina.logs")


class RetentionSweeper(WakeableLoop):
    def __init__(self, store: Store, interval: float = 3600.0) -> None:
        self.store = store
        self.interval = interval
        self.swept = asyncio.Event()  # set after each sweep (tests wait on it)
        super().__init__()

    def start(self) -> None:
        self._start_loop()

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        await self._stop_loop()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                removed = expire(self.store, int(time.time() * 1000))
                if removed:
                    log.info("log retention: deleted %d expired events", removed)
            except Exception:
                log.exception("log retention sweep failed; it runs again later")
            self.swept.set()
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except asyncio.TimeoutError:
                pass
