"""Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy(ies)
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html)."""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.iam import documents
from lamina.services.iam.errors import NoSuchEntityException
from lamina.services.iam.listing import page
from lamina.services.iam.operations.base import IamBase
from lamina.services.iam.records import Document, RecordTable
from lamina.services.provider import Params, Result


class InlinePolicyOperations(IamBase):
    async def _inline_owner(self, ctx: CallContext, kind: str, name: str) -> tuple[RecordTable, Document]:
        if kind == "user":
            return self.directory.users, await self.user(ctx, name)
        if kind == "group":
            return self.directory.groups, await self.group(ctx, name)
        return self.directory.roles, await self.role(ctx, name)

    async def _put_inline(self, ctx: CallContext, kind: str, params: Params) -> Result:
        member = f"{kind.capitalize()}Name"
        table, entity = await self._inline_owner(ctx, kind, params[member])
        documents.check_inline(params["PolicyDocument"], kind, entity[member])
        await table.update(ctx.account_id, entity[member], lambda e: e.setdefault("InlinePolicies", {}).update(
            {params["PolicyName"]: params["PolicyDocument"]}))
        return None

    async def _get_inline(self, ctx: CallContext, kind: str, params: Params) -> Result:
        member = f"{kind.capitalize()}Name"
        _, entity = await self._inline_owner(ctx, kind, params[member])
        text = (entity.get("InlinePolicies") or {}).get(params["PolicyName"])
        if text is None:
            raise NoSuchEntityException(f"The {kind} policy with name {params['PolicyName']} cannot be found.")
        return {member: entity[member], "PolicyName": params["PolicyName"], "PolicyDocument": documents.encoded(text)}

    async def _delete_inline(self, ctx: CallContext, kind: str, params: Params) -> Result:
        member = f"{kind.capitalize()}Name"
        table, entity = await self._inline_owner(ctx, kind, params[member])
        if params["PolicyName"] not in (entity.get("InlinePolicies") or {}):
            raise NoSuchEntityException(f"The {kind} policy with name {params['PolicyName']} cannot be found.")
        await table.update(ctx.account_id, entity[member],
                           lambda e: e["InlinePolicies"].pop(params["PolicyName"], None))
        return None

    async def _list_inline(self, ctx: CallContext, kind: str, params: Params) -> dict[str, Any]:
        _, entity = await self._inline_owner(ctx, kind, params[f"{kind.capitalize()}Name"])
        names = sorted(entity.get("InlinePolicies") or {})
        return page(names, params.get("Marker"), params.get("MaxItems"), "PolicyNames")

    async def put_user_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._put_inline(ctx, "user", params)

    async def put_group_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._put_inline(ctx, "group", params)

    async def put_role_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._put_inline(ctx, "role", params)

    async def get_user_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._get_inline(ctx, "user", params)

    async def get_group_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._get_inline(ctx, "group", params)

    async def get_role_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._get_inline(ctx, "role", params)

    async def delete_user_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._delete_inline(ctx, "user", params)

    async def delete_group_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._delete_inline(ctx, "group", params)

    async def delete_role_policy(self, ctx: CallContext, params: Params) -> Result:
        return await self._delete_inline(ctx, "role", params)

    async def list_user_policies(self, ctx: CallContext, params: Params) -> Result:
        return await self._list_inline(ctx, "user", params)

    async def list_group_policies(self, ctx: CallContext, params: Params) -> Result:
        return await self._list_inline(ctx, "group", params)

    async def list_role_policies(self, ctx: CallContext, params: Params) -> Result:
        return await self._list_inline(ctx, "role", params)
