"""Event buses in the store. Every account and region has the bus ``default``; it is written on
first use so that it lists, describes and keeps a policy like any other bus."""

from __future__ import annotations

import time
from typing import Any

from lamina.services.events.errors import ResourceAlreadyExistsException, ResourceNotFoundException, ValidationException
from lamina.services.events.names import DEFAULT_BUS, bus_arn
from lamina.store import PreconditionFailed, Store

TABLE = "events:buses"


def _key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def described(bus: dict[str, Any]) -> dict[str, Any]:
    """DescribeEventBus's answer (and ListEventBuses' members) for a stored bus."""
    return {k: v for k, v in bus.items() if k not in ("Tags", "Account", "Region") and v is not None}


class BusTable:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: set[str] = set()  # keys of buses seen to exist: PutEvents checks its bus on every entry

    async def exists(self, account: str, region: str, name: str) -> bool:
        key = _key(account, region, name)
        if key not in self._known and await self.find(account, region, name) is not None:
            self._known.add(key)
        return key in self._known

    async def ensure_default(self, account: str, region: str) -> None:
        key = _key(account, region, DEFAULT_BUS)
        if await self.store.get(TABLE, key) is None:
            await self._write(key, self._new(account, region, DEFAULT_BUS, None), if_version=None, quiet=True)

    def _new(self, account: str, region: str, name: str, description: str | None) -> dict[str, Any]:
        now = time.time()
        return {"Name": name, "Arn": bus_arn(region, account, name), "Description": description,
                "CreationTime": now, "LastModifiedTime": now, "Account": account, "Region": region, "Tags": {}}

    async def _write(self, key: str, bus: dict[str, Any], *, if_version: Any, quiet: bool = False) -> None:
        try:
            await self.store.put(TABLE, key, bus, if_version=if_version)
        except PreconditionFailed:
            if not quiet:
                raise ResourceAlreadyExistsException(f"Event bus {bus['Name']} already exists.") from None

    async def create(self, account: str, region: str, name: str, description: str | None,
                     tags: dict[str, str]) -> dict[str, Any]:
        if name == DEFAULT_BUS:
            raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
        if "/" in name and not name.startswith("aws.partner/"):
            raise ValidationException("Event bus name must not contain '/'.")
        bus = self._new(account, region, name, description)
        bus["Tags"] = tags
        await self._write(_key(account, region, name), bus, if_version=None)
        return bus

    async def find(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        if name == DEFAULT_BUS:
            await self.ensure_default(account, region)
        record = await self.store.get(TABLE, _key(account, region, name))
        return None if record is None else record.value

    async def get(self, account: str, region: str, name: str) -> dict[str, Any]:
        bus = await self.find(account, region, name)
        if bus is None:
            raise ResourceNotFoundException(f"Event bus {name} does not exist.")
        return bus

    async def save(self, bus: dict[str, Any]) -> None:
        bus["LastModifiedTime"] = time.time()
        await self.store.put(TABLE, _key(bus["Account"], bus["Region"], bus["Name"]), bus)

    async def delete(self, account: str, region: str, name: str) -> None:
        self._known.discard(_key(account, region, name))
        await self.store.delete(TABLE, _key(account, region, name))

    async def listed(self, account: str, region: str, prefix: str) -> list[dict[str, Any]]:
        await self.ensure_default(account, region)
        return [r.value for r in await self.store.scan(TABLE, _key(account, region, prefix))]
