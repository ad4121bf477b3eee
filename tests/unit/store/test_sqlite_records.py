"""SQLite records: reads see every write, including through the read cache of recent records."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lamina.store.base import Delete, PreconditionFailed, Put
from lamina.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    found = SqliteStore(tmp_path / "lamina.db")
    yield found
    found.close()


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_a_read_sees_the_latest_write_and_a_delete(store: SqliteStore) -> None:
    run(store.put("t", "k", {"n": 1}))
    assert run(store.get("t", "k")).value == {"n": 1}
    run(store.put("t", "k", {"n": 2}))
    record = run(store.get("t", "k"))
    assert (record.value, record.version) == ({"n": 2}, 2)
    run(store.delete("t", "k"))
    assert run(store.get("t", "k")) is None


def test_changing_a_returned_value_changes_nothing_stored(store: SqliteStore) -> None:
    run(store.put("t", "k", {"config": {"Timeout": 3}}))
    run(store.get("t", "k")).value["config"]["Timeout"] = 900
    assert run(store.get("t", "k")).value == {"config": {"Timeout": 3}}


def test_a_rolled_back_write_is_never_read(store: SqliteStore) -> None:
    run(store.put("t", "a", {"n": 1}))
    run(store.get("t", "a"))  # remembered
    with pytest.raises(PreconditionFailed):
        # The first write applies inside the transaction, the second fails its precondition: all roll back.
        run(store.apply([Put("t", "a", {"n": 2}), Put("t", "b", {"n": 1}, if_version=7)]))
    assert run(store.get("t", "a")).value == {"n": 1}
    assert run(store.get("t", "b")) is None


def test_reads_inside_a_transaction_are_not_remembered(store: SqliteStore) -> None:
    run(store.put("t", "a", {"n": 1}))
    with pytest.raises(RuntimeError):
        with store.transaction():
            store._put(Put("t", "a", {"n": 2}))
            assert run(store.get("t", "a")).value == {"n": 2}  # the transaction sees its own write
            raise RuntimeError("roll back")
    assert run(store.get("t", "a")).value == {"n": 1}


def test_a_conditional_delete_in_a_batch(store: SqliteStore) -> None:
    stored = run(store.put("t", "a", {"n": 1}))
    run(store.get("t", "a"))
    run(store.apply([Delete("t", "a", if_version=stored.version)]))
    assert run(store.get("t", "a")) is None


def test_shared_reads_give_one_parsed_value_until_the_record_is_written(store: SqliteStore) -> None:
    run(store.put("t", "k", {"n": 1}))
    first = run(store.get_shared("t", "k"))
    assert first.value == {"n": 1}
    assert run(store.get_shared("t", "k")) is first  # parsed once, not on every read
    assert run(store.get("t", "k")).value is not first.value  # plain reads still get their own copy
    run(store.put("t", "k", {"n": 2}))
    second = run(store.get_shared("t", "k"))
    assert (second.value, second.version) == ({"n": 2}, 2)
    run(store.apply([Delete("t", "k", 2)]))
    assert run(store.get_shared("t", "k")) is None


def test_a_shared_read_inside_a_transaction_is_not_kept(store: SqliteStore) -> None:
    run(store.put("t", "k", {"n": 1}))
    with pytest.raises(RuntimeError):
        with store.transaction():
            run(store.put("t", "k", {"n": 2}))
            assert run(store.get_shared("t", "k")).value == {"n": 2}
            raise RuntimeError("roll back")
    assert run(store.get_shared("t", "k")).value == {"n": 1}


def test_a_key_read_while_absent_is_seen_once_written(store: SqliteStore) -> None:
    assert run(store.get("t", "k")) is None  # remembered as absent
    assert run(store.get_shared("t", "k")) is None
    run(store.put("t", "k", {"n": 1}))
    assert run(store.get("t", "k")).value == {"n": 1}
    run(store.delete("t", "k"))
    assert run(store.get("t", "k")) is None
    run(store.apply([Put("t", "k", {"n": 3}, if_version=None)]))
    assert run(store.get_shared("t", "k")).value == {"n": 3}
