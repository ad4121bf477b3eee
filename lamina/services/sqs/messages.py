"""Messages in the store: one row each in a service-owned table.

A message is visible when ``visible_at`` has passed: sending sets it to the
send time plus any delay, receiving to the end of the visibility timeout. So
"what can be received now" is one range of the (queue, visible_at) index, and
"when does the next message become visible" is the first entry after now, which
long polling sleeps until. ``seq`` orders messages as they were sent (FIFO
order) and is the row key. Rows are small and statements single: the store
runs them on the event loop's thread.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import orjson

from lamina.store import Store

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS sqs_messages ("
    " seq INTEGER PRIMARY KEY, queue INTEGER NOT NULL, message_id TEXT NOT NULL,"
    " visible_at REAL NOT NULL, sent_at REAL NOT NULL, expires_at REAL NOT NULL,"
    " receives INTEGER NOT NULL DEFAULT 0, first_received_at REAL, receipt TEXT,"
    " group_id TEXT, dedup_id TEXT, md5 TEXT NOT NULL, body TEXT NOT NULL, extra BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sqs_messages_visible ON sqs_messages (queue, visible_at)",
    # FIFO order within a message group; standard messages without a group stay out of it.
    "CREATE INDEX IF NOT EXISTS sqs_messages_group ON sqs_messages (queue, group_id, seq) "
    "WHERE group_id IS NOT NULL",
    # FIFO deduplication ids, remembered for the 5-minute deduplication interval.
    "CREATE TABLE IF NOT EXISTS sqs_dedup ("
    " queue INTEGER NOT NULL, scope TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (queue, scope, dedup_id))",
]
_COLUMNS = ("seq, message_id, body, md5, extra, sent_at, receives, first_received_at, group_id, dedup_id, "
            "expires_at, visible_at, receipt")


@dataclass(slots=True)
class Message:
    """A message as stored; ``extra`` holds what only some messages have (attributes, trace header,
    sender, dead-letter source)."""

    seq: int
    message_id: str
    body: str
    md5: str
    extra: dict[str, Any]
    sent_at: float
    receives: int = 0
    first_received_at: float | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    expires_at: float = 0.0
    visible_at: float = 0.0
    receipt: str | None = None
    handle: str = field(default="")  # set when the message is handed out by a receive

    @property
    def attributes(self) -> dict[str, dict[str, Any]] | None:
        found = self.extra.get("a")
        if not found:
            return None
        return {name: ({"DataType": v["DataType"], "BinaryValue": base64.b64decode(v["BinaryValue"])}
                       if "BinaryValue" in v else v) for name, v in found.items()}


def pack_extra(attributes: dict[str, dict[str, Any]] | None, **fields: Any) -> dict[str, Any]:
    extra = {k: v for k, v in fields.items() if v is not None}
    if attributes:
        extra["a"] = {name: ({"DataType": v["DataType"], "BinaryValue": base64.b64encode(v["BinaryValue"]).decode()}
                             if "BinaryValue" in v else v) for name, v in attributes.items()}
    return extra


def _message(row: tuple) -> Message:
    return Message(row[0], row[1], row[2], row[3], orjson.loads(row[4]), row[5], row[6], row[7], row[8], row[9],
                   row[10], row[11], row[12])


class MessageTable:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("sqs-messages", SCHEMA)
        row = store.query("SELECT MAX(seq) FROM sqs_messages")
        self._next_seq = (row[0][0] or 0) + 1

    def next_seq(self) -> int:
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def insert(self, queue_id: int, messages: list[Message]) -> None:
        rows = [(m.seq, queue_id, m.message_id, m.visible_at, m.sent_at, m.expires_at, m.receives, m.group_id,
                 m.dedup_id, m.md5, m.body, orjson.dumps(m.extra)) for m in messages]
        sql = ("INSERT INTO sqs_messages (seq, queue, message_id, visible_at, sent_at, expires_at, receives, "
               "group_id, dedup_id, md5, body, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        if len(rows) == 1:
            self.store.execute(sql, rows[0])
        else:
            self.store.executemany(sql, rows)

    def visible(self, queue_id: int, now: float, limit: int) -> list[Message]:
        """Messages receivable now, those visible longest first."""
        rows = self.store.query(f"SELECT {_COLUMNS} FROM sqs_messages WHERE queue=? AND visible_at<=? "
                                "ORDER BY visible_at LIMIT ?", (queue_id, now, limit))
        return [_message(row) for row in rows]

    def visible_groups(self, queue_id: int, now: float, limit: int) -> list[str]:
        """FIFO: message groups with a visible message, the group of the oldest message first."""
        rows = self.store.query("SELECT group_id, MIN(seq) FROM sqs_messages WHERE queue=? AND visible_at<=? "
                                "GROUP BY group_id ORDER BY 2 LIMIT ?", (queue_id, now, limit))
        return [row[0] for row in rows]

    def group_in_flight(self, queue_id: int, group_id: str, now: float) -> bool:
        rows = self.store.query("SELECT 1 FROM sqs_messages WHERE queue=? AND group_id=? AND visible_at>? "
                                "AND receives>0 LIMIT 1", (queue_id, group_id, now))
        return bool(rows)

    def group_head(self, queue_id: int, group_id: str, limit: int) -> list[Message]:
        rows = self.store.query(f"SELECT {_COLUMNS} FROM sqs_messages WHERE queue=? AND group_id=? "
                                "ORDER BY seq LIMIT ?", (queue_id, group_id, limit))
        return [_message(row) for row in rows]

    def mark_received(self, queue_id: int, messages: list[Message]) -> None:
        self.store.executemany(
            "UPDATE sqs_messages SET visible_at=?, receives=?, first_received_at=?, receipt=? WHERE seq=?",
            [(m.visible_at, m.receives, m.first_received_at, m.receipt, m.seq) for m in messages])

    def get(self, queue_id: int, seq: int) -> Message | None:
        rows = self.store.query(f"SELECT {_COLUMNS} FROM sqs_messages WHERE seq=? AND queue=?", (seq, queue_id))
        return _message(rows[0]) if rows else None

    def delete(self, seqs: list[int]) -> None:
        if len(seqs) == 1:
            self.store.execute("DELETE FROM sqs_messages WHERE seq=?", (seqs[0],))
        elif seqs:
            self.store.executemany("DELETE FROM sqs_messages WHERE seq=?", [(s,) for s in seqs])

    def delete_received(self, seq: int, token: str) -> bool:
        """Delete the message if ``token`` is its latest receive's; False when nothing was deleted."""
        return bool(self.store.execute("DELETE FROM sqs_messages WHERE seq=? AND receipt=?", (seq, token)))

    def set_visible_at(self, seq: int, visible_at: float) -> None:
        self.store.execute("UPDATE sqs_messages SET visible_at=? WHERE seq=?", (visible_at, seq))

    def next_visible_at(self, queue_id: int, now: float) -> float | None:
        rows = self.store.query("SELECT MIN(visible_at) FROM sqs_messages WHERE queue=? AND visible_at>?",
                                (queue_id, now))
        return rows[0][0] if rows else None

    def counts(self, queue_id: int, now: float) -> tuple[int, int, int]:
        """(visible, in flight, delayed), as ApproximateNumberOfMessages{,NotVisible,Delayed}."""
        rows = self.store.query(
            "SELECT SUM(CASE WHEN visible_at<=? THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN visible_at>? AND receives>0 THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN visible_at>? AND receives=0 THEN 1 ELSE 0 END)"
            " FROM sqs_messages WHERE queue=? AND expires_at>?", (now, now, now, queue_id, now))
        visible, in_flight, delayed = rows[0]
        return visible or 0, in_flight or 0, delayed or 0

    def oldest(self, queue_id: int, limit: int, now: float) -> list[Message]:
        """Visible messages in the order they were sent (message move tasks)."""
        rows = self.store.query(f"SELECT {_COLUMNS} FROM sqs_messages WHERE queue=? AND visible_at<=? "
                                "ORDER BY seq LIMIT ?", (queue_id, now, limit))
        return [_message(row) for row in rows]

    def purge(self, queue_id: int, sent_before: float) -> int:
        return self.store.execute("DELETE FROM sqs_messages WHERE queue=? AND sent_at<=?", (queue_id, sent_before))

    def drop_queue(self, queue_id: int) -> None:
        with self.store.transaction():
            self.store.execute("DELETE FROM sqs_messages WHERE queue=?", (queue_id,))
            self.store.execute("DELETE FROM sqs_dedup WHERE queue=?", (queue_id,))

    def expire_range(self, after_seq: int, count: int, now: float) -> tuple[int, int]:
        """Delete messages past their retention among the ``count`` rows after ``after_seq``;
        returns (last seq looked at, or 0 at the end; rows deleted)."""
        rows = self.store.query("SELECT seq, expires_at FROM sqs_messages WHERE seq>? ORDER BY seq LIMIT ?",
                                (after_seq, count))
        if not rows:
            return 0, 0
        expired = [row[0] for row in rows if row[1] <= now]
        self.delete(expired)
        return rows[-1][0], len(expired)

    # -- FIFO deduplication ------------------------------------------------------------------------
    def duplicate_of(self, queue_id: int, scope: str, dedup_id: str, now: float) -> tuple[str, int] | None:
        rows = self.store.query("SELECT message_id, seq FROM sqs_dedup WHERE queue=? AND scope=? AND dedup_id=? "
                                "AND expires_at>?", (queue_id, scope, dedup_id, now))
        return (rows[0][0], rows[0][1]) if rows else None

    def remember_dedup(self, queue_id: int, scope: str, dedup_id: str, message_id: str, seq: int,
                       expires_at: float) -> None:
        self.store.execute("DELETE FROM sqs_dedup WHERE queue=? AND scope=? AND dedup_id=?", (queue_id, scope, dedup_id))
        self.store.execute("INSERT INTO sqs_dedup (queue, scope, dedup_id, message_id, seq, expires_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (queue_id, scope, dedup_id, message_id, seq, expires_at))

    def forget_dedup(self, now: float) -> None:
        self.store.execute("DELETE FROM sqs_dedup WHERE expires_at<=?", (now,))
