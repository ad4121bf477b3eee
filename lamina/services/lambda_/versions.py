"""Published versions: immutable snapshots of a function's code and configuration.

PublishVersion snapshots $LATEST; publishing when neither code nor
configuration changed since the last version returns that version
(https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html).
"""

from __future__ import annotations

from typing import Any

import orjson

from lamina.services.lambda_.functions import FunctionRecord, function_key
from lamina.store import Store
from lamina.store.base import Put

TABLE = "lambda:versions"
# Configuration members that do not make a new version when only they differ.
_VOLATILE = ("FunctionArn", "Version", "LastModified", "RevisionId", "State", "StateReason", "StateReasonCode",
             "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode", "MasterArn")


def version_key(record: FunctionRecord, version: int | str) -> str:
    return f"{function_key(record.account, record.region, record.name)}/{int(version):010d}"


def fingerprint(config: dict[str, Any], code: dict[str, Any]) -> str:
    """What must differ for PublishVersion to make a new version."""
    stable = {k: v for k, v in config.items() if k not in _VOLATILE}
    return orjson.dumps({"config": stable, "code": code.get("digest")}, option=orjson.OPT_SORT_KEYS).decode()


class VersionTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, record: FunctionRecord, version: str) -> dict[str, Any] | None:
        if not version.isdigit():
            return None
        found = await self.store.get(TABLE, version_key(record, version))
        return found.value if found else None

    async def list(self, record: FunctionRecord) -> list[dict[str, Any]]:
        prefix = function_key(record.account, record.region, record.name) + "/"
        return [r.value for r in await self.store.scan(TABLE, prefix)]

    def put_op(self, record: FunctionRecord, version: int, snapshot: dict[str, Any]) -> Put:
        return Put(TABLE, version_key(record, version), snapshot, if_version=None)

    async def delete(self, record: FunctionRecord, version: str) -> bool:
        return await self.store.delete(TABLE, version_key(record, version))

    async def delete_all(self, record: FunctionRecord) -> None:
        prefix = function_key(record.account, record.region, record.name) + "/"
        for found in await self.store.scan(TABLE, prefix):
            await self.store.delete(TABLE, found.key)
