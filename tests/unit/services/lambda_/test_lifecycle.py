"""One update at a time: while an update is InProgress, another is refused with ResourceConflictException
(https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html). The integration test of concurrent
updates cannot make the InProgress window last (a lamina update settles in milliseconds); here the update's
settling waits for the test, so the refusal is seen every time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lamina.services.lambda_.errors import ResourceConflictException
from lamina.services.lambda_.functions import FunctionRecord, FunctionTable
from lamina.services.lambda_.lifecycle import Lifecycle, mark_updating
from lamina.store.sqlite import SqliteStore


def test_an_update_in_progress_refuses_another_until_it_settles(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lamina.db")
    functions = FunctionTable(store)
    lifecycle = Lifecycle(functions)

    async def scenario() -> None:
        record = FunctionRecord("000000000000", "us-east-1", "f",
                                {"State": "Active", "LastUpdateStatus": "Successful", "RevisionId": "r0"},
                                {"digest": "d"})
        await functions.insert(record)
        # An update as UpdateFunctionCode/Configuration makes one: claim, save InProgress, settle later.
        lifecycle.claim(record)
        record.config.update(RevisionId="r1")
        mark_updating(record.config)
        await functions.save(record)
        settling = asyncio.Event()
        lifecycle.settle_later(record, settling.wait)

        other = await functions.get("000000000000", "us-east-1", "f")
        assert other.config["LastUpdateStatus"] == "InProgress"
        with pytest.raises(ResourceConflictException) as refused:
            lifecycle.claim(other)
        assert str(refused.value) == ("The operation cannot be performed at this time. An update is in progress "
                                      "for resource: arn:aws:lambda:us-east-1:000000000000:function:f")

        settling.set()
        await lifecycle.drain()
        settled = await functions.get("000000000000", "us-east-1", "f")
        assert settled.config["LastUpdateStatus"] == "Successful" and settled.config["RevisionId"] == "r1"
        lifecycle.claim(settled)  # the next update may start
        assert lifecycle.busy(settled)

    try:
        asyncio.run(scenario())
    finally:
        store.close()
