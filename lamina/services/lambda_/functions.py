"""Function records in the store: $LATEST's configuration, its code, tags and settings.

One record per function, keyed ``account/region/name``; the store's record
version guards every write, so two concurrent updates cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.services.lambda_.arns import function_arn
from lamina.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from lamina.store import ANY, PreconditionFailed, Store

TABLE = "lambda:functions"


def function_key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


@dataclass
class FunctionRecord:
    account: str
    region: str
    name: str
    config: dict[str, Any]  # $LATEST's FunctionConfiguration, as Lambda reports it
    code: dict[str, Any]  # {"digest", "size", "unzipped"}
    tags: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    last_version: int = 0  # highest published version number
    store_version: int | None = None  # the store's version of this record when read

    @property
    def key(self) -> str:
        return function_key(self.account, self.region, self.name)

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account, self.name)

    def to_document(self) -> dict[str, Any]:
        return {"account": self.account, "region": self.region, "name": self.name,
                "config": self.config, "code": self.code, "tags": self.tags,
                "reserved_concurrency": self.reserved_concurrency, "last_version": self.last_version}

    @classmethod
    def from_document(cls, doc: dict[str, Any], store_version: int) -> "FunctionRecord":
        return cls(doc["account"], doc["region"], doc["name"], doc["config"], doc["code"],
                   doc.get("tags", {}), doc.get("reserved_concurrency"), doc.get("last_version", 0),
                   store_version)


class FunctionTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def find(self, account: str, region: str, name: str, *, shared: bool = False) -> FunctionRecord | None:
        """The function's record; with ``shared``, one whose config and code dicts other readers may hold
        too (the invoke paths, which only read: it saves parsing the record on every invocation)."""
        key = function_key(account, region, name)
        record = await (self.store.get_shared(TABLE, key) if shared else self.store.get(TABLE, key))
        return FunctionRecord.from_document(record.value, record.version) if record else None

    async def get(self, account: str, region: str, name: str, *, shared: bool = False) -> FunctionRecord:
        found = await self.find(account, region, name, shared=shared)
        if found is None:
            raise ResourceNotFoundException(
                f"Function not found: {function_arn(region, account, name)}")
        return found

    async def insert(self, record: FunctionRecord) -> FunctionRecord:
        try:
            stored = await self.store.put(TABLE, record.key, record.to_document(), if_version=None)
        except PreconditionFailed:
            raise ResourceConflictException(f"Function already exist: {record.name}") from None
        record.store_version = stored.version
        return record

    async def save(self, record: FunctionRecord) -> FunctionRecord:
        """Write back a record read earlier; refuses if someone else wrote it in between."""
        try:
            stored = await self.store.put(TABLE, record.key, record.to_document(),
                                          if_version=record.store_version)
        except PreconditionFailed:
            raise ResourceConflictException(
                "The operation cannot be performed at this time. An update is in progress for "
                f"resource: {record.arn}") from None
        record.store_version = stored.version
        return record

    async def remove(self, record: FunctionRecord) -> None:
        await self.store.delete(TABLE, record.key, if_version=ANY)

    async def list(self, account: str, region: str) -> list[FunctionRecord]:
        records = await self.store.scan(TABLE, f"{account}/{region}/")
        return [FunctionRecord.from_document(r.value, r.version) for r in records]

    async def all(self) -> list[FunctionRecord]:
        return [FunctionRecord.from_document(r.value, r.version) for r in await self.store.scan(TABLE)]
