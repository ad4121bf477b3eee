"""Logs Insights queries: StartQuery runs one in the background; GetQueryResults reads its state.

A query's record (status, results, statistics) is kept in the store, so results stay readable
after a restart; a query that was running when the process stopped is reported Failed.
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from lamina.services.logs.errors import InvalidParameterException, MalformedQueryException, ResourceNotFoundException
from lamina.services.logs.groups import Scope
from lamina.services.logs.insights_run import row_of, run
from lamina.services.logs.insights_syntax import QuerySyntaxError, parse_query
from lamina.services.logs.storage import LogStorage

log = logging.getLogger("lamina.logs")
TABLE = "logs:queries"
DEFAULT_LIMIT = 10_000
BATCH = 5_000


def _key(scope: Scope, query_id: str) -> str:
    return f"{scope.account}/{scope.region}/{query_id}"


class QueryRunner:
    def __init__(self, storage: LogStorage) -> None:
        self.storage = storage
        self.store = storage.store
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def start(self, scope: Scope, groups: dict[str, int], start: int, end: int, query: str,
                    limit: int | None) -> str:
        """``groups``: the log groups' ids by name."""
        if end < start:
            raise InvalidParameterException("endTime must be greater than or equal to startTime")
        try:
            commands = parse_query(query)
        except (QuerySyntaxError, ValueError) as error:
            raise MalformedQueryException(f"unexpected symbol found in query: {error}",
                                          queryCompileError={"message": str(error)}) from None
        query_id = str(uuid.uuid4())
        record = {"queryId": query_id, "queryString": query, "status": "Running", "createTime": int(time.time() * 1000),
                  "logGroupName": next(iter(groups)), "results": [], "statistics": {}}
        await self.store.put(TABLE, _key(scope, query_id), record)
        task = asyncio.get_running_loop().create_task(
            self._run(scope, query_id, record, groups, start, end, commands, limit or DEFAULT_LIMIT))
        self._tasks[query_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(query_id, None))
        return query_id

    async def _run(self, scope: Scope, query_id: str, record: dict[str, Any], groups: dict[str, int], start: int,
                   end: int, commands: list, limit: int) -> None:
        try:
            rows, scanned, size = await self._rows(scope, groups, start * 1000, end * 1000 + 999)
            results, matched = run(commands, rows, limit)
            record.update(status="Complete", results=results,
                          statistics={"recordsMatched": float(matched), "recordsScanned": float(scanned),
                                      "bytesScanned": float(size), "logGroupsScanned": float(len(groups))})
        except asyncio.CancelledError:
            record["status"] = "Cancelled"
            await self.store.put(TABLE, _key(scope, query_id), record)
            raise
        except Exception as error:
            log.exception("query %s failed", query_id)
            record.update(status="Failed", error=str(error))
        await self.store.put(TABLE, _key(scope, query_id), record)

    async def _rows(self, scope: Scope, groups: dict[str, int], start_ms: int, end_ms: int
                    ) -> tuple[list[dict[str, Any]], int, int]:
        self.storage.flush()
        rows, size = [], 0
        for name, group in groups.items():
            streams = dict(self.store.query("SELECT id, name FROM logs_streams WHERE grp=?", (group,)))
            after = 0
            while True:
                batch = self.store.query(
                    "SELECT id, ts, ingested, message, stream FROM logs_events WHERE grp=? AND ts >= ? AND ts <= ? "
                    "AND id > ? ORDER BY id LIMIT ?", (group, start_ms, end_ms, after, BATCH))
                for ident, ts, ingested, message, stream in batch:
                    rows.append(row_of(ts, ingested, message, streams.get(stream, ""), f"{scope.account}:{name}",
                                       str(ident)))
                    size += len(message)
                if len(batch) < BATCH:
                    break
                after = batch[-1][0]
                await asyncio.sleep(0)  # let requests in between batches of a long scan
        return rows, len(rows), size

    async def results(self, scope: Scope, query_id: str) -> dict[str, Any]:
        record = await self._record(scope, query_id)
        if record["status"] == "Running" and query_id not in self._tasks:
            record["status"] = "Failed"  # the process that ran it stopped
        return {"queryLanguage": "CWLI", "results": record["results"], "statistics": record["statistics"],
                "status": record["status"]}

    async def _record(self, scope: Scope, query_id: str) -> dict[str, Any]:
        found = await self.store.get(TABLE, _key(scope, query_id))
        if found is None:
            raise ResourceNotFoundException(f"Query does not exist: {query_id}")
        return found.value

    async def cancel(self, scope: Scope, query_id: str) -> bool:
        record = await self._record(scope, query_id)
        task = self._tasks.get(query_id)
        if record["status"] != "Running" or task is None:
            raise InvalidParameterException(f"Query {query_id} is not running.")
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return True

    async def describe(self, scope: Scope, group: str | None, status: str | None) -> list[dict[str, Any]]:
        found = []
        for item in await self.store.scan(TABLE, f"{scope.account}/{scope.region}/"):
            record = item.value
            if (group and record["logGroupName"] != group) or (status and record["status"] != status):
                continue
            found.append({k: record[k] for k in ("queryId", "queryString", "status", "createTime", "logGroupName")})
        return sorted(found, key=lambda q: q["createTime"], reverse=True)

    async def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
