"""Queues: their records in the store, and an in-memory index of them.

Every request names a queue, so lookups must cost nothing: all queues are
loaded at start and kept in memory (a cache, ARCHITECTURE.md §5); each change is
written to the store before it is answered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator

import orjson

from lamina.services.sqs import attributes as attrs
from lamina.services.sqs.addresses import QueueAddress
from lamina.store import Store

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS sqs_queues ("
    " id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,"
    " attributes TEXT NOT NULL, tags TEXT NOT NULL, created REAL NOT NULL, modified REAL NOT NULL,"
    " purged_at REAL NOT NULL DEFAULT 0, UNIQUE (account, region, name))",
    # Names of deleted queues, which AWS keeps from reuse for 60 seconds.
    "CREATE TABLE IF NOT EXISTS sqs_deleted_queues ("
    " account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, deleted_at REAL NOT NULL,"
    " PRIMARY KEY (account, region, name))",
]


@dataclass
class Queue:
    id: int
    address: QueueAddress
    attributes: dict[str, str]  # settable attributes, normalised (see attributes.py)
    tags: dict[str, str]
    created: float
    modified: float
    purged_at: float = 0.0
    # Derived from attributes on every change, so the hot paths read plain fields.
    fifo: bool = field(init=False)
    visibility_timeout: int = field(init=False)
    delay: int = field(init=False)
    retention: int = field(init=False)
    max_size: int = field(init=False)
    wait: int = field(init=False)
    content_dedup: bool = field(init=False)
    dedup_per_group: bool = field(init=False)
    redrive: attrs.RedrivePolicy | None = field(init=False)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        a = self.attributes
        self.fifo = self.address.name.endswith(".fifo")
        self.visibility_timeout = int(a["VisibilityTimeout"])
        self.delay = int(a["DelaySeconds"])
        self.retention = int(a["MessageRetentionPeriod"])
        self.max_size = int(a["MaximumMessageSize"])
        self.wait = int(a["ReceiveMessageWaitTimeSeconds"])
        self.content_dedup = a.get("ContentBasedDeduplication") == "true"
        self.dedup_per_group = a.get("DeduplicationScope") == "messageGroup"
        self.redrive = attrs.redrive_policy(a)

    @property
    def arn(self) -> str:
        return self.address.arn

    @property
    def name(self) -> str:
        return self.address.name


class QueueTable:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("sqs-queues", SCHEMA)
        self._by_address: dict[QueueAddress, Queue] = {}
        self._by_id: dict[int, Queue] = {}
        self._next_id = 1

    def load(self) -> None:
        rows = self.store.query("SELECT id, account, region, name, attributes, tags, created, modified, purged_at "
                                "FROM sqs_queues")
        for row in rows:
            self._remember(Queue(row[0], QueueAddress(row[1], row[2], row[3]), orjson.loads(row[4]),
                                 orjson.loads(row[5]), row[6], row[7], row[8]))
        self._next_id = max(self._by_id, default=0) + 1

    def _remember(self, queue: Queue) -> None:
        self._by_address[queue.address] = queue
        self._by_id[queue.id] = queue

    def find(self, address: QueueAddress) -> Queue | None:
        return self._by_address.get(address)

    def by_id(self, queue_id: int) -> Queue | None:
        return self._by_id.get(queue_id)

    def in_region(self, account: str, region: str) -> Iterator[Queue]:
        for queue in self._by_address.values():
            if queue.address.account == account and queue.address.region == region:
                yield queue

    def all(self) -> list[Queue]:
        return list(self._by_id.values())

    def deleted_since(self, address: QueueAddress, since: float) -> bool:
        rows = self.store.query("SELECT deleted_at FROM sqs_deleted_queues WHERE account=? AND region=? AND name=?",
                                (address.account, address.region, address.name))
        return bool(rows) and rows[0][0] > since

    def create(self, address: QueueAddress, attributes: dict[str, str], tags: dict[str, str]) -> Queue:
        now = time.time()
        queue = Queue(self._next_id, address, attributes, dict(tags), now, now)
        self._next_id += 1
        self.store.execute(
            "INSERT INTO sqs_queues (id, account, region, name, attributes, tags, created, modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (queue.id, address.account, address.region, address.name, orjson.dumps(attributes).decode(),
             orjson.dumps(queue.tags).decode(), now, now))
        self._remember(queue)
        return queue

    def save(self, queue: Queue, *, touched: bool = True) -> None:
        """Write the queue's attributes, tags and purge time (``touched``: its attributes changed)."""
        if touched:
            queue.modified = time.time()
        queue.refresh()
        self.store.execute("UPDATE sqs_queues SET attributes=?, tags=?, modified=?, purged_at=? WHERE id=?",
                           (orjson.dumps(queue.attributes).decode(), orjson.dumps(queue.tags).decode(),
                            queue.modified, queue.purged_at, queue.id))

    def delete(self, queue: Queue) -> None:
        address = queue.address
        with self.store.transaction():
            self.store.execute("DELETE FROM sqs_queues WHERE id=?", (queue.id,))
            self.store.execute("DELETE FROM sqs_deleted_queues WHERE account=? AND region=? AND name=?",
                               (address.account, address.region, address.name))
            self.store.execute("INSERT INTO sqs_deleted_queues (account, region, name, deleted_at) VALUES (?, ?, ?, ?)",
                               (address.account, address.region, address.name, time.time()))
        self._by_address.pop(address, None)
        self._by_id.pop(queue.id, None)
