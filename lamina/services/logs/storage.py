"""Log groups, streams and events in the store: what functions print, and PutLogEvents.

Groups and streams are created on first write, as Lambda does for
``/aws/lambda/<function>``. The engine's lines are buffered briefly and
committed together; PutLogEvents writes through, since it is acknowledged.
Lines carrying an Embedded Metric Format block become metrics as they are
written, as Lambda's log pipeline does
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from lamina.services.logs import embedded_metrics
from lamina.services.logs.lambda_format import LogFormats
from lamina.store.base import Store

if TYPE_CHECKING:
    from lamina.services.interfaces import MetricPublisher

log = logging.getLogger("lamina.logs")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS logs_groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        created INTEGER NOT NULL, retention_days INTEGER,
        stored INTEGER NOT NULL DEFAULT 0,  -- DescribeLogGroups' storedBytes, kept as events come and go
        UNIQUE (account, region, name))""",
    """CREATE TABLE IF NOT EXISTS logs_streams (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        grp INTEGER NOT NULL, name TEXT NOT NULL,
        created INTEGER NOT NULL, first_event INTEGER, last_event INTEGER, last_ingestion INTEGER,
        UNIQUE (grp, name))""",
    # Events name their group and stream by id: short index keys make the inserts of chatty functions cheap.
    """CREATE TABLE IF NOT EXISTS logs_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        grp INTEGER NOT NULL, stream INTEGER NOT NULL,
        ts INTEGER NOT NULL, ingested INTEGER NOT NULL, message TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS logs_events_stream ON logs_events (stream, ts, id)",
    "CREATE INDEX IF NOT EXISTS logs_events_group ON logs_events (grp, ts, id)",
]
# CloudWatch counts each event's message plus 26 bytes of overhead
# (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
EVENT_OVERHEAD = 26

Ident = tuple[str, str, str, str]  # account, region, group, stream


class LogStorage:
    """Writes are buffered and committed together a few times a second: one transaction for many
    invocations' lines instead of one each (the cost that dominated a warm invoke). Readers call
    ``flush()`` first, so they always see every line written before they asked."""

    FLUSH_DELAY = 0.05  # seconds; the most a line waits before it is visible to readers

    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("logs", SCHEMA)
        self._ids: dict[Ident, tuple[int, int]] = {}  # (group id, stream id) of streams written to
        self._pending: dict[Ident, list[tuple[int, str]]] = {}
        self._flush_handle: asyncio.TimerHandle | None = None
        # Set by the CloudWatch service when it is served: where EMF lines' metrics go.
        self.metrics: MetricPublisher | None = None
        self.lines_written = 0  # for the Prometheus endpoint
        self.formats = LogFormats()  # functions' LoggingConfig (JSON format, log levels)

    def write(self, account: str, region: str, group: str, stream: str,
              events: list[tuple[int, str]]) -> None:
        """Append ``(timestamp_ms, message)`` events, creating the group and stream when new."""
        if not events:
            return
        self._extract_metrics(account, region, group, events)
        events = self.formats.apply(account, region, group, events)
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

    def write_now(self, account: str, region: str, group: str, stream: str,
                  events: list[tuple[int, str]]) -> None:
        """Append events and commit them before returning (PutLogEvents is acknowledged)."""
        self._pending.setdefault((account, region, group, stream), []).extend(events)
        self.flush()

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
            self._append(pending, now)

    def ids(self, ident: Ident, now: int) -> tuple[int, int]:
        """(group id, stream id), creating the group and the stream when new."""
        found = self._ids.get(ident)
        if found is None:
            account, region, group, stream = ident
            self.store.execute(
                "INSERT INTO logs_groups (account, region, name, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (account, region, group, now))
            group_id = self.store.query("SELECT id FROM logs_groups WHERE account=? AND region=? AND name=?",
                                        (account, region, group))[0][0]
            self.store.execute(
                "INSERT INTO logs_streams (grp, name, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (group_id, stream, now))
            stream_id = self.store.query("SELECT id FROM logs_streams WHERE grp=? AND name=?",
                                         (group_id, stream))[0][0]
            found = self._ids[ident] = (group_id, stream_id)
        return found

    def _append(self, pending: dict[Ident, list[tuple[int, str]]], now: int) -> None:
        """Every stream's events in three statements: each warm environment has a stream of its own, so a batch
        touches dozens of streams of the same few groups."""
        rows: list[tuple[int, int, int, int, str]] = []
        streams: list[tuple[int, int, int, int, int, int]] = []
        stored: dict[int, int] = {}
        for ident, events in pending.items():
            group_id, stream_id = self.ids(ident, now)
            first = last = events[0][0]
            size = EVENT_OVERHEAD * len(events)
            for ts, message in events:  # one pass: a stream's events of one commit are few
                rows.append((group_id, stream_id, ts, now, message))
                if ts < first:
                    first = ts
                elif ts > last:
                    last = ts
                size += len(message) if message.isascii() else len(message.encode())
            streams.append((first, first, last, last, now, stream_id))
            stored[group_id] = stored.get(group_id, 0) + size
        self.store.executemany(
            "INSERT INTO logs_events (grp, stream, ts, ingested, message) VALUES (?, ?, ?, ?, ?)", rows)
        self.store.executemany(
            "UPDATE logs_streams SET first_event = CASE WHEN first_event IS NULL OR first_event > ? THEN ? "
            "ELSE first_event END, last_event = CASE WHEN last_event IS NULL OR last_event < ? THEN ? "
            "ELSE last_event END, last_ingestion = ? WHERE id = ?", streams)
        self.store.executemany("UPDATE logs_groups SET stored = stored + ? WHERE id = ?",
                               [(size, group_id) for group_id, size in stored.items()])
        self.lines_written += len(rows)

    def _extract_metrics(self, account: str, region: str, group: str, events: list[tuple[int, str]]) -> None:
        if self.metrics is None:
            return
        for ts, message in events:
            if '"_aws"' not in message:
                continue
            for namespace, data in embedded_metrics.metrics_of(message, ts):
                try:
                    self.metrics.put_metric_data(account, region, namespace, data)
                except Exception:  # a bad EMF line must never lose the log line itself
                    log.warning("embedded metrics in %s could not be recorded", group, exc_info=True)

    def forget_cached(self) -> None:
        """Forget the ids of streams (a group or stream was deleted: writes create them anew)."""
        self._ids.clear()
