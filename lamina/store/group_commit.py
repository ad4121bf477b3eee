"""Group commit: the writes that arrive within one event-loop turn share one transaction.

A commit costs far more than the rows it carries (the WAL frames, the locks, the syscalls), and a
burst of requests - 32 connections each queueing an async invocation - reaches the store within the
same turn of the loop. Each writer hands over its rows and waits; the first one of a turn schedules
a flush for the next turn, which commits every waiting writer's rows together and only then releases
them. A writer is therefore answered only after the commit that holds its rows (a crash loses nothing
that was acknowledged), and a commit that fails fails every writer of its group.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Generic, TypeVar

Batch = TypeVar("Batch")
Result = TypeVar("Result")

# While another transaction is open on the connection (a caller awaiting inside ``transaction()``),
# the flush must not join it: it waits this long and looks again.
BUSY_RETRY_SECONDS = 0.001


class GroupCommit(Generic[Batch, Result]):
    def __init__(self, commit: Callable[[list[Batch]], list[Result]], busy: Callable[[], bool]) -> None:
        """``commit(batches)`` writes every batch in one transaction and returns one result per batch,
        in order; ``busy()`` says that a transaction is open and a flush now would become part of it."""
        self._commit = commit
        self._busy = busy
        self._batches: list[Batch] = []
        self._waiters: list[asyncio.Future[Result]] = []
        self._scheduled = False
        self.commits = 0  # how many group transactions were attempted (for tests and profiles)

    async def write(self, batch: Batch) -> Result:
        """Returns once ``batch`` is committed (raises what the commit raised if it failed)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Result] = loop.create_future()
        self._batches.append(batch)
        self._waiters.append(waiter)
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await waiter

    def _flush(self) -> None:
        if self._busy():
            asyncio.get_running_loop().call_later(BUSY_RETRY_SECONDS, self._flush)
            return
        batches, waiters = self._batches, self._waiters
        self._batches, self._waiters, self._scheduled = [], [], False
        self.commits += 1
        try:
            results = self._commit(batches)
        except Exception as error:  # every writer of the group learns of it
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        for waiter, result in zip(waiters, results):
            if not waiter.done():  # a cancelled writer: its rows are committed all the same
                waiter.set_result(result)
