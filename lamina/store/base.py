"""The store interface every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()  # "no precondition" for conditional writes


class PreconditionFailed(Exception):
    """A conditional write found a different version than it expected."""

    def __init__(self, table: str, key: str, expected: object, found: int | None) -> None:
        super().__init__(f"{table}/{key}: expected version {expected}, found {found}")
        self.table, self.key, self.expected, self.found = table, key, expected, found


@dataclass(frozen=True, slots=True)
class Record:
    key: str
    value: dict[str, Any]
    version: int


@dataclass(frozen=True, slots=True)
class Put:
    table: str
    key: str
    value: dict[str, Any]
    if_version: Any = ANY  # ANY, None (must not exist) or the version the record must have


@dataclass(frozen=True, slots=True)
class Delete:
    table: str
    key: str
    if_version: Any = ANY


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    payload: bytes
    attempts: int  # how many times it was claimed before this claim
    enqueued_at: float


class Store(ABC):
    """Records are JSON documents in named tables, keyed by strings, each with a version.

    Versions start at 1 and grow by one per write, so callers can make
    compare-and-set updates (``if_version``), e.g. for Lambda's RevisionId.
    """

    @abstractmethod
    async def get(self, table: str, key: str) -> Record | None: ...

    async def get_shared(self, table: str, key: str) -> Record | None:
        """Like ``get``, for callers that only read: the value may be the same object other readers
        get (a backend may keep it parsed between writes), so it must never be changed."""
        return await self.get(table, key)

    @abstractmethod
    async def put(self, table: str, key: str, value: dict[str, Any], *, if_version: Any = ANY) -> Record:
        """Write ``value``; ``if_version=None`` means the key must not exist yet."""

    @abstractmethod
    async def delete(self, table: str, key: str, *, if_version: Any = ANY) -> bool: ...

    @abstractmethod
    async def scan(self, table: str, prefix: str = "", *, after: str | None = None,
                   limit: int | None = None) -> list[Record]:
        """Records whose key starts with ``prefix``, in key order, after key ``after``."""

    @abstractmethod
    async def apply(self, ops: list[Put | Delete]) -> list[Record | bool]:
        """Apply writes atomically: all succeed or none (PreconditionFailed)."""

    # Durable work queues (async invocations, deliveries): at-least-once.
    @abstractmethod
    async def enqueue(self, queue: str, payloads: list[bytes], *, delay: float = 0.0) -> list[int]: ...

    @abstractmethod
    async def claim(self, queue: str, limit: int, lease_seconds: float) -> list[QueueItem]:
        """Items visible now, hidden for ``lease_seconds``; unfinished ones reappear after it."""

    @abstractmethod
    async def finish(self, queue: str, ids: list[int]) -> None: ...

    @abstractmethod
    async def retry_later(self, queue: str, item_id: int, delay: float, payload: bytes | None = None) -> None: ...

    @abstractmethod
    async def release_claims(self, queue: str) -> int:
        """Make every claimed item visible again (at start: claims of a crashed process are void)."""

    @abstractmethod
    async def next_visible_at(self, queue: str) -> float | None:
        """When the earliest item becomes visible (None: the queue is empty)."""

    @abstractmethod
    async def queue_depth(self, queue: str) -> int: ...

    # Service-owned tables (log events, queue messages, metrics): portable SQL with "?" placeholders.
    @abstractmethod
    def ensure_schema(self, name: str, statements: list[str]) -> None:
        """Create a service's tables once (idempotent statements)."""

    @abstractmethod
    def execute(self, sql: str, args: tuple | list = ()) -> int:
        """Run one write statement; returns the number of rows changed."""

    @abstractmethod
    def executemany(self, sql: str, rows: list[tuple]) -> None:
        """Run one write statement for many rows, atomically."""

    @abstractmethod
    def query(self, sql: str, args: tuple | list = ()) -> list[tuple]: ...

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager: the statements inside commit together or not at all."""

    @abstractmethod
    def close(self) -> None: ...
