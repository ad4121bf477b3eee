"""A background loop that sleeps until it is woken or due, and stops on request (queue workers, schedules)."""

from __future__ import annotations

import asyncio


class WakeableLoop:
    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def _loop(self) -> None:
        """Runs until ``_stopping``; waits on ``_wake`` (cleared at the top of each round)."""
        raise NotImplementedError

    def _start_loop(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _stop_loop(self) -> None:
        # A flag as well as cancel(): asyncio.wait_for can swallow a cancellation that meets a wake-up.
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
