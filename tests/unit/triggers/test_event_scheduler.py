"""The EventBridge scheduler: on time on a fast clock, no double firing across a restart, no burst
of missed firings after downtime."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lamina.services.events.schedules import parse
from lamina.store.sqlite import SqliteStore
from lamina.triggers.event_scheduler import GRACE_SECONDS, EventScheduler

SCALE = 60.0  # rate(1 minute) fires every real second


class Fired:
    def __init__(self) -> None:
        self.times: list[tuple[float, float]] = []  # (scheduled virtual time, real time it fired)
        self.changed = asyncio.Event()

    async def __call__(self, key: str, scheduled: float) -> None:
        self.times.append((scheduled, time.time()))
        self.changed.set()

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        async def enough() -> None:
            while len(self.times) < count:
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(enough(), timeout)


def test_a_rate_fires_on_its_grid_on_time(tmp_path: Path) -> None:
    async def run() -> None:
        store = SqliteStore(tmp_path / "db.sqlite")
        fired = Fired()
        scheduler = EventScheduler(store, fired, SCALE)
        anchor = time.time()
        await scheduler.set("rule", parse("rate(1 minute)"), anchor)
        await scheduler.start()
        try:
            await fired.wait_for(3)
        finally:
            await scheduler.stop()
            store.close()
        virtual_anchor = scheduler.clock.virtual(anchor)
        for k, (scheduled, real) in enumerate(fired.times, start=1):
            assert scheduled == virtual_anchor + 60 * k  # on the anchor's grid: no drift
            assert 0 <= real - scheduler.clock.real(scheduled) < 0.25  # on time
    asyncio.run(run())


def test_a_restart_does_not_fire_the_same_time_again(tmp_path: Path) -> None:
    async def run() -> list[float]:
        store = SqliteStore(tmp_path / "db.sqlite")
        seen: list[float] = []
        anchor = time.time()
        for _ in range(2):  # the same rule, scheduled again by a "restarted" scheduler on the same store
            fired = Fired()
            scheduler = EventScheduler(store, fired, 1.0)
            await scheduler.set("rule", parse("rate(1 minute)"), anchor - 59.5)  # due half a second from now
            await scheduler.start()
            try:
                if not seen:
                    await fired.wait_for(1)
                else:  # the restarted scheduler's next firing is a minute later, not the one just made
                    assert scheduler.next_due("rule") == seen[0] + 60
            finally:
                await scheduler.stop()
            seen.extend(t for t, _ in fired.times)
        store.close()
        return seen
    assert len(asyncio.run(run())) == 1


def test_times_missed_while_down_are_skipped_not_fired_in_a_burst(tmp_path: Path) -> None:
    async def run() -> None:
        store = SqliteStore(tmp_path / "db.sqlite")
        fired = Fired()
        scheduler = EventScheduler(store, fired, SCALE)
        started = scheduler.clock.now()
        # Anchored an hour (in schedule time: 60 hours) ago: 3,600 firings were missed.
        await scheduler.set("rule", parse("rate(1 minute)"), time.time() - 3600)
        await scheduler.start()
        try:
            await fired.wait_for(2)
        finally:
            await scheduler.stop()
            store.close()
        first, second = fired.times[0][0], fired.times[1][0]
        assert first >= started - GRACE_SECONDS * SCALE
        assert second == first + 60
    asyncio.run(run())


def test_a_disabled_rule_stops_firing(tmp_path: Path) -> None:
    async def run() -> None:
        store = SqliteStore(tmp_path / "db.sqlite")
        fired = Fired()
        scheduler = EventScheduler(store, fired, SCALE)
        await scheduler.set("rule", parse("rate(1 minute)"), time.time())
        await scheduler.set("rule", None, 0.0)
        assert scheduler.next_due("rule") is None
        store.close()
    asyncio.run(run())
