"""EventBridge target deliveries: each (event, target) pair is a durable queue item, delivered at
least once with the target's RetryPolicy, then sent to its dead-letter queue.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html :
- retriable failures are retried with exponential back-off and jitter, by default 185 times
  over 24 hours (RetryPolicy MaximumRetryAttempts, MaximumEventAgeInSeconds);
- a missing target or missing permission is not retried: the event goes straight to the
  dead-letter queue (DeadLetterConfig), else it is dropped.
A crash loses nothing: claims of a dead process are released at start.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import orjson

from lamina.store import QueueItem, Store
from lamina.triggers.queue_worker import QueueWorker

log = logging.getLogger("lamina.events")

QUEUE = "events-deliveries"
LEASE_SECONDS = 120.0  # far longer than a hand-over to a peer service takes
CONCURRENCY = 32
MAX_BACKOFF = 300.0
DEFAULT_RETRY = {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}


class DeliveryFailed(Exception):
    def __init__(self, code: str, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.code, self.message, self.retryable = code, message, retryable


Send = Callable[[dict[str, Any]], Awaitable[None]]
# dead_letter(delivery, failure, exhausted condition or None when not retried, retries made)
DeadLetter = Callable[[dict[str, Any], DeliveryFailed, "str | None", int], Awaitable[None]]


@dataclass
class EventDeliveries:
    store: Store
    send: Send
    dead_letter: DeadLetter
    backoff_start: float = 1.0
    delivered: int = 0
    # Delivered items are finished together, one store write per burst rather than one per item.
    _finished: list[int] = field(default_factory=list)
    _flush: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self._worker = QueueWorker(self.store, QUEUE, self._deliver, concurrency=CONCURRENCY,
                                   lease_seconds=LEASE_SECONDS)

    async def enqueue(self, deliveries: list[dict[str, Any]]) -> None:
        """Durably queue deliveries; returns once they are in the store."""
        if deliveries:
            await self.store.enqueue(QUEUE, [orjson.dumps(d) for d in deliveries])
            self._worker.wake()

    async def start(self) -> None:
        await self._worker.start()

    async def stop(self) -> None:
        await self._worker.stop()
        await self._finish_delivered()

    async def _deliver(self, item: QueueItem) -> None:
        delivery = orjson.loads(item.payload)
        try:
            await self.send(delivery)
        except asyncio.CancelledError:
            raise
        except DeliveryFailed as failure:
            await self._failed(item, delivery, failure)
            return
        except Exception as error:
            log.exception("events: delivery to %s failed", delivery.get("arn"))
            await self._failed(item, delivery, DeliveryFailed("InternalException", str(error)))
            return
        self.delivered += 1
        self._finished.append(item.id)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().create_task(self._finish_delivered())

    async def _finish_delivered(self) -> None:
        await asyncio.sleep(0)  # let the deliveries finishing in this turn of the loop join the batch
        ids, self._finished, self._flush = self._finished, [], None
        if ids:
            await self.store.finish(QUEUE, ids)

    async def _failed(self, item: QueueItem, delivery: dict[str, Any], failure: DeliveryFailed) -> None:
        retries = delivery.get("retries", 0)
        policy = {**DEFAULT_RETRY, **(delivery.get("retry") or {})}
        condition: str | None = None
        if failure.retryable:
            backoff = min(MAX_BACKOFF, self.backoff_start * 2 ** retries) * random.uniform(0.5, 1.0)
            age = time.time() - delivery["received"]
            if retries >= policy["MaximumRetryAttempts"]:
                condition = "MaximumRetryAttempts"
            elif age + backoff > policy["MaximumEventAgeInSeconds"]:
                condition = "MaximumEventAgeInSeconds"
            else:
                delivery["retries"] = retries + 1
                log.warning("events: delivery to %s failed (%s: %s); retry %d in %.1f s", delivery["arn"],
                            failure.code, failure.message, retries + 1, backoff)
                await self.store.retry_later(QUEUE, item.id, backoff, orjson.dumps(delivery))
                return
        try:
            await self.dead_letter(delivery, failure, condition, retries)
        except Exception:
            log.exception("events: the dead-letter queue of %s could not take event %s", delivery["arn"],
                          delivery.get("event_id"))
        await self.store.finish(QUEUE, [item.id])
