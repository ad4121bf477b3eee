"""CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup and membership
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html).

A user's groups are kept on the user's record (a user is in at most 10 groups,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); a group's
members are the users that name it.
"""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.iam import identifiers
from lamina.services.iam.errors import DeleteConflictException, EntityAlreadyExistsException, LimitExceededException
from lamina.services.iam.listing import page, with_path_prefix
from lamina.services.iam.operations.base import IamBase, iam_arn, now
from lamina.services.iam.records import Conflict, Document
from lamina.services.provider import Params, Result

MAX_GROUPS_PER_USER = 10


def group_shape(group: Document) -> dict[str, Any]:
    return {k: group[k] for k in ("Path", "GroupName", "GroupId", "Arn", "CreateDate")}


class GroupOperations(IamBase):
    async def members(self, ctx: CallContext, group_name: str) -> list[Document]:
        wanted = group_name.lower()
        return [u for u in await self.directory.users.list(ctx.account_id)
                if wanted in (g.lower() for g in u.get("Groups") or ())]

    async def create_group(self, ctx: CallContext, params: Params) -> Result:
        name, path = params["GroupName"], params.get("Path") or "/"
        group = {"GroupName": name, "Path": path, "GroupId": identifiers.unique_id(identifiers.GROUP),
                 "Arn": iam_arn(ctx.account_id, "group", path, name), "CreateDate": now(),
                 "AttachedPolicies": [], "InlinePolicies": {}}
        try:
            await self.directory.groups.create(ctx.account_id, name, group)
        except Conflict:
            raise EntityAlreadyExistsException(f"Group with name {name} already exists.") from None
        return {"Group": group_shape(group)}

    async def get_group(self, ctx: CallContext, params: Params) -> Result:
        group = await self.group(ctx, params["GroupName"])
        users = sorted(await self.members(ctx, group["GroupName"]), key=lambda u: u["UserName"].lower())
        shapes = [{k: u[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate")} for u in users]
        return {"Group": group_shape(group), **page(shapes, params.get("Marker"), params.get("MaxItems"), "Users")}

    async def list_groups(self, ctx: CallContext, params: Params) -> Result:
        groups = with_path_prefix(await self.directory.groups.list(ctx.account_id), params.get("PathPrefix"),
                                  "GroupName")
        return page([group_shape(g) for g in groups], params.get("Marker"), params.get("MaxItems"), "Groups")

    async def update_group(self, ctx: CallContext, params: Params) -> Result:
        group = await self.group(ctx, params["GroupName"])
        old, new_name = group["GroupName"], params.get("NewGroupName") or group["GroupName"]
        path = params.get("NewPath") or group["Path"]
        updated = {**group, "GroupName": new_name, "Path": path, "Arn": iam_arn(ctx.account_id, "group", path, new_name)}
        if new_name.lower() == old.lower():
            await self.directory.groups.update(ctx.account_id, old, lambda g: g.update(updated))
            return None
        try:
            await self.directory.groups.create(ctx.account_id, new_name, updated)
        except Conflict:
            raise EntityAlreadyExistsException(f"Group with name {new_name} already exists.") from None
        for user in await self.members(ctx, old):
            await self.directory.users.update(ctx.account_id, user["UserName"], lambda u: u.update(
                Groups=[new_name if g.lower() == old.lower() else g for g in u["Groups"]]))
        await self.directory.groups.delete(ctx.account_id, old)
        return None

    async def delete_group(self, ctx: CallContext, params: Params) -> Result:
        group = await self.group(ctx, params["GroupName"])
        if await self.members(ctx, group["GroupName"]):
            raise DeleteConflictException("Cannot delete entity, must remove users from group first.")
        if group.get("InlinePolicies"):
            raise DeleteConflictException("Cannot delete entity, must delete policies first.")
        if group.get("AttachedPolicies"):
            raise DeleteConflictException("Cannot delete entity, must detach all policies first.")
        await self.directory.groups.delete(ctx.account_id, group["GroupName"])
        return None

    async def add_user_to_group(self, ctx: CallContext, params: Params) -> Result:
        group = await self.group(ctx, params["GroupName"])
        user = await self.user(ctx, params["UserName"])

        def add(record: Document) -> None:
            groups = record.setdefault("Groups", [])
            if group["GroupName"].lower() in (g.lower() for g in groups):
                return
            if len(groups) >= MAX_GROUPS_PER_USER:
                raise LimitExceededException(f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}")
            groups.append(group["GroupName"])
        await self.directory.users.update(ctx.account_id, user["UserName"], add)
        return None

    async def remove_user_from_group(self, ctx: CallContext, params: Params) -> Result:
        group = await self.group(ctx, params["GroupName"])
        user = await self.user(ctx, params["UserName"])
        await self.directory.users.update(ctx.account_id, user["UserName"], lambda u: u.update(
            Groups=[g for g in u.get("Groups") or () if g.lower() != group["GroupName"].lower()]))
        return None

    async def list_groups_for_user(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        groups = [g for g in [await self.directory.groups.get(ctx.account_id, n) for n in user.get("Groups") or ()]
                  if g is not None]
        return page([group_shape(g) for g in groups], params.get("Marker"), params.get("MaxItems"), "Groups")
