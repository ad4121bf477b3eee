"""Log groups and streams: creating, describing, deleting, retention and tags.

Retention values are the ones PutRetentionPolicy accepts
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from lamina.services.logs.errors import (
    InvalidParameterException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from lamina.services.logs.storage import EVENT_OVERHEAD, LogStorage

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                  2922, 3288, 3653)
TAGS = "logs:tags"  # records: group ARN -> {"tags": {...}}


def group_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


@dataclass(frozen=True)
class Scope:
    account: str
    region: str


class LogGroups:
    def __init__(self, storage: LogStorage) -> None:
        self.storage = storage
        self.db = storage.store

    # groups
    def group_id(self, scope: Scope, name: str) -> int | None:
        self.storage.flush()  # lines written before the caller asked are part of the answer
        found = self.db.query("SELECT id FROM logs_groups WHERE account=? AND region=? AND name=?",
                              (scope.account, scope.region, name))
        return found[0][0] if found else None

    def exists(self, scope: Scope, name: str) -> bool:
        return self.group_id(scope, name) is not None

    def require(self, scope: Scope, name: str) -> int:
        found = self.group_id(scope, name)
        if found is None:
            raise ResourceNotFoundException("The specified log group does not exist.")
        return found

    def create(self, scope: Scope, name: str) -> None:
        if self.exists(scope, name):
            raise ResourceAlreadyExistsException("The specified log group already exists")
        self.db.execute("INSERT INTO logs_groups (account, region, name, created) VALUES (?, ?, ?, ?)",
                        (scope.account, scope.region, name, int(time.time() * 1000)))

    def delete(self, scope: Scope, name: str) -> None:
        group = self.require(scope, name)
        with self.db.transaction():
            self.db.execute("DELETE FROM logs_events WHERE grp=?", (group,))
            self.db.execute("DELETE FROM logs_streams WHERE grp=?", (group,))
            self.db.execute("DELETE FROM logs_groups WHERE id=?", (group,))
        self.storage.forget_cached()

    def describe(self, scope: Scope, prefix: str | None = None, pattern: str | None = None,
                 after: str | None = None, limit: int = 50, names: list[str] | None = None
                 ) -> tuple[list[dict[str, Any]], str | None]:
        self.storage.flush()
        sql = "SELECT name, created, retention_days, stored FROM logs_groups WHERE account=? AND region=? AND name > ?"
        args: list[Any] = [scope.account, scope.region, after or ""]
        if prefix:
            sql += " AND name >= ? AND name < ?"
            args += [prefix, prefix + "\U0010ffff"]
        rows = self.db.query(sql + " ORDER BY name", args)
        if pattern:
            rows = [r for r in rows if pattern.lower() in r[0].lower()]
        if names is not None:
            wanted = {n.rsplit(":log-group:", 1)[-1].removesuffix(":*") for n in names}
            rows = [r for r in rows if r[0] in wanted]
        page = rows[:limit]
        groups = []
        for name, created, retention, stored in page:
            arn = group_arn(scope.region, scope.account, name)
            group: dict[str, Any] = {"logGroupName": name, "creationTime": created, "metricFilterCount": 0,
                                     "arn": arn + ":*", "logGroupArn": arn, "storedBytes": stored,
                                     "logGroupClass": "STANDARD", "deletionProtectionEnabled": False}
            if retention:
                group["retentionInDays"] = retention
            groups.append(group)
        return groups, (page[-1][0] if len(rows) > limit else None)

    def set_retention(self, scope: Scope, name: str, days: int | None) -> None:
        if days is not None and days not in RETENTION_DAYS:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]")
        group = self.require(scope, name)
        self.db.execute("UPDATE logs_groups SET retention_days=? WHERE id=?", (days, group))

    # streams
    def stream_id(self, group: int, name: str) -> int | None:
        found = self.db.query("SELECT id FROM logs_streams WHERE grp=? AND name=?", (group, name))
        return found[0][0] if found else None

    def create_stream(self, scope: Scope, group_name: str, name: str) -> None:
        group = self.require(scope, group_name)
        if self.stream_id(group, name) is not None:
            raise ResourceAlreadyExistsException("The specified log stream already exists")
        self.db.execute("INSERT INTO logs_streams (grp, name, created) VALUES (?, ?, ?)",
                        (group, name, int(time.time() * 1000)))

    def require_stream(self, scope: Scope, group_name: str, name: str) -> tuple[int, int]:
        """(group id, stream id), or ResourceNotFoundException naming what is missing."""
        group = self.require(scope, group_name)
        stream = self.stream_id(group, name)
        if stream is None:
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return group, stream

    def delete_stream(self, scope: Scope, group_name: str, name: str) -> None:
        group, stream = self.require_stream(scope, group_name, name)
        with self.db.transaction():
            freed = self.db.query("SELECT COALESCE(SUM(LENGTH(message) + ?), 0) FROM logs_events WHERE stream=?",
                                  (EVENT_OVERHEAD, stream))[0][0]
            self.db.execute("DELETE FROM logs_events WHERE stream=?", (stream,))
            self.db.execute("DELETE FROM logs_streams WHERE id=?", (stream,))
            self.db.execute("UPDATE logs_groups SET stored = stored - ? WHERE id=?", (int(freed), group))
        self.storage.forget_cached()

    def streams(self, scope: Scope, group_name: str, prefix: str | None = None, order_by: str = "LogStreamName",
                descending: bool = False) -> list[dict[str, Any]]:
        group = self.require(scope, group_name)
        sql = "SELECT name, created, first_event, last_event, last_ingestion FROM logs_streams WHERE grp=?"
        args: list[Any] = [group]
        if prefix:
            sql += " AND name >= ? AND name < ?"
            args += [prefix, prefix + "\U0010ffff"]
        if order_by == "LastEventTime":
            sql += f" ORDER BY COALESCE(last_event, 0) {'DESC' if descending else 'ASC'}, name"
        else:
            sql += f" ORDER BY name {'DESC' if descending else 'ASC'}"
        streams = []
        for name, created, first, last, ingested in self.db.query(sql, args):
            stream: dict[str, Any] = {
                "logStreamName": name, "creationTime": created, "storedBytes": 0,
                "arn": f"{group_arn(scope.region, scope.account, group_name)}:log-stream:{name}"}
            if first is not None:
                stream.update(firstEventTimestamp=first, lastEventTimestamp=last, lastIngestionTime=ingested)
            streams.append(stream)
        return streams

    def stream_names(self, group: int) -> dict[int, str]:
        """Stream id -> name, for a group's events."""
        return dict(self.db.query("SELECT id, name FROM logs_streams WHERE grp=?", (group,)))
