"""Log groups, streams and events in the store: what functions print, and PutLogEvents.

Groups and streams are created on first write, as Lambda does for
``/aws/lambda/<function>``.
"""

from __future__ import annotations

import asyncio
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
    """Writes are buffered and committed together a few times a second: one transaction for many
    invocations' lines instead of one each (the cost that dominated a warm invoke). Readers call
    ``flush()`` first, so they always see every line written before they asked."""

    FLUSH_DELAY = 0.05  # seconds; the most a line waits before it is visible to readers

    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("logs", SCHEMA)
        self._known_streams: set[tuple[str, str, str, str]] = set()
        self._pending: dict[tuple[str, str, str, str], list[tuple[int, str]]] = {}
        self._flush_handle: asyncio.TimerHandle | None = None

    def write(self, account: str, region: str, group: str, stream: str,
              events: list[tuple[int, str]]) -> None:
        """Append ``(timestamp_ms, message)`` events, creating the group and stream when new."""
        if not events:
            return
        self._pending.setdefault((account, region, group, stream), []).extend(events)
        if self._flush_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()  # no event loop (a script or a test): write through
                return
            self._flush_handle = loop.call_later(self.FLUSH_DELAY, self.flush)

    def flush(self) -> None:
        """Commit every buffered event now."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        pending, self._pending = self._pending, {}
        if not pending:
            return
        now = int(time.time() * 1000)
        with self.store.transaction():
            for ident, events in pending.items():
                self._append(ident, events, now)

    def _append(self, ident: tuple[str, str, str, str], events: list[tuple[int, str]], now: int) -> None:
        account, region, group, stream = ident
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
        first = min(ts for ts, _ in events)
        last = max(ts for ts, _ in events)
        self.store.execute(
            "UPDATE log_streams SET first_event = COALESCE(MIN(first_event, ?), ?), "
            "last_event = MAX(COALESCE(last_event, 0), ?), last_ingestion = ? "
            "WHERE account=? AND region=? AND grp=? AND name=?",
            (first, first, last, now, account, region, group, stream))

    def forget_cached(self) -> None:
        self._known_streams.clear()
