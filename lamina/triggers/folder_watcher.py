"""Watching hot-reload folders with file-system notifications (watchfiles: inotify on Linux).

A task per folder sleeps in the kernel until something changes under it; no
CPU is spent while nothing changes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

import watchfiles

log = logging.getLogger("lamina.hot_reload")

OnChange = Callable[[str], Awaitable[None]]


class FolderWatcher:
    def __init__(self, on_change: OnChange) -> None:
        self.on_change = on_change
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stop = asyncio.Event()

    def watch(self, folder: str) -> None:
        if folder in self._tasks and not self._tasks[folder].done():
            return
        self._tasks[folder] = asyncio.get_running_loop().create_task(self._run(folder))

    def forget(self, folder: str) -> None:
        task = self._tasks.pop(folder, None)
        if task is not None:
            task.cancel()

    async def _run(self, folder: str) -> None:
        # A short step: the first invoke after a save must see the new code within a second.
        try:
            async for _ in watchfiles.awatch(folder, debounce=300, step=20, stop_event=self._stop):
                try:
                    await self.on_change(folder)
                except Exception:
                    log.exception("reacting to a change under %s failed", folder)
        except FileNotFoundError:
            log.warning("hot-reload folder %s is gone; it is no longer watched", folder)

    async def stop(self) -> None:
        self._stop.set()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
