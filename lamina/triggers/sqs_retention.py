"""SQS retention: messages older than their queue's MessageRetentionPeriod are deleted
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-architecture.html),
and FIFO deduplication ids are forgotten after their 5-minute interval.

Receives already skip and delete expired messages they come across; this sweep
removes the rest, walking the message table in short slices so the event loop
is never held for long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.services.sqs.messages import MessageTable

log = logging.getLogger("lamina.sqs")
SWEEP_INTERVAL = 60.0
SLICE = 2000


class RetentionSweeper:
    def __init__(self, messages: "MessageTable", interval: float = SWEEP_INTERVAL) -> None:
        self.messages = messages
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def sweep(self) -> int:
        """One pass over every message; returns how many expired messages were deleted."""
        now, after, deleted = time.time(), 0, 0
        while True:
            after, count = self.messages.expire_range(after, SLICE, now)
            deleted += count
            if after == 0:
                break
            await asyncio.sleep(0)  # let requests in between slices
        self.messages.forget_dedup(now)
        return deleted

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)  # a periodic sweep: nothing to wait for but time
            try:
                deleted = await self.sweep()
                if deleted:
                    log.info("deleted %d SQS messages past their retention period", deleted)
            except Exception:
                log.exception("SQS retention sweep failed")
