"""HTTP APIs in the store: one document per API holding its routes, integrations, authorizers,
stages and deployments, written under a per-API lock with the store's version check.

A deployment is a snapshot of the routes, integrations, authorizers and CORS configuration; a stage
serves the deployment it points at. Stages with AutoDeploy get a new deployment after every change,
as HTTP APIs do (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html).
"""

from __future__ import annotations

import asyncio
import secrets
import string
import time
from collections.abc import Callable
from typing import Any, TypeVar

from lamina.services.apigatewayv2.errors import NotFoundException
from lamina.store import Record, Store

TABLE = "apigatewayv2:apis"
_ALPHABET = string.ascii_lowercase + string.digits
SNAPSHOT_PARTS = ("routes", "integrations", "authorizers")
T = TypeVar("T")


def new_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def api_endpoint(api_id: str, region: str, port: int) -> str:
    return f"http://{api_id}.execute-api.{region}.localhost:{port}"


def not_found(kind: str, ident: str) -> NotFoundException:
    return NotFoundException(f"Invalid {kind} identifier specified {ident}", ResourceType=kind)


def snapshot(document: dict[str, Any]) -> dict[str, Any]:
    taken = {part: dict(document[part]) for part in SNAPSHOT_PARTS}
    taken["cors"] = document["api"].get("CorsConfiguration")
    return taken


def deploy(document: dict[str, Any], description: str | None = None, auto: bool = False) -> dict[str, Any]:
    deployment = {"DeploymentId": new_id(6), "CreatedDate": time.time(), "DeploymentStatus": "DEPLOYED",
                  "AutoDeployed": auto, "snapshot": snapshot(document)}
    if description:
        deployment["Description"] = description
    document["deployments"][deployment["DeploymentId"]] = deployment
    return deployment


def redeploy_auto_stages(document: dict[str, Any]) -> None:
    """After a change: every AutoDeploy stage gets a fresh deployment; unreferenced automatic ones go."""
    stages = [s for s in document["stages"].values() if s.get("AutoDeploy")]
    if stages:
        deployment = deploy(document, auto=True)
        for stage in stages:
            stage["DeploymentId"] = deployment["DeploymentId"]
            stage["LastUpdatedDate"] = time.time()
    used = {s.get("DeploymentId") for s in document["stages"].values()}
    for ident in [i for i, d in document["deployments"].items() if d.get("AutoDeployed") and i not in used]:
        del document["deployments"][ident]


class ApiTable:
    """The documents, and ``on_change(api_id, document or None)`` after every write (the invoke cache)."""

    def __init__(self, store: Store, on_change: Callable[[str, dict[str, Any] | None], None]) -> None:
        self.store = store
        self.on_change = on_change
        self._locks: dict[str, asyncio.Lock] = {}

    async def load(self) -> None:
        for stored in await self.store.scan(TABLE):
            self.on_change(stored.key, stored.value)

    async def create(self, document: dict[str, Any]) -> None:
        await self.store.put(TABLE, document["api"]["ApiId"], document, if_version=None)
        self.on_change(document["api"]["ApiId"], document)

    async def get(self, account: str, region: str, api_id: str) -> dict[str, Any]:
        return (await self._stored(account, region, api_id)).value

    async def _stored(self, account: str, region: str, api_id: str) -> Record:
        stored = await self.store.get(TABLE, api_id)
        if stored is None or stored.value["account"] != account or stored.value["region"] != region:
            raise NotFoundException(f"Invalid API identifier specified {account}:{api_id}", ResourceType="Api")
        return stored

    async def change(self, account: str, region: str, api_id: str,
                     edit: Callable[[dict[str, Any]], T], *, redeploy: bool = True) -> T:
        """Apply ``edit`` to the API's document and write it back; auto-deploying stages follow."""
        lock = self._locks.setdefault(api_id, asyncio.Lock())
        async with lock:
            stored = await self._stored(account, region, api_id)
            document = stored.value
            result = edit(document)
            if redeploy:
                redeploy_auto_stages(document)
            await self.store.put(TABLE, api_id, document, if_version=stored.version)
        self.on_change(api_id, document)
        return result

    async def delete(self, account: str, region: str, api_id: str) -> None:
        await self.get(account, region, api_id)
        await self.store.delete(TABLE, api_id)
        self._locks.pop(api_id, None)
        self.on_change(api_id, None)

    async def all(self, account: str, region: str) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(TABLE)
                if r.value["account"] == account and r.value["region"] == region]
