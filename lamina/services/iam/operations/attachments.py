"""Attaching managed policies: Attach/Detach{User,Group,Role}Policy and ListAttached{User,Group,Role}Policies
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html).

An entity takes at most 10 managed policies (IAM's default quota,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

from lamina.services.context import CallContext
from lamina.services.iam.errors import LimitExceededException, NoSuchEntityException
from lamina.services.iam.listing import page
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.records import Document, RecordTable
from lamina.services.provider import Params, Result

MAX_ATTACHED = 10
def policy_path(arn: str) -> str:
    """``arn:aws:iam::aws:policy/service-role/Name`` -> ``/service-role/``."""
    inner = arn.split(":", 5)[-1][len("policy"):]
    return inner[: inner.rfind("/") + 1] or "/"


_QUOTA = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}


class AttachmentOperations(IamBase):
    async def _attachment_owner(self, ctx: CallContext, kind: str, params: Params) -> tuple[RecordTable, Document, str]:
        name = params[f"{kind.capitalize()}Name"]
        if kind == "user":
            return self.directory.users, await self.user(ctx, name), "UserName"
        if kind == "group":
            return self.directory.groups, await self.group(ctx, name), "GroupName"
        return self.directory.roles, await self.role(ctx, name), "RoleName"

    async def _attach(self, ctx: CallContext, kind: str, params: Params) -> Result:
        table, entity, member = await self._attachment_owner(ctx, kind, params)
        arn = params["PolicyArn"]
        await self.attachable(arn)

        def attach(record: Document) -> None:
            policies = record.setdefault("AttachedPolicies", [])
            if arn in policies:
                return
            if len(policies) >= MAX_ATTACHED:
                raise LimitExceededException(f"Cannot exceed quota for {_QUOTA[kind]}: {MAX_ATTACHED}")
            policies.append(arn)
        await table.update(ctx.account_id, entity[member], attach)
        return None

    async def _detach(self, ctx: CallContext, kind: str, params: Params) -> Result:
        table, entity, member = await self._attachment_owner(ctx, kind, params)
        arn = params["PolicyArn"]
        if arn not in (entity.get("AttachedPolicies") or ()):
            raise NoSuchEntityException(f"Policy {arn} was not found.")
        await table.update(ctx.account_id, entity[member], lambda e: e.update(
            AttachedPolicies=[a for a in e.get("AttachedPolicies") or () if a != arn]))
        return None

    async def _list_attached(self, ctx: CallContext, kind: str, params: Params) -> Result:
        _, entity, _ = await self._attachment_owner(ctx, kind, params)
        prefix = params.get("PathPrefix")
        attached = [item for item in self.attached(entity)
                    if not prefix or policy_path(item["PolicyArn"]).startswith(prefix)]
        return page(attached, params.get("Marker"), params.get("MaxItems"), "AttachedPolicies")

    async def attach_user_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._attach(ctx, "user", params)

    async def attach_group_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._attach(ctx, "group", params)

    async def attach_role_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._attach(ctx, "role", params)

    async def detach_user_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._detach(ctx, "user", params)

    async def detach_group_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._detach(ctx, "group", params)

    async def detach_role_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._detach(ctx, "role", params)

    async def list_attached_user_policies(self, ctx: CallContext, params: Params) -> Result:
        return await self._list_attached(ctx, "user", params)

    async def list_attached_group_policies(self, ctx: CallContext, params: Params) -> Result:
        return await self._list_attached(ctx, "group", params)

    async def list_attached_role_policies(self, ctx: CallContext, params: Params) -> Result:
        return await self._list_attached(ctx, "role", params)
