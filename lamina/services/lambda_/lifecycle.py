"""Function states as Lambda reports them, and the one-update-at-a-time rule.

CreateFunction answers ``State: Pending`` and the function becomes
``Active`` once it is ready; updates answer ``LastUpdateStatus: InProgress``
and end ``Successful`` (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
While an update is in progress, another update is refused with
ResourceConflictException; an invocation waits for the function to be ready.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from lamina.services.lambda_.errors import ResourceConflictException
from lamina.services.lambda_.functions import FunctionRecord, FunctionTable

log = logging.getLogger("lamina.lambda")

PENDING = {"State": "Pending", "StateReason": "The function is being created.", "StateReasonCode": "Creating"}
UPDATING = {"LastUpdateStatus": "InProgress", "LastUpdateStatusReason": "The function is being created.",
            "LastUpdateStatusReasonCode": "Creating"}
_TRANSIENT = ("StateReason", "StateReasonCode", "LastUpdateStatusReason", "LastUpdateStatusReasonCode")


def mark_pending(config: dict) -> None:
    config.update(PENDING)
    config["LastUpdateStatus"] = "InProgress"


def mark_updating(config: dict) -> None:
    config.update(UPDATING)


def mark_ready(config: dict) -> None:
    for name in _TRANSIENT:
        config.pop(name, None)
    config["State"] = "Active"
    config["LastUpdateStatus"] = "Successful"


class Lifecycle:
    def __init__(self, functions: FunctionTable) -> None:
        self.functions = functions
        self._settling: dict[str, asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def busy(self, record: FunctionRecord) -> bool:
        return record.key in self._settling

    def refuse_if_busy(self, record: FunctionRecord) -> None:
        if record.key in self._settling:
            raise ResourceConflictException(
                "The operation cannot be performed at this time. An update is in progress for "
                f"resource: {record.arn}")

    def claim(self, record: FunctionRecord) -> None:
        """Reserve the function for one create/update until it settles."""
        self.refuse_if_busy(record)
        self._settling[record.key] = asyncio.get_running_loop().create_future()

    def release(self, record: FunctionRecord) -> None:
        future = self._settling.pop(record.key, None)
        if future is not None and not future.done():
            future.set_result(None)

    def settle_later(self, record: FunctionRecord,
                     before: Callable[[], Awaitable[None]] | None = None) -> None:
        """After the response is sent: run ``before`` (e.g. retire old environments), then mark ready."""
        task = asyncio.get_running_loop().create_task(self._settle(record, before))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, record: FunctionRecord, before: Callable[[], Awaitable[None]] | None) -> None:
        try:
            if before is not None:
                await before()
            current = await self.functions.find(record.account, record.region, record.name)
            if current is not None and current.config.get("RevisionId") == record.config.get("RevisionId"):
                mark_ready(current.config)
                await self.functions.save(current)
        except Exception:
            log.exception("could not settle function %s", record.arn)
        finally:
            self.release(record)

    async def wait_ready(self, record: FunctionRecord) -> None:
        future = self._settling.get(record.key)
        if future is not None:
            await asyncio.shield(future)

    async def recover(self, records: list[FunctionRecord]) -> None:
        """At start, given every function: finish what a crash interrupted (one left Pending or InProgress)."""
        for record in records:
            if record.config.get("State") == "Pending" or record.config.get("LastUpdateStatus") == "InProgress":
                mark_ready(record.config)
                await self.functions.save(record)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
