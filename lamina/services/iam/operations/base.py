"""What every group of IAM operations shares: the directory, lookups that answer NoSuchEntity,
and the shapes IAM returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lamina.iam.managed import aws_managed_policies
from lamina.services.context import CallContext
from lamina.services.iam.directory import Directory
from lamina.services.iam.errors import NoSuchEntityException
from lamina.services.iam.records import Document
from lamina.services.platform import Platform
from lamina.services.provider import Provider


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iam_arn(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


class IamBase(Provider):
    service_name = "iam"

    def __init__(self, platform: Platform, directory: Directory) -> None:
        self.platform = platform
        self.directory = directory

    async def user(self, ctx: CallContext, name: str) -> Document:
        found = await self.directory.users.get(ctx.account_id, name)
        if found is None:
            raise NoSuchEntityException(f"The user with name {name} cannot be found.")
        return found

    async def group(self, ctx: CallContext, name: str) -> Document:
        found = await self.directory.groups.get(ctx.account_id, name)
        if found is None:
            raise NoSuchEntityException(f"The group with name {name} cannot be found.")
        return found

    async def role(self, ctx: CallContext, name: str) -> Document:
        found = await self.directory.roles.get(ctx.account_id, name)
        if found is None:
            raise NoSuchEntityException(f"The role with name {name} cannot be found.")
        return found

    async def attachable(self, arn: str) -> None:
        if not await self.directory.policy_exists(arn):
            raise NoSuchEntityException(f"Policy {arn} does not exist or is not attachable.")

    async def caller_user(self, ctx: CallContext, name: str | None) -> Document:
        """The user an access-key or tag operation names, or the caller when it names none."""
        if name:
            return await self.user(ctx, name)
        if ctx.principal.kind != "user":
            raise NoSuchEntityException("Must specify userName when calling with non-User credentials")
        return await self.user(ctx, ctx.principal.name)

    @staticmethod
    def boundary(entity: Document) -> dict[str, Any] | None:
        arn = entity.get("PermissionsBoundary")
        if not arn:
            return None
        return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}

    @staticmethod
    def attached(entity: Document) -> list[dict[str, str]]:
        managed = aws_managed_policies()
        return [{"PolicyName": managed[arn].name if arn in managed else arn.rsplit("/", 1)[-1], "PolicyArn": arn}
                for arn in entity.get("AttachedPolicies") or ()]
