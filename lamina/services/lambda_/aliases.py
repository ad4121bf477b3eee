"""Aliases: named pointers to a version, optionally splitting traffic with a second version.

With ``RoutingConfig.AdditionalVersionWeights`` {version: weight}, that share
of invocations runs the additional version and the rest the primary one
(https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html).
"""

from __future__ import annotations

import random
from typing import Any

from lamina.services.lambda_.functions import FunctionRecord, function_key
from lamina.store import ANY, Store

TABLE = "lambda:aliases"


def alias_key(record: FunctionRecord, name: str) -> str:
    return f"{function_key(record.account, record.region, record.name)}/{name}"


def choose_version(alias: dict[str, Any], draw: float | None = None) -> str:
    """The version one invocation through the alias runs."""
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    point = random.random() if draw is None else draw
    for version, weight in weights.items():
        if point < weight:
            return version
        point -= weight
    return alias["FunctionVersion"]


class AliasTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, record: FunctionRecord, name: str) -> tuple[dict[str, Any], int] | None:
        found = await self.store.get(TABLE, alias_key(record, name))
        return (found.value, found.version) if found else None

    async def list(self, record: FunctionRecord) -> list[dict[str, Any]]:
        prefix = function_key(record.account, record.region, record.name) + "/"
        return [r.value for r in await self.store.scan(TABLE, prefix)]

    async def put(self, record: FunctionRecord, alias: dict[str, Any], if_version: Any = ANY) -> None:
        await self.store.put(TABLE, alias_key(record, alias["Name"]), alias, if_version=if_version)

    async def delete(self, record: FunctionRecord, name: str) -> bool:
        return await self.store.delete(TABLE, alias_key(record, name))

    async def delete_all(self, record: FunctionRecord) -> None:
        for alias in await self.list(record):
            await self.delete(record, alias["Name"])

