"""Polling an SQS queue for an event-source mapping: receive batches, run the function synchronously, delete
what it handled (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).

Receives go straight to the SQS provider in this process (its ``receive_from_queue`` long-polls, so an idle
poller sleeps until a message arrives and nothing loops on the store). Messages the function fails are left
in flight and come back after the queue's visibility timeout, so the queue's redrive policy moves them to
its dead-letter queue after ``maxReceiveCount`` receives.

Scaling follows the backlog as Lambda does
(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html): one worker to start; a worker
that receives a full batch adds another (at most one per ``SCALE_INTERVAL``) up to the mapping's maximum
concurrency; a worker whose long poll comes back empty retires unless it is the last one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

import orjson

from lamina.patterns import EventPattern
from lamina.triggers import sqs_records

log = logging.getLogger("lamina.event-source-mappings")
LONG_POLL = 20.0  # seconds: SQS's longest ReceiveMessage wait
RECEIVE_LIMIT = 10  # messages per ReceiveMessage
SCALE_INTERVAL = 0.2  # seconds between added workers: 300 a minute, Lambda's documented SQS scale-up rate
THROTTLE_BACKOFF = 1.0  # seconds a throttled batch waits before it is visible again
STOP_GRACE = 30.0  # seconds a stopping poller lets running invocations finish
ERROR_BACKOFF = 5.0  # seconds before polling again after receiving failed


class QueueSource(Protocol):
    """The SQS provider's in-process interface (lamina/services/sqs/operations/in_process.py)."""

    async def receive_from_queue(self, queue_arn: str, max_messages: int, wait_seconds: float,
                                 visibility_timeout: int | None = None) -> list[dict[str, Any]]: ...

    async def delete_from_queue(self, queue_arn: str, receipt_handles: list[str]) -> None: ...

    async def release_to_queue(self, queue_arn: str, receipt_handles: list[str], delay: int = 0) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """How one invocation ended: ``failed`` is a function error (or the function could not run);
    ``throttled`` means it did not run for lack of concurrency."""

    payload: bytes = b""
    failed: bool = False
    throttled: bool = False


Invoke = Callable[[bytes], Awaitable[Outcome]]


@dataclass(frozen=True)
class PollerSettings:
    mapping_id: str
    queue_arn: str
    region: str
    batch_size: int
    batching_window: float
    report_failures: bool
    max_concurrency: int
    filters: tuple[EventPattern, ...] = ()


@dataclass
class _Worker:
    task: asyncio.Task[None] | None = None
    receiving: bool = False  # holds no messages: stopping may cancel it


class SqsPoller:
    def __init__(self, settings: PollerSettings, queue: QueueSource, invoke: Invoke) -> None:
        self.settings = settings
        self.queue = queue
        self.invoke = invoke
        self._workers: list[_Worker] = []
        self._stopping = False
        self._last_added = 0.0
        self.delivered = 0  # messages handed to the function successfully (for logs and benchmarks)

    @property
    def worker_count(self) -> int:
        return len(self._workers)

    def start(self) -> None:
        self._add_worker()

    async def stop(self) -> None:
        """Stop receiving; let running invocations finish (their messages are deleted or left as usual)."""
        self._stopping = True
        for worker in self._workers:
            if worker.receiving and worker.task is not None:
                worker.task.cancel()
        tasks = [w.task for w in self._workers if w.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self._workers.clear()

    def _add_worker(self, delay: float = 0.0) -> None:
        worker = _Worker()
        worker.task = asyncio.get_running_loop().create_task(self._run(worker, delay),
                                                             name=f"sqs-poller-{self.settings.mapping_id}")
        self._workers.append(worker)
        self._last_added = time.monotonic()

    def _maybe_scale_up(self) -> None:
        if (not self._stopping and len(self._workers) < self.settings.max_concurrency
                and time.monotonic() - self._last_added >= SCALE_INTERVAL):
            self._add_worker()

    async def _run(self, worker: _Worker, delay: float) -> None:
        failed = False
        try:
            if delay:
                worker.receiving = True  # nothing in hand: stopping may cancel it
                await asyncio.sleep(delay)  # after a failure (the queue deleted, say): do not spin
            while not self._stopping:
                worker.receiving = True
                try:
                    batch = await self._gather()
                finally:
                    worker.receiving = False
                if not batch:
                    if len(self._workers) > 1:
                        return  # the backlog is gone: fewer workers will do
                    continue
                if len(batch) >= min(self.settings.batch_size, RECEIVE_LIMIT):
                    self._maybe_scale_up()
                await self._deliver(batch)
        except asyncio.CancelledError:
            pass
        except Exception as error:
            log.warning("SQS poller of event-source mapping %s failed: %r", self.settings.mapping_id, error)
            failed = True
        finally:
            if worker in self._workers:
                self._workers.remove(worker)
            if not self._workers and not self._stopping:
                # A mapping keeps one poller while enabled; after a failure it tries again a little later.
                self._add_worker(ERROR_BACKOFF if failed else 0.0)

    async def _receive(self, count: int, wait: float) -> list[dict[str, Any]]:
        return await self.queue.receive_from_queue(self.settings.queue_arn, min(count, RECEIVE_LIMIT), wait)

    async def _gather(self) -> list[dict[str, Any]]:
        """A batch: long-poll for the first messages, then keep receiving until the batch is full or the
        batching window has passed."""
        settings = self.settings
        batch = await self._receive(settings.batch_size, LONG_POLL)
        if not batch or settings.batching_window <= 0:
            return batch
        deadline = time.monotonic() + settings.batching_window
        while len(batch) < settings.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            batch += await self._receive(settings.batch_size - len(batch), remaining)
        return batch

    async def _deliver(self, messages: list[dict[str, Any]]) -> None:
        settings = self.settings
        records = [sqs_records.record(m, settings.queue_arn, settings.region) for m in messages]
        if settings.filters:
            kept = [r for r in records
                    if any(f.matches(sqs_records.filterable(r)) for f in settings.filters)]
            dropped = [r["receiptHandle"] for r in records if r not in kept]
            if dropped:
                # Lambda deletes SQS messages that match no filter
                # (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
                await self.queue.delete_from_queue(settings.queue_arn, dropped)
            records = kept
            if not records:
                return
        outcome = await self.invoke(orjson.dumps({"Records": records}))
        handles = [r["receiptHandle"] for r in records]
        if outcome.throttled:
            await self.queue.release_to_queue(settings.queue_arn, handles, int(THROTTLE_BACKOFF))
            await asyncio.sleep(THROTTLE_BACKOFF)  # back off before receiving again
            return
        if outcome.failed:
            return  # every message returns after its visibility timeout
        done = records
        if settings.report_failures:
            failed = sqs_records.failed_items(outcome.payload, [r["messageId"] for r in records])
            if failed is None:
                log.warning("event-source mapping %s: the function's batchItemFailures answer is not valid; "
                            "the whole batch fails", settings.mapping_id)
                return
            failed_ids = set(failed)
            done = [r for r in records if r["messageId"] not in failed_ids]
        if done:
            await self.queue.delete_from_queue(settings.queue_arn, [r["receiptHandle"] for r in done])
            self.delivered += len(done)
