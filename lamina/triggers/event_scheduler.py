"""EventBridge scheduled rules: sleep until the earliest rule is due, fire it, compute its next time.

- On time, without drift: the next time comes from the schedule (a rate counts from its anchor,
  a cron from the calendar), never from when the previous firing happened to run.
- No double firing across a restart: a rule's last firing time is stored before its event goes out.
- No burst after downtime: a time missed by more than ``GRACE_SECONDS`` is skipped, and the
  rule fires next at its first time still ahead.
- The clock can run faster than real time for tests (``LAMINA_SCHEDULE_TIME_SCALE``): schedule
  times are "virtual" seconds, virtual = origin + (real - origin) * scale, origin = start time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol

from lamina.store import Store
from lamina.triggers.wakeable_loop import WakeableLoop

log = logging.getLogger("lamina.events")

TABLE = "events:schedule-fires"
GRACE_SECONDS = 2.0  # real seconds: firing this late still counts as on time


class Schedule(Protocol):
    def next_after(self, moment: float, anchor: float) -> float | None: ...


@dataclass(frozen=True)
class ScheduleClock:
    scale: float = 1.0
    origin: float = 0.0

    def virtual(self, real: float) -> float:
        return self.origin + (real - self.origin) * self.scale

    def real(self, virtual: float) -> float:
        return self.origin + (virtual - self.origin) / self.scale

    def now(self) -> float:
        return self.virtual(time.time())


@dataclass
class _Entry:
    schedule: Schedule
    anchor: float  # virtual
    due: float | None  # virtual; None: no more firings


Fire = Callable[[str, float], Awaitable[None]]  # fire(rule key, scheduled virtual time)


class EventScheduler(WakeableLoop):
    def __init__(self, store: Store, fire: Fire, scale: float = 1.0) -> None:
        self.store = store
        self.fire = fire
        self.clock = ScheduleClock(scale, time.time())
        self._entries: dict[str, _Entry] = {}
        super().__init__()

    async def start(self) -> None:
        self._start_loop()

    async def stop(self) -> None:
        await self._stop_loop()

    async def set(self, key: str, schedule: Schedule | None, anchor_real: float) -> None:
        """Schedule a rule (None: it no longer fires: disabled, deleted or without a schedule)."""
        if schedule is None:
            if self._entries.pop(key, None) is not None:
                await self.store.delete(TABLE, key)
            return
        record = await self.store.get(TABLE, key)
        last = None if record is None else record.value["last"]
        anchor = self.clock.virtual(anchor_real)
        entry = _Entry(schedule, anchor, None)
        entry.due = self._next(entry, max(anchor, last) if last is not None else anchor)
        self._entries[key] = entry
        self._wake.set()

    def next_due(self, key: str) -> float | None:
        """When a rule fires next (virtual time), or None when it is not scheduled."""
        entry = self._entries.get(key)
        return None if entry is None else entry.due

    def _next(self, entry: _Entry, after: float) -> float | None:
        due = entry.schedule.next_after(after, entry.anchor)
        now = self.clock.now()
        if due is not None and due < now - GRACE_SECONDS * self.clock.scale:
            due = entry.schedule.next_after(now, entry.anchor)  # missed while lamina was down: skip
        return due

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            due_keys = [(entry.due, key) for key, entry in self._entries.items() if entry.due is not None]
            if not due_keys:
                await self._wake.wait()
                continue
            due, key = min(due_keys)
            wait = self.clock.real(due) - time.time()
            if wait > 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except asyncio.TimeoutError:
                    pass
                continue  # the entries may have changed while sleeping: look again
            entry = self._entries[key]
            entry.due = self._next(entry, due)
            try:
                await self.store.put(TABLE, key, {"last": due})
                await self.fire(key, due)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("events: scheduled rule %s could not fire", key)
