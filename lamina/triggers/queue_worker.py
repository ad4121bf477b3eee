"""Working through one durable queue of the store: claim items, deliver each in its own task.

The async invoker, SNS deliveries and EventBridge deliveries all do this: at most ``concurrency``
deliveries at once, sleeping (no polling) until an item is enqueued, a delivery ends or a delayed
item becomes visible. Claims a dead process held are released at start, so a crash loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable

from lamina.store import QueueItem, Store
from lamina.triggers.wakeable_loop import WakeableLoop

log = logging.getLogger("lamina.queues")


class QueueWorker(WakeableLoop):
    def __init__(self, store: Store, queue: str, deliver: Callable[[QueueItem], Awaitable[None]], *,
                 concurrency: int, lease_seconds: float) -> None:
        self.store = store
        self.queue = queue
        self.deliver = deliver
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        super().__init__()
        self._running: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Something was enqueued: look at the queue now (if a slot is free: a delivery that ends wakes the
        loop anyway, and waking it for every event of a burst only to find every slot busy costs a turn)."""
        if len(self._running) < self.concurrency:
            self._wake.set()

    def set_concurrency(self, concurrency: int) -> None:
        """Deliver at most ``concurrency`` at once from now on (deliveries already running finish)."""
        grew = concurrency > self.concurrency
        self.concurrency = concurrency
        if grew:
            self._wake.set()

    async def start(self) -> None:
        released = await self.store.release_claims(self.queue)
        if released:
            log.info("%s: %d items a previous process had claimed are queued again", self.queue, released)
        self._start_loop()

    async def stop(self) -> None:
        await self._stop_loop()
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            free = self.concurrency - len(self._running)
            if free <= 0:
                # Every slot is busy: only a delivery ending (or a larger concurrency) changes that, and both
                # wake us. Looking at the queue meanwhile would poll it each millisecond while a backlog waits.
                await self._wake.wait()
                continue
            items = await self.store.claim(self.queue, free, self.lease_seconds)
            for item in items:
                task = asyncio.get_running_loop().create_task(self.deliver(item))
                self._running.add(task)
                task.add_done_callback(self._done)
            if items and len(items) == free:
                continue
            next_at = await self.store.next_visible_at(self.queue)
            timeout = None if next_at is None else max(0.0, next_at - time.time()) + 0.001
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()
