"""The SQLite backend: one file in the data dir, WAL journal.

``synchronous=NORMAL`` in WAL mode makes every commit reach the operating
system before the call returns, so an acknowledged write survives ``kill -9``
of the process (only a power loss could cost the last commits). Calls run on
the event loop's thread: single-row statements take microseconds, and running
them inline keeps writes ordered without locks.

Queue writes (enqueue, finish) go through a group commit (group_commit.py): the
writers of one loop turn share one transaction, which is what lets a burst of
async invocations be acknowledged at thousands per second.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import orjson

from lamina.store.base import ANY, Delete, PreconditionFailed, Put, QueueItem, Record, Store
from lamina.store.group_commit import GroupCommit

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (tbl, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS queue_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    visible_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed INTEGER NOT NULL DEFAULT 0,
    enqueued_at REAL NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_items_ready ON queue_items (queue, visible_at, id);
"""


# Records read recently, as stored, and keys found to have none: the hot paths read the same few records
# again and again (a function's configuration on every invoke, its resource policy, often absent). Every
# write goes through ``_put``/``_delete``, which drop the entry, and only reads outside a transaction fill
# it, so a rolled-back write is never remembered.
RECENT_LIMIT = 4096

# What _recent remembers of a key that has no record (looked up on hot paths too: a function without a
# resource policy is asked for it on every invoke).
_ABSENT: tuple[int, bytes] = (0, b"")

# A queue write waiting for the group commit: ("enqueue", queue, payloads, delay) or ("finish", queue, ids).
QueueWrite = tuple[str, str, list[Any], float]


class SqliteStore(Store):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._recent: dict[tuple[str, str], tuple[int, bytes]] = {}
        # The same records parsed, for readers that promise not to change them (get_shared); dropped with
        # their entry in _recent.
        self._shared: dict[tuple[str, str], Record] = {}
        self.path = path
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL, not FULL: in WAL mode a commit is written to the WAL file (the OS has it) before COMMIT
        # returns, which survives kill -9 of the process - the crash lamina promises to survive; FULL would
        # add an fsync per commit, which only a power loss needs. Not OFF: that risks corruption on power loss.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(SCHEMA)
        self._queue_writes: GroupCommit[QueueWrite, list[int]] = GroupCommit(
            self._commit_queue_writes, lambda: self.db.in_transaction)

    # -- records -----------------------------------------------------------------
    def _get(self, table: str, key: str) -> Record | None:
        found = self._recent.get((table, key))
        if found is None:
            found = self.db.execute("SELECT version, value FROM records WHERE tbl=? AND key=?",
                                    (table, key)).fetchone() or _ABSENT
            if not self.db.in_transaction:
                if len(self._recent) >= RECENT_LIMIT:
                    self._recent.clear()
                    self._shared.clear()
                self._recent[(table, key)] = found
        if found is _ABSENT:
            return None
        return Record(key, orjson.loads(found[1]), found[0])  # a fresh value: callers may change it

    def _check(self, table: str, key: str, if_version: Any) -> int | None:
        row = self.db.execute("SELECT version FROM records WHERE tbl=? AND key=?", (table, key)).fetchone()
        found = row[0] if row else None
        if if_version is not ANY and if_version != found:
            raise PreconditionFailed(table, key, if_version, found)
        return found

    def _put(self, op: Put) -> Record:
        self._recent.pop((op.table, op.key), None)
        self._shared.pop((op.table, op.key), None)
        found = self._check(op.table, op.key, op.if_version)
        version = (found or 0) + 1
        self.db.execute(
            "INSERT INTO records (tbl, key, version, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (tbl, key) DO UPDATE SET version=excluded.version, value=excluded.value",
            (op.table, op.key, version, orjson.dumps(op.value)))
        return Record(op.key, op.value, version)

    def _delete(self, op: Delete) -> bool:
        self._recent.pop((op.table, op.key), None)
        self._shared.pop((op.table, op.key), None)
        found = self._check(op.table, op.key, op.if_version)
        if found is None:
            return False
        self.db.execute("DELETE FROM records WHERE tbl=? AND key=?", (op.table, op.key))
        return True

    async def get(self, table: str, key: str) -> Record | None:
        return self._get(table, key)

    async def get_shared(self, table: str, key: str) -> Record | None:
        found = self._shared.get((table, key))
        if found is None:
            found = self._get(table, key)
            if found is not None and (table, key) in self._recent:  # kept only where _recent keeps it
                self._shared[(table, key)] = found
        return found

    async def put(self, table: str, key: str, value: dict[str, Any], *, if_version: Any = ANY) -> Record:
        if if_version is ANY:
            return self._put(Put(table, key, value))
        return (await self.apply([Put(table, key, value, if_version)]))[0]  # type: ignore[return-value]

    async def delete(self, table: str, key: str, *, if_version: Any = ANY) -> bool:
        return bool((await self.apply([Delete(table, key, if_version)]))[0])

    async def scan(self, table: str, prefix: str = "", *, after: str | None = None,
                   limit: int | None = None) -> list[Record]:
        sql = "SELECT key, version, value FROM records WHERE tbl=? AND key >= ?"
        args: list[Any] = [table, prefix]
        if prefix:
            # Every key with the prefix sorts below prefix + U+10FFFF.
            sql += " AND key < ?"
            args.append(prefix + "\U0010ffff")
        if after is not None:
            sql += " AND key > ?"
            args.append(after)
        sql += " ORDER BY key"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [Record(k, orjson.loads(v), ver) for k, ver, v in self.db.execute(sql, args)]

    async def apply(self, ops: list[Put | Delete]) -> list[Record | bool]:
        with self.transaction():
            return [self._put(op) if isinstance(op, Put) else self._delete(op) for op in ops]

    # -- queues ------------------------------------------------------------------
    async def enqueue(self, queue: str, payloads: list[bytes], *, delay: float = 0.0) -> list[int]:
        if self.db.in_transaction:  # inside a caller's transaction: part of it, as any other write
            return self._write_queue([("enqueue", queue, payloads, delay)])[0]
        return await self._queue_writes.write(("enqueue", queue, payloads, delay))

    async def claim(self, queue: str, limit: int, lease_seconds: float) -> list[QueueItem]:
        now = time.time()
        with self.transaction():
            rows = self.db.execute(
                "SELECT id, payload, attempts, enqueued_at FROM queue_items "
                "WHERE queue=? AND visible_at<=? ORDER BY visible_at, id LIMIT ?",
                (queue, now, limit)).fetchall()
            if rows:
                self.db.executemany(
                    "UPDATE queue_items SET visible_at=?, attempts=attempts+1, claimed=1 WHERE id=?",
                    [(now + lease_seconds, row[0]) for row in rows])
        return [QueueItem(row[0], row[1], row[2], row[3]) for row in rows]

    async def finish(self, queue: str, ids: list[int]) -> None:
        if self.db.in_transaction:
            self._write_queue([("finish", queue, ids, 0.0)])
        else:
            await self._queue_writes.write(("finish", queue, ids, 0.0))

    def _commit_queue_writes(self, writes: list[QueueWrite]) -> list[list[int]]:
        with self.transaction():
            return self._write_queue(writes)

    def _write_queue(self, writes: list[QueueWrite]) -> list[list[int]]:
        """Every write's rows with one executemany per kind; returns each write's new item ids."""
        now = time.time()
        inserts = [(queue, now + delay, now, payload)
                   for kind, queue, payloads, delay in writes if kind == "enqueue" for payload in payloads]
        deletes = [(queue, item) for kind, queue, ids, _ in writes if kind == "finish" for item in ids]
        results: list[list[int]] = []
        next_id = 0
        if inserts:
            self.db.executemany(
                "INSERT INTO queue_items (queue, visible_at, enqueued_at, payload) VALUES (?, ?, ?, ?)", inserts)
            # AUTOINCREMENT gives each row one more than the largest id ever used, and this transaction is the
            # only writer: the rows just inserted hold the consecutive ids that end at the last one.
            next_id = self.db.execute("SELECT last_insert_rowid()").fetchone()[0] - len(inserts) + 1
        for kind, _, items, _ in writes:
            if kind == "enqueue":
                results.append(list(range(next_id, next_id + len(items))))
                next_id += len(items)
            else:
                results.append([])
        if deletes:
            self.db.executemany("DELETE FROM queue_items WHERE queue=? AND id=?", deletes)
        return results

    async def retry_later(self, queue: str, item_id: int, delay: float, payload: bytes | None = None) -> None:
        if payload is None:
            self.db.execute("UPDATE queue_items SET visible_at=?, claimed=0 WHERE queue=? AND id=?",
                            (time.time() + delay, queue, item_id))
        else:
            self.db.execute("UPDATE queue_items SET visible_at=?, payload=?, claimed=0 WHERE queue=? AND id=?",
                            (time.time() + delay, payload, queue, item_id))

    async def release_claims(self, queue: str) -> int:
        return self.db.execute("UPDATE queue_items SET visible_at=?, claimed=0 WHERE queue=? AND claimed=1",
                               (time.time(), queue)).rowcount

    async def next_visible_at(self, queue: str) -> float | None:
        row = self.db.execute("SELECT MIN(visible_at) FROM queue_items WHERE queue=?", (queue,)).fetchone()
        return row[0] if row else None

    async def queue_depth(self, queue: str) -> int:
        return self.db.execute("SELECT count(*) FROM queue_items WHERE queue=?", (queue,)).fetchone()[0]

    # -- service-owned tables ------------------------------------------------------
    def ensure_schema(self, name: str, statements: list[str]) -> None:
        with self.transaction():
            for statement in statements:
                self.db.execute(statement)

    def execute(self, sql: str, args: tuple | list = ()) -> int:
        return self.db.execute(sql, args).rowcount

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        with self.transaction():
            self.db.executemany(sql, rows)

    def query(self, sql: str, args: tuple | list = ()) -> list[tuple]:
        return self.db.execute(sql, args).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.db.in_transaction:
            yield  # nested: part of the enclosing transaction
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            # A COMMIT that fails (SQLITE_BUSY, I/O) leaves the transaction open: every later write, a whole
            # group commit among them, would wait behind it or silently join it. Nothing of it was acknowledged.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()
