"""Function URL configurations: records in the store, the URL id index, and the in-memory routes.

One URL per function and qualifier ($LATEST when unqualified, or an alias), keyed
``account/region/name/qualifier``; a second table maps the URL id, the host's first label,
back to it. The routes the front door reads are a cache of both, rebuilt at start
(https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from lamina.proxy.cors import CorsPolicy
from lamina.services.lambda_.functions import FunctionRecord, function_key
from lamina.services.lambda_.targets import LATEST
from lamina.store import ANY, Store
from lamina.store.base import Delete, Put

TABLE = "lambda:function-urls"
ID_TABLE = "lambda:function-url-ids"
_ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 32  # as Lambda's: https://<32 characters>.lambda-url.<region>.on.aws


def new_url_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_LENGTH))


def config_key(record: FunctionRecord, qualifier: str | None) -> str:
    return f"{function_key(record.account, record.region, record.name)}/{qualifier or LATEST}"


def url_host(url_id: str, region: str) -> str:
    return f"{url_id}.lambda-url.{region}.localhost"


def function_url(url_id: str, region: str, port: int) -> str:
    """The URL GetFunctionUrlConfig returns: the host form on lamina's port."""
    return f"http://{url_host(url_id, region)}:{port}/"


@dataclass(frozen=True, slots=True)
class UrlRoute:
    """What the front door needs to serve one URL."""

    url_id: str
    account: str
    region: str
    function_name: str
    qualifier: str | None
    auth_type: str
    invoke_mode: str
    cors: CorsPolicy | None

    @classmethod
    def of(cls, document: dict[str, Any]) -> UrlRoute:
        config = document["config"]
        return cls(document["url_id"], document["account"], document["region"], document["name"],
                   document.get("qualifier"), config["AuthType"], config.get("InvokeMode", "BUFFERED"),
                   CorsPolicy.of(config.get("Cors")))


class FunctionUrlTable:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.routes: dict[str, UrlRoute] = {}

    async def load(self) -> None:
        self.routes = {}
        for stored in await self.store.scan(TABLE):
            self.routes[stored.value["url_id"]] = UrlRoute.of(stored.value)

    async def get(self, record: FunctionRecord, qualifier: str | None) -> dict[str, Any] | None:
        found = await self.store.get(TABLE, config_key(record, qualifier))
        return found.value if found else None

    async def list(self, record: FunctionRecord) -> list[dict[str, Any]]:
        prefix = function_key(record.account, record.region, record.name) + "/"
        return [stored.value for stored in await self.store.scan(TABLE, prefix)]

    async def put(self, record: FunctionRecord, qualifier: str | None, document: dict[str, Any],
                  *, new: bool) -> None:
        """Write a configuration; ``new`` ones must not exist yet (PreconditionFailed otherwise)."""
        ops = [Put(TABLE, config_key(record, qualifier), document, if_version=None if new else ANY)]
        if new:
            ops.append(Put(ID_TABLE, document["url_id"], {"key": config_key(record, qualifier)}, if_version=None))
        await self.store.apply(ops)
        self.routes[document["url_id"]] = UrlRoute.of(document)

    async def delete(self, document: dict[str, Any]) -> None:
        key = function_key(document["account"], document["region"], document["name"])
        await self.store.apply([Delete(TABLE, f"{key}/{document.get('qualifier') or LATEST}"),
                                Delete(ID_TABLE, document["url_id"])])
        self.routes.pop(document["url_id"], None)

    async def delete_all(self, record: FunctionRecord) -> None:
        for document in await self.list(record):
            await self.delete(document)
