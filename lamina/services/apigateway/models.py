"""REST APIs in the store: one document per API with its resource tree (methods and integrations
inside), deployments (snapshots of the tree) and stages, written under a per-API lock
(https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-create-api.html)."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any, TypeVar

from lamina.services.apigateway.errors import NotFoundException
from lamina.services.apigatewayv2.models import new_id
from lamina.store import Store

TABLE = "apigateway:restapis"
T = TypeVar("T")


def new_document(account: str, region: str, api: dict[str, Any]) -> dict[str, Any]:
    root = {"id": new_id(10), "path": "/", "resourceMethods": {}}
    api["rootResourceId"] = root["id"]
    return {"account": account, "region": region, "api": api, "resources": {root["id"]: root},
            "deployments": {}, "stages": {}}


def resource_path(parent: dict[str, Any], path_part: str) -> str:
    return parent["path"].rstrip("/") + "/" + path_part


def deploy(document: dict[str, Any], description: str | None) -> dict[str, Any]:
    deployment = {"id": new_id(6), "createdDate": time.time(),
                  "snapshot": copy.deepcopy(document["resources"])}
    if description:
        deployment["description"] = description
    document["deployments"][deployment["id"]] = deployment
    return deployment


class RestApiTable:
    def __init__(self, store: Store, on_change: Callable[[str, dict[str, Any] | None], None]) -> None:
        self.store = store
        self.on_change = on_change
        self._locks: dict[str, asyncio.Lock] = {}

    async def load(self) -> None:
        for stored in await self.store.scan(TABLE):
            self.on_change(stored.key, stored.value)

    async def create(self, document: dict[str, Any]) -> None:
        await self.store.put(TABLE, document["api"]["id"], document, if_version=None)
        self.on_change(document["api"]["id"], document)

    async def get(self, account: str, region: str, api_id: str) -> dict[str, Any]:
        stored = await self.store.get(TABLE, api_id)
        if stored is None or stored.value["account"] != account or stored.value["region"] != region:
            raise NotFoundException("Invalid API identifier specified")
        return stored.value

    async def change(self, account: str, region: str, api_id: str, edit: Callable[[dict[str, Any]], T]) -> T:
        async with self._locks.setdefault(api_id, asyncio.Lock()):
            document = await self.get(account, region, api_id)
            result = edit(document)
            await self.store.put(TABLE, api_id, document)
        self.on_change(api_id, document)
        return result

    async def delete(self, account: str, region: str, api_id: str) -> None:
        await self.get(account, region, api_id)
        await self.store.delete(TABLE, api_id)
        self.on_change(api_id, None)

    async def all(self, account: str, region: str) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(TABLE)
                if r.value["account"] == account and r.value["region"] == region]
