"""Delivery gives way to a burst of accepts and takes its full concurrency back when the burst ends."""

from __future__ import annotations

import asyncio

from lamina.triggers.accept_pressure import AcceptPressure
from lamina.triggers.queue_worker import QueueWorker

WINDOW = 3600.0  # the tests judge the windows themselves: the timer never fires on its own


def test_a_burst_is_noticed_and_its_end_too() -> None:
    changes: list[bool] = []

    async def scenario() -> None:
        pressure = AcceptPressure(changes.append, window=WINDOW, burst_rate=10 / WINDOW)
        for _ in range(10):
            pressure.accepted()
        pressure._judge()  # a window with 10 accepts: a burst
        for _ in range(10):
            pressure.accepted()
        pressure._judge()  # the burst goes on: nothing changes
        pressure._judge()  # a window without accepts: the burst is over
        pressure.stop()

    asyncio.run(scenario())
    assert changes == [True, False]


def test_a_trickle_of_accepts_is_not_a_burst() -> None:
    changes: list[bool] = []

    async def scenario() -> None:
        pressure = AcceptPressure(changes.append, window=WINDOW, burst_rate=10 / WINDOW)
        for _ in range(9):
            pressure.accepted()
        pressure._judge()
        assert pressure._timer is None  # nothing to watch until the next accept
        pressure.stop()

    asyncio.run(scenario())
    assert changes == []


def test_the_worker_claims_up_to_its_new_concurrency() -> None:
    class Store:
        def __init__(self) -> None:
            self.limits: list[int] = []

        async def claim(self, queue: str, limit: int, lease: float) -> list:
            self.limits.append(limit)
            return []

        async def next_visible_at(self, queue: str) -> None:
            return None

        async def release_claims(self, queue: str) -> int:
            return 0

    async def scenario() -> list[int]:
        store = Store()
        worker = QueueWorker(store, "q", lambda item: asyncio.sleep(0), concurrency=64,  # type: ignore[arg-type]
                             lease_seconds=1.0)
        await worker.start()
        await asyncio.sleep(0.01)
        worker.set_concurrency(8)
        worker.wake()
        await asyncio.sleep(0.01)
        worker.set_concurrency(64)  # growing wakes the worker by itself
        await asyncio.sleep(0.01)
        await worker.stop()
        return store.limits

    assert asyncio.run(scenario()) == [64, 8, 64]
