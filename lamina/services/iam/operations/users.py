"""CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, user tags and permissions boundaries
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html)."""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.iam import identifiers
from lamina.services.iam.errors import DeleteConflictException, EntityAlreadyExistsException
from lamina.services.iam.listing import page, with_path_prefix
from lamina.services.iam.operations.base import IamBase, iam_arn, now
from lamina.services.iam.records import Conflict, Document
from lamina.services.iam.tagging import merged, untagged
from lamina.services.provider import Params, Result


class UserOperations(IamBase):
    def user_shape(self, user: Document, *, tags: bool = True) -> dict[str, Any]:
        shape = {k: user[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate")}
        if user.get("PermissionsBoundary"):
            shape["PermissionsBoundary"] = self.boundary(user)
        if tags and user.get("Tags"):
            shape["Tags"] = user["Tags"]
        return shape

    async def create_user(self, ctx: CallContext, params: Params) -> Result:
        name, path = params["UserName"], params.get("Path") or "/"
        if params.get("PermissionsBoundary"):
            await self.attachable(params["PermissionsBoundary"])
        user = {"UserName": name, "Path": path, "UserId": identifiers.unique_id(identifiers.USER),
                "Arn": iam_arn(ctx.account_id, "user", path, name), "CreateDate": now(),
                "Tags": merged([], params.get("Tags")), "PermissionsBoundary": params.get("PermissionsBoundary"),
                "Groups": [], "AttachedPolicies": [], "InlinePolicies": {}}
        try:
            await self.directory.users.create(ctx.account_id, name, user)
        except Conflict:
            raise EntityAlreadyExistsException(f"User with name {name} already exists.") from None
        return {"User": self.user_shape(user)}

    async def get_user(self, ctx: CallContext, params: Params) -> Result:
        return {"User": self.user_shape(await self.caller_user(ctx, params.get("UserName")))}

    async def list_users(self, ctx: CallContext, params: Params) -> Result:
        users = with_path_prefix(await self.directory.users.list(ctx.account_id), params.get("PathPrefix"), "UserName")
        return page([self.user_shape(u, tags=False) for u in users], params.get("Marker"), params.get("MaxItems"),
                    "Users")

    async def update_user(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        new_name = params.get("NewUserName") or user["UserName"]
        new_path = params.get("NewPath") or user["Path"]
        if new_name.lower() != user["UserName"].lower():
            if await self.directory.users.get(ctx.account_id, new_name) is not None:
                raise EntityAlreadyExistsException(f"User with name {new_name} already exists.")
        renamed = {**user, "UserName": new_name, "Path": new_path,
                   "Arn": iam_arn(ctx.account_id, "user", new_path, new_name)}
        if new_name.lower() == user["UserName"].lower():
            await self.directory.users.update(ctx.account_id, user["UserName"], lambda u: u.update(renamed))
            return None
        await self.directory.users.create(ctx.account_id, new_name, renamed)
        for key in await self.directory.keys.of_user(ctx.account_id, user["UserName"]):
            await self.directory.keys.put({**key, "UserName": new_name})
        await self.directory.users.delete(ctx.account_id, user["UserName"])
        return None

    async def delete_user(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        if await self.directory.keys.of_user(ctx.account_id, user["UserName"]):
            raise DeleteConflictException("Cannot delete entity, must delete access keys first.")
        if user.get("InlinePolicies"):
            raise DeleteConflictException("Cannot delete entity, must delete policies first.")
        if user.get("AttachedPolicies"):
            raise DeleteConflictException("Cannot delete entity, must detach all policies first.")
        if user.get("Groups"):
            raise DeleteConflictException("Cannot delete entity, must remove user from all groups first.")
        await self.directory.users.delete(ctx.account_id, user["UserName"])
        return None

    async def tag_user(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        tags = merged(user.get("Tags") or [], params["Tags"])
        await self.directory.users.update(ctx.account_id, user["UserName"], lambda u: u.update(Tags=tags))
        return None

    async def untag_user(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        tags = untagged(user.get("Tags") or [], params["TagKeys"])
        await self.directory.users.update(ctx.account_id, user["UserName"], lambda u: u.update(Tags=tags))
        return None

    async def list_user_tags(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        return page(user.get("Tags") or [], params.get("Marker"), params.get("MaxItems"), "Tags")

    async def put_user_permissions_boundary(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        await self.attachable(params["PermissionsBoundary"])
        await self.directory.users.update(ctx.account_id, user["UserName"],
                                          lambda u: u.update(PermissionsBoundary=params["PermissionsBoundary"]))
        return None

    async def delete_user_permissions_boundary(self, ctx: CallContext, params: Params) -> Result:
        user = await self.user(ctx, params["UserName"])
        await self.directory.users.update(ctx.account_id, user["UserName"],
                                          lambda u: u.update(PermissionsBoundary=None))
        return None
