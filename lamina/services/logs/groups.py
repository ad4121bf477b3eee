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
from lamina.services.logs.storage import LogStorage

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
    def exists(self, scope: Scope, name: str) -> bool:
        return bool(self.db.query("SELECT 1 FROM log_groups WHERE account=? AND region=? AND name=?",
                                  (scope.account, scope.region, name)))

    def require(self, scope: Scope, name: str) -> None:
        self.storage.flush()
        if not self.exists(scope, name):
            raise ResourceNotFoundException("The specified log group does not exist.")

    def create(self, scope: Scope, name: str) -> None:
        self.storage.flush()
        if self.exists(scope, name):
            raise ResourceAlreadyExistsException("The specified log group already exists")
        self.db.execute("INSERT INTO log_groups (account, region, name, created) VALUES (?, ?, ?, ?)",
                        (scope.account, scope.region, name, int(time.time() * 1000)))

    def delete(self, scope: Scope, name: str) -> None:
        self.require(scope, name)
        key = (scope.account, scope.region, name)
        with self.db.transaction():
            self.db.execute("DELETE FROM log_events WHERE account=? AND region=? AND grp=?", key)
            self.db.execute("DELETE FROM log_streams WHERE account=? AND region=? AND grp=?", key)
            self.db.execute("DELETE FROM log_group_bytes WHERE account=? AND region=? AND name=?", key)
            self.db.execute("DELETE FROM log_groups WHERE account=? AND region=? AND name=?", key)
        self.storage.forget_cached()

    def describe(self, scope: Scope, prefix: str | None = None, pattern: str | None = None,
                 after: str | None = None, limit: int = 50, names: list[str] | None = None
                 ) -> tuple[list[dict[str, Any]], str | None]:
        self.storage.flush()
        sql = ("SELECT g.name, g.created, g.retention_days, COALESCE(b.stored, 0) FROM log_groups g "
               "LEFT JOIN log_group_bytes b ON b.account=g.account AND b.region=g.region AND b.name=g.name "
               "WHERE g.account=? AND g.region=? AND g.name > ?")
        args: list[Any] = [scope.account, scope.region, after or ""]
        if prefix:
            sql += " AND g.name >= ? AND g.name < ?"
            args += [prefix, prefix + "\U0010ffff"]
        rows = self.db.query(sql + " ORDER BY g.name", args)
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
        self.require(scope, name)
        self.db.execute("UPDATE log_groups SET retention_days=? WHERE account=? AND region=? AND name=?",
                        (days, scope.account, scope.region, name))

    # streams
    def create_stream(self, scope: Scope, group: str, name: str) -> None:
        self.require(scope, group)
        if self.db.query("SELECT 1 FROM log_streams WHERE account=? AND region=? AND grp=? AND name=?",
                         (scope.account, scope.region, group, name)):
            raise ResourceAlreadyExistsException("The specified log stream already exists")
        self.db.execute("INSERT INTO log_streams (account, region, grp, name, created) VALUES (?, ?, ?, ?, ?)",
                        (scope.account, scope.region, group, name, int(time.time() * 1000)))

    def require_stream(self, scope: Scope, group: str, name: str) -> None:
        self.require(scope, group)
        if not self.db.query("SELECT 1 FROM log_streams WHERE account=? AND region=? AND grp=? AND name=?",
                             (scope.account, scope.region, group, name)):
            raise ResourceNotFoundException("The specified log stream does not exist.")

    def delete_stream(self, scope: Scope, group: str, name: str) -> None:
        self.require_stream(scope, group, name)
        key = (scope.account, scope.region, group, name)
        with self.db.transaction():
            freed = self.db.query("SELECT COALESCE(SUM(LENGTH(message) + 26), 0) FROM log_events "
                                  "WHERE account=? AND region=? AND grp=? AND stream=?", key)[0][0]
            self.db.execute("DELETE FROM log_events WHERE account=? AND region=? AND grp=? AND stream=?", key)
            self.db.execute("DELETE FROM log_streams WHERE account=? AND region=? AND grp=? AND name=?", key)
            self.storage.add_stored_bytes(scope.account, scope.region, group, -int(freed))
        self.storage.forget_cached()

    def streams(self, scope: Scope, group: str, prefix: str | None = None, order_by: str = "LogStreamName",
                descending: bool = False) -> list[dict[str, Any]]:
        self.require(scope, group)
        sql = ("SELECT name, created, first_event, last_event, last_ingestion FROM log_streams "
               "WHERE account=? AND region=? AND grp=?")
        args: list[Any] = [scope.account, scope.region, group]
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
                "arn": f"{group_arn(scope.region, scope.account, group)}:log-stream:{name}"}
            if first is not None:
                stream.update(firstEventTimestamp=first, lastEventTimestamp=last, lastIngestionTime=ingested)
            streams.append(stream)
        return streams

    def stream_names(self, scope: Scope, group: str) -> list[str]:
        return [r[0] for r in self.db.query("SELECT name FROM log_streams WHERE account=? AND region=? AND grp=?",
                                            (scope.account, scope.region, group))]
