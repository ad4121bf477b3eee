"""Log groups, streams and events in the store: what functions print, and PutLogEvents.

Groups and streams are created on first write, as Lambda does for
``/aws/lambda/<function>``.
"""

from __future__ import annotations

import time

from lamina.store.base import Store

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS log_groups (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        created INTEGER NOT NULL, retention_days INTEGER,
        PRIMARY KEY (account, region, name))""",
    """CREATE TABLE IF NOT EXISTS log_streams (
        account TEXT NOT NULL, region TEXT NOT NULL, grp TEXT NOT NULL, name TEXT NOT NULL,
        created INTEGER NOT NULL, first_event INTEGER, last_event INTEGER, last_ingestion INTEGER,
        PRIMARY KEY (account, region, grp, name))""",
    """CREATE TABLE IF NOT EXISTS log_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL, region TEXT NOT NULL, grp TEXT NOT NULL, stream TEXT NOT NULL,
        ts INTEGER NOT NULL, ingested INTEGER NOT NULL, message TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS log_events_stream ON log_events (account, region, grp, stream, ts, id)",
    "CREATE INDEX IF NOT EXISTS log_events_group ON log_events (account, region, grp, ts, id)",
]


class LogStorage:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("logs", SCHEMA)
        self._known_streams: set[tuple[str, str, str, str]] = set()

    def write(self, account: str, region: str, group: str, stream: str,
               events: list[tuple[int, str]]) -> None:
        """Append ``(timestamp_ms, message)`` events, creating the group and stream when new."""
        if not events:
            return
        now = int(time.time() * 1000)
        first = min(ts for ts, _ in events)
        last = max(ts for ts, _ in events)
        ident = (account, region, group, stream)
        with self.store.transaction():
            if ident not in self._known_streams:
                self.store.execute(
                    "INSERT INTO log_groups (account, region, name, created) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING", (account, region, group, now))
                self.store.execute(
                    "INSERT INTO log_streams (account, region, grp, name, created) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING", (account, region, group, stream, now))
                self._known_streams.add(ident)
            self.store.executemany(
                "INSERT INTO log_events (account, region, grp, stream, ts, ingested, message) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(account, region, group, stream, ts, now, message) for ts, message in events])
            self.store.execute(
                "UPDATE log_streams SET first_event = COALESCE(MIN(first_event, ?), ?), "
                "last_event = MAX(COALESCE(last_event, 0), ?), last_ingestion = ? "
                "WHERE account=? AND region=? AND grp=? AND name=?",
                (first, first, last, now, account, region, group, stream))

    def forget_cached(self) -> None:
        self._known_streams.clear()
