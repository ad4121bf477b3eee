"""The queue worker: as many deliveries at once as its concurrency allows, and no polling while all run."""

from __future__ import annotations

import asyncio
import time

from lamina.store import QueueItem
from lamina.triggers.queue_worker import QueueWorker


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


def test_a_worker_with_every_slot_busy_waits_for_a_delivery_to_end_without_polling() -> None:
    class Backlog:
        """A queue with more visible items than the worker may deliver at once."""

        def __init__(self) -> None:
            self.looks = 0
            self.next_id = 0

        async def claim(self, queue: str, limit: int, lease: float) -> list:
            items = [QueueItem(self.next_id + n, b"{}", 0, 0.0) for n in range(limit)]
            self.next_id += limit
            return items

        async def next_visible_at(self, queue: str) -> float:
            self.looks += 1
            return time.time() - 1.0  # the backlog is visible now

        async def release_claims(self, queue: str) -> int:
            return 0

    async def scenario() -> tuple[int, int]:
        store = Backlog()
        release = asyncio.Event()

        async def deliver(item: QueueItem) -> None:
            await release.wait()

        worker = QueueWorker(store, "q", deliver, concurrency=2, lease_seconds=1.0)  # type: ignore[arg-type]
        await worker.start()
        await asyncio.sleep(0.05)  # both slots busy all along
        looks_while_busy = store.looks
        release.set()
        await asyncio.sleep(0.01)
        claimed = store.next_id
        await worker.stop()
        return looks_while_busy, claimed

    looks_while_busy, claimed = asyncio.run(scenario())
    assert looks_while_busy == 0
    assert claimed > 2  # the slots freed by the ended deliveries were filled again
