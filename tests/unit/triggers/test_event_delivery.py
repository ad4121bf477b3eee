"""EventBridge target deliveries: retries under the RetryPolicy, then the dead-letter queue; a
target that does not exist is dead-lettered without retries; a delivered item leaves the store."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from lamina.store.sqlite import SqliteStore
from lamina.triggers.event_delivery import QUEUE, DeliveryFailed, EventDeliveries


class Target:
    """Fails the first ``failures`` attempts with ``failure``, then succeeds."""

    def __init__(self, failures: int, failure: DeliveryFailed | None = None) -> None:
        self.failures, self.failure = failures, failure
        self.attempts: list[float] = []
        self.dead: list[tuple[str, str | None, int]] = []
        self.done = asyncio.Event()

    async def send(self, delivery: dict[str, Any]) -> None:
        self.attempts.append(time.monotonic())
        if len(self.attempts) <= self.failures:
            assert self.failure is not None
            raise self.failure
        self.done.set()

    async def dead_letter(self, delivery: dict[str, Any], failure: DeliveryFailed, condition: str | None,
                          retries: int) -> None:
        self.dead.append((failure.code, condition, retries))
        self.done.set()


def _run(tmp_path: Path, target: Target, retry: dict[str, int] | None = None) -> SqliteStore:
    async def run() -> None:
        store = SqliteStore(tmp_path / "db.sqlite")
        deliveries = EventDeliveries(store, target.send, target.dead_letter, backoff_start=0.02)
        await deliveries.start()
        try:
            delivery: dict[str, Any] = {"arn": "arn:aws:sqs:us-east-1:1:q", "input": "{}", "received": time.time(),
                                        "event": {"id": "e"}}
            if retry:
                delivery["retry"] = retry
            await deliveries.enqueue([delivery])
            await asyncio.wait_for(target.done.wait(), 10)
        finally:
            await deliveries.stop()
        assert await store.queue_depth(QUEUE) == 0  # finished either way
        store.close()
    asyncio.run(run())


def test_a_retriable_failure_is_retried_with_growing_waits_then_delivered(tmp_path: Path) -> None:
    target = Target(3, DeliveryFailed("ThrottlingException", "slow down"))
    _run(tmp_path, target)
    assert len(target.attempts) == 4 and target.dead == []
    waits = [b - a for a, b in zip(target.attempts, target.attempts[1:])]
    assert waits[2] > waits[0]  # exponential back-off (with jitter between half and all of it)


def test_retries_stop_at_maximum_retry_attempts_and_go_to_the_dead_letter_queue(tmp_path: Path) -> None:
    target = Target(10, DeliveryFailed("ThrottlingException", "slow down"))
    _run(tmp_path, target, {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600})
    assert len(target.attempts) == 3
    assert target.dead == [("ThrottlingException", "MaximumRetryAttempts", 2)]


def test_a_missing_target_is_not_retried(tmp_path: Path) -> None:
    target = Target(10, DeliveryFailed("ResourceNotFoundException", "gone", retryable=False))
    _run(tmp_path, target)
    assert len(target.attempts) == 1
    assert target.dead == [("ResourceNotFoundException", None, 0)]
