"""Long polling: receivers waiting on a queue are woken when a message may have become receivable.

A ReceiveMessage with ``WaitTimeSeconds`` answers as soon as a message is
available, not at the end of the wait
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
Sends (and anything else that makes messages receivable: a visibility change,
a FIFO group unlocked by a delete) wake waiters here; waiters also wake on their
own when the next invisible message's time comes, so nothing polls the store.
A send of n messages wakes at most n waiters, so a crowd of idle receivers is
not stirred by each message.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Arrivals:
    def __init__(self) -> None:
        self._waiting: dict[int, deque[asyncio.Future[None]]] = {}

    def notify(self, queue_id: int, count: int | None = None) -> None:
        """Wake ``count`` waiters of the queue (all of them when None)."""
        waiting = self._waiting.get(queue_id)
        if not waiting:
            return
        woken = 0
        while waiting and (count is None or woken < count):
            future = waiting.popleft()
            if not future.done():
                future.set_result(None)
                woken += 1

    async def wait(self, queue_id: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a notification; True when one came."""
        if timeout <= 0:
            return False
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting = self._waiting.setdefault(queue_id, deque())
        waiting.append(future)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            if not future.done():
                future.cancel()
            try:
                waiting.remove(future)
            except ValueError:
                pass
            if not waiting:
                self._waiting.pop(queue_id, None)

    def forget(self, queue_id: int) -> None:
        """A deleted queue: wake its waiters, who then find it gone."""
        self.notify(queue_id)
        self._waiting.pop(queue_id, None)
