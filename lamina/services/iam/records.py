"""IAM's entities in the store: users, groups, roles, customer managed policies and access keys.

Names are unique within an account regardless of case ("user names are not
distinguished by case", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
so records are keyed ``<account>/<lower-case name>``. Every write goes
through a compare-and-set on the record's version, and tells the directory
(``on_write``) so that cached permissions are recomputed.
"""

from __future__ import annotations

from typing import Any, Callable

from lamina.store import ANY, PreconditionFailed, Store

Document = dict[str, Any]

USERS = "iam:users"
GROUPS = "iam:groups"
ROLES = "iam:roles"
POLICIES = "iam:policies"
ACCESS_KEYS = "iam:access-keys"


class Conflict(Exception):
    """The record exists already (create) or is gone (update)."""


class RecordTable:
    def __init__(self, store: Store, table: str, on_write: Callable[[], None]) -> None:
        self.store = store
        self.table = table
        self.on_write = on_write

    @staticmethod
    def key(account: str, name: str) -> str:
        return f"{account}/{name.lower()}"

    async def get(self, account: str, name: str) -> Document | None:
        found = await self.store.get(self.table, self.key(account, name))
        return found.value if found else None

    async def create(self, account: str, name: str, document: Document) -> None:
        try:
            await self.store.put(self.table, self.key(account, name), document, if_version=None)
        except PreconditionFailed:
            raise Conflict(name) from None
        self.on_write()

    async def update(self, account: str, name: str, change: Callable[[Document], Any]) -> Document:
        """Apply ``change`` to the stored record, retrying if another write came in between."""
        key = self.key(account, name)
        while True:
            found = await self.store.get(self.table, key)
            if found is None:
                raise Conflict(name)
            document = found.value
            change(document)
            try:
                await self.store.put(self.table, key, document, if_version=found.version)
            except PreconditionFailed:
                continue
            self.on_write()
            return document

    async def delete(self, account: str, name: str) -> bool:
        deleted = await self.store.delete(self.table, self.key(account, name), if_version=ANY)
        self.on_write()
        return deleted

    async def list(self, account: str) -> list[Document]:
        return [r.value for r in await self.store.scan(self.table, f"{account}/")]


class AccessKeyTable:
    """Access keys by their ID (the authenticator looks them up on every request)."""

    def __init__(self, store: Store, on_write: Callable[[], None]) -> None:
        self.store = store
        self.on_write = on_write

    async def get(self, key_id: str) -> Document | None:
        found = await self.store.get(ACCESS_KEYS, key_id)
        return found.value if found else None

    async def put(self, document: Document) -> None:
        await self.store.put(ACCESS_KEYS, document["AccessKeyId"], document)
        self.on_write()

    async def delete(self, key_id: str) -> None:
        await self.store.delete(ACCESS_KEYS, key_id, if_version=ANY)
        self.on_write()

    async def of_user(self, account: str, user: str) -> list[Document]:
        return sorted((r.value for r in await self.store.scan(ACCESS_KEYS)
                       if r.value["Account"] == account and r.value["UserName"].lower() == user.lower()),
                      key=lambda k: k["CreateDate"])
