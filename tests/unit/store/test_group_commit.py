"""Group commit: concurrent queue writes share one transaction, and nobody is answered before it commits."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from lamina.store.group_commit import GroupCommit
from lamina.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    found = SqliteStore(tmp_path / "lamina.db")
    yield found
    found.close()


def committed_payloads(store: SqliteStore) -> list[bytes]:
    """What another connection (a process started after a crash) would find."""
    with sqlite3.connect(store.path) as other:
        return [row[0] for row in other.execute("SELECT payload FROM queue_items ORDER BY id")]


def test_concurrent_enqueues_share_one_transaction_and_return_after_it(store: SqliteStore) -> None:
    seen_on_return: list[bool] = []

    async def enqueue(n: int) -> list[int]:
        ids = await store.enqueue("q", [b"%d" % n])
        seen_on_return.append(b"%d" % n in committed_payloads(store))
        return ids

    async def burst() -> list[list[int]]:
        return await asyncio.gather(*(enqueue(n) for n in range(20)))

    ids = asyncio.run(burst())
    assert store._queue_writes.commits == 1
    assert seen_on_return == [True] * 20
    assert sorted(payload for payload in committed_payloads(store)) == sorted(b"%d" % n for n in range(20))
    flat = [i for each in ids for i in each]
    assert len(set(flat)) == 20
    # Each caller's ids are the ids its payloads were stored under.
    with sqlite3.connect(store.path) as other:
        stored = dict(other.execute("SELECT id, payload FROM queue_items").fetchall())
    assert [stored[each[0]] for each in ids] == [b"%d" % n for n in range(20)]


def test_several_payloads_and_finishes_in_one_group(store: SqliteStore) -> None:
    first = asyncio.run(store.enqueue("q", [b"a", b"b", b"c"]))

    async def mixed() -> list:
        return await asyncio.gather(store.enqueue("q", [b"d", b"e"]), store.finish("q", first[:2]),
                                    store.enqueue("other", [b"f"]))

    added, _, other = asyncio.run(mixed())
    assert store._queue_writes.commits == 2
    assert committed_payloads(store) == [b"c", b"d", b"e", b"f"]
    assert len(added) == 2 and len(other) == 1 and max(first) < min(added) < max(added) < other[0]


def test_a_failed_commit_fails_every_writer_of_the_group() -> None:
    def commit(batches: list[int]) -> list[int]:
        raise sqlite3.OperationalError("disk I/O error")

    group: GroupCommit[int, int] = GroupCommit(commit, busy=lambda: False)

    async def burst() -> list:
        return await asyncio.gather(*(group.write(n) for n in range(5)), return_exceptions=True)

    results = asyncio.run(burst())
    assert group.commits == 1
    assert all(isinstance(result, sqlite3.OperationalError) for result in results)


def test_a_failed_commit_stores_nothing(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(writes: list) -> list:
        with store.transaction():
            store._write_queue(writes)
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store._queue_writes, "_commit", failing)

    async def burst() -> list:
        return await asyncio.gather(*(store.enqueue("q", [b"x"]) for _ in range(3)), return_exceptions=True)

    assert all(isinstance(result, sqlite3.OperationalError) for result in asyncio.run(burst()))
    assert committed_payloads(store) == []


def test_the_flush_waits_for_an_open_transaction_instead_of_joining_it(store: SqliteStore) -> None:
    async def scenario() -> tuple[bool, list[bytes]]:
        writer = asyncio.ensure_future(store.enqueue("q", [b"later"]))
        await asyncio.sleep(0)  # the writer has handed its rows over; the flush is due next
        store.db.execute("BEGIN IMMEDIATE")  # as if some code awaited inside a transaction
        await asyncio.sleep(0.01)
        released_early = writer.done()
        store.db.execute("ROLLBACK")  # the other transaction ends without the queued row
        await writer
        return released_early, committed_payloads(store)

    released_early, stored = asyncio.run(scenario())
    assert not released_early
    assert stored == [b"later"]


def test_an_enqueue_inside_a_transaction_is_part_of_it(store: SqliteStore) -> None:
    async def scenario() -> None:
        with pytest.raises(RuntimeError):
            with store.transaction():
                await store.enqueue("q", [b"rolled back"])
                raise RuntimeError("the enclosing transaction fails")

    asyncio.run(scenario())
    assert committed_payloads(store) == []


def test_a_commit_that_fails_is_rolled_back_and_the_next_group_commits(store: SqliteStore,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    class FailingCommit:
        """The connection, except that the next COMMIT fails as a busy database's would."""

        def __init__(self, db: sqlite3.Connection) -> None:
            self.db, self.fail = db, True

        def execute(self, sql: str, *args):  # type: ignore[no-untyped-def]
            if sql == "COMMIT" and self.fail:
                self.fail = False
                raise sqlite3.OperationalError("database is locked")
            return self.db.execute(sql, *args)

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.db, name)

    monkeypatch.setattr(store, "db", FailingCommit(store.db))

    async def two_groups() -> tuple[list, list]:
        first = await asyncio.gather(store.enqueue("q", [b"lost"]), return_exceptions=True)
        second = await asyncio.gather(store.enqueue("q", [b"kept"]))
        return first, second

    first, _ = asyncio.run(two_groups())
    assert isinstance(first[0], sqlite3.OperationalError)
    assert committed_payloads(store) == [b"kept"]
