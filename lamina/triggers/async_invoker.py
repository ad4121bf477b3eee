"""Asynchronous invocation: accepted events are stored, then delivered with Lambda's retry policy.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html :
- an event is queued before Invoke answers 202, and is delivered at least once;
- a function error is retried MaximumRetryAttempts times (default 2), one minute
  before the first retry and two before the second;
- throttles and system errors are retried with backoff growing from 1 second to
  5 minutes, until the event is MaximumEventAgeInSeconds old (default 6 hours);
- an event that is finally given up goes to the dead-letter target and the
  OnFailure destination; a success goes to the OnSuccess destination.
A crash loses nothing: claims of a dead process are released at start.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import orjson

from lamina.store import QueueItem, Store
from lamina.triggers.accept_pressure import AcceptPressure
from lamina.triggers.queue_worker import QueueWorker

log = logging.getLogger("lamina.async")

QUEUE = "lambda-async"
# Claims are leases: longer than the longest function (900 s) so a running event is not handed out twice.
LEASE_SECONDS = 960.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_AGE = 21600
MAX_BACKOFF = 300.0


@dataclass
class Outcome:
    """What one delivery attempt came to."""

    kind: str  # "success" | "function_error" | "throttled" | "system_error" | "gone"
    payload: bytes = b""
    executed_version: str = "$LATEST"
    function_arn: str = ""
    error_code: str = "200"
    error_message: str = ""


@dataclass
class DeliveryPolicy:
    max_retries: int = DEFAULT_MAX_RETRIES
    max_age: int = DEFAULT_MAX_AGE
    on_success: str | None = None
    on_failure: str | None = None
    dead_letter: str | None = None


@dataclass
class AsyncSettings:
    # Waits before the 1st and 2nd retry after a function error (Lambda: 60 s and 120 s).
    retry_delays: tuple[float, ...] = (60.0, 120.0)
    # The first wait after a throttle or system error; it doubles up to 5 minutes.
    backoff_start: float = 1.0
    concurrency: int = 64  # events delivered at once by this node
    # ... while events are being accepted in a burst (accept_pressure.py): acknowledging comes first.
    burst_concurrency: int = 4


@dataclass
class Callbacks:
    run: Callable[[dict[str, Any]], Awaitable[Outcome]]
    policy: Callable[[dict[str, Any]], Awaitable[DeliveryPolicy]]
    finished: Callable[[dict[str, Any], Outcome, DeliveryPolicy, str], Awaitable[None]]
    # finished(event, outcome, policy, condition): condition "Success" | "RetriesExhausted" | "EventAgeExceeded"


@dataclass
class AsyncInvoker:
    store: Store
    callbacks: Callbacks
    settings: AsyncSettings = field(default_factory=AsyncSettings)

    def __post_init__(self) -> None:
        self._worker = QueueWorker(self.store, QUEUE, self._deliver, concurrency=self.settings.concurrency,
                                   lease_seconds=LEASE_SECONDS)
        self._pressure = AcceptPressure(self._burst_changed)

    async def accept(self, event: dict[str, Any]) -> None:
        """Durably queue an event; returns once it is in the store."""
        event.setdefault("received", time.time())
        event.setdefault("retries", 0)
        self._pressure.accepted()
        await self.store.enqueue(QUEUE, [orjson.dumps(event)])
        self._worker.wake()

    def _burst_changed(self, bursting: bool) -> None:
        settings = self.settings
        self._worker.set_concurrency(min(settings.burst_concurrency, settings.concurrency) if bursting
                                     else settings.concurrency)

    async def start(self) -> None:
        await self._worker.start()

    async def stop(self) -> None:
        self._pressure.stop()
        await self._worker.stop()

    async def _deliver(self, item: QueueItem) -> None:
        event = orjson.loads(item.payload)
        try:
            policy = await self.callbacks.policy(event)
            age = time.time() - event["received"]
            if age > policy.max_age:
                await self._give_up(item, event, Outcome("system_error", error_message="Event age exceeded"),
                                    policy, "EventAgeExceeded")
                return
            event["attempts"] = event.get("attempts", 0) + 1
            outcome = await self.callbacks.run(event)
            if outcome.kind == "gone":
                await self.store.finish(QUEUE, [item.id])  # the function was deleted: nothing to deliver to
            elif outcome.kind == "success":
                await self.callbacks.finished(event, outcome, policy, "Success")
                await self.store.finish(QUEUE, [item.id])
            elif outcome.kind == "function_error":
                if event["retries"] < policy.max_retries:
                    delays = self.settings.retry_delays
                    delay = delays[min(event["retries"], len(delays) - 1)]
                    event["retries"] += 1
                    await self.store.retry_later(QUEUE, item.id, delay, orjson.dumps(event))
                else:
                    await self._give_up(item, event, outcome, policy, "RetriesExhausted")
            else:  # throttled or a system error: back off until the event is too old
                backoff = min(MAX_BACKOFF, self.settings.backoff_start * 2 ** event.get("backoffs", 0))
                if age + backoff > policy.max_age:
                    await self._give_up(item, event, outcome, policy, "EventAgeExceeded")
                else:
                    event["backoffs"] = event.get("backoffs", 0) + 1
                    await self.store.retry_later(QUEUE, item.id, backoff, orjson.dumps(event))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("async delivery of %s failed; it will be tried again", event.get("id"))
            await self.store.retry_later(QUEUE, item.id, self.settings.backoff_start)

    async def _give_up(self, item: QueueItem, event: dict[str, Any], outcome: Outcome, policy: DeliveryPolicy,
                       condition: str) -> None:
        await self.callbacks.finished(event, outcome, policy, condition)
        await self.store.finish(QUEUE, [item.id])
