"""CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole, role tags and
permissions boundaries (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).

A trust policy that names a user or role of this account must name one that
exists: IAM refuses it otherwise ('Invalid principal in policy: "AWS":"<arn>"').
"""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.iam import documents, identifiers
from lamina.services.iam.errors import (
    DeleteConflictException,
    EntityAlreadyExistsException,
    MalformedPolicyDocumentException,
)
from lamina.services.iam.listing import page, with_path_prefix
from lamina.services.iam.operations.base import IamBase, iam_arn, now
from lamina.services.iam.records import Conflict, Document
from lamina.services.iam.tagging import merged, untagged
from lamina.services.provider import Params, Result

DEFAULT_MAX_SESSION = 3600


class RoleOperations(IamBase):
    def role_shape(self, role: Document, *, full: bool = True) -> dict[str, Any]:
        shape = {k: role[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate")}
        shape["AssumeRolePolicyDocument"] = documents.encoded(role["AssumeRolePolicyDocument"])
        if role.get("Description"):
            shape["Description"] = role["Description"]
        shape["MaxSessionDuration"] = role.get("MaxSessionDuration") or DEFAULT_MAX_SESSION
        if full:
            if role.get("PermissionsBoundary"):
                shape["PermissionsBoundary"] = self.boundary(role)
            if role.get("Tags"):
                shape["Tags"] = role["Tags"]
            shape["RoleLastUsed"] = role.get("RoleLastUsed") or {}
        return shape

    async def checked_trust(self, ctx: CallContext, text: str) -> None:
        document = documents.check_trust(text)
        for statement in document.statements:
            if statement.principal is None:
                continue
            for arn in statement.principal.local_entities(ctx.account_id):
                kind, _, rest = arn.split(":", 5)[5].partition("/")
                name = rest.rsplit("/", 1)[-1]
                table = self.directory.users if kind == "user" else self.directory.roles
                found = await table.get(ctx.account_id, name)
                if found is None or found["Arn"] != arn:
                    raise MalformedPolicyDocumentException(f'Invalid principal in policy: "AWS":"{arn}"')

    async def create_role(self, ctx: CallContext, params: Params) -> Result:
        name, path = params["RoleName"], params.get("Path") or "/"
        await self.checked_trust(ctx, params["AssumeRolePolicyDocument"])
        if params.get("PermissionsBoundary"):
            await self.attachable(params["PermissionsBoundary"])
        role = {"RoleName": name, "Path": path, "RoleId": identifiers.unique_id(identifiers.ROLE),
                "Arn": iam_arn(ctx.account_id, "role", path, name), "CreateDate": now(),
                "AssumeRolePolicyDocument": params["AssumeRolePolicyDocument"],
                "Description": params.get("Description") or "",
                "MaxSessionDuration": params.get("MaxSessionDuration") or DEFAULT_MAX_SESSION,
                "Tags": merged([], params.get("Tags")), "PermissionsBoundary": params.get("PermissionsBoundary"),
                "AttachedPolicies": [], "InlinePolicies": {}}
        try:
            await self.directory.roles.create(ctx.account_id, name, role)
        except Conflict:
            raise EntityAlreadyExistsException(f"Role with name {name} already exists.") from None
        shape = self.role_shape(role)
        shape.pop("RoleLastUsed")
        return {"Role": shape}

    async def get_role(self, ctx: CallContext, params: Params) -> Result:
        return {"Role": self.role_shape(await self.role(ctx, params["RoleName"]))}

    async def list_roles(self, ctx: CallContext, params: Params) -> Result:
        roles = with_path_prefix(await self.directory.roles.list(ctx.account_id), params.get("PathPrefix"), "RoleName")
        return page([self.role_shape(r, full=False) for r in roles], params.get("Marker"), params.get("MaxItems"),
                    "Roles")

    async def update_role(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        changes = {k: params[k] for k in ("Description", "MaxSessionDuration") if k in params}
        await self.directory.roles.update(ctx.account_id, role["RoleName"], lambda r: r.update(changes))
        return {}

    async def update_role_description(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        updated = await self.directory.roles.update(ctx.account_id, role["RoleName"],
                                                    lambda r: r.update(Description=params["Description"]))
        return {"Role": self.role_shape(updated)}

    async def update_assume_role_policy(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        await self.checked_trust(ctx, params["PolicyDocument"])
        await self.directory.roles.update(ctx.account_id, role["RoleName"],
                                          lambda r: r.update(AssumeRolePolicyDocument=params["PolicyDocument"]))
        return None

    async def delete_role(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        if role.get("InlinePolicies"):
            raise DeleteConflictException("Cannot delete entity, must delete policies first.")
        if role.get("AttachedPolicies"):
            raise DeleteConflictException("Cannot delete entity, must detach all policies first.")
        await self.directory.roles.delete(ctx.account_id, role["RoleName"])
        return None

    async def tag_role(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        tags = merged(role.get("Tags") or [], params["Tags"])
        await self.directory.roles.update(ctx.account_id, role["RoleName"], lambda r: r.update(Tags=tags))
        return None

    async def untag_role(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        tags = untagged(role.get("Tags") or [], params["TagKeys"])
        await self.directory.roles.update(ctx.account_id, role["RoleName"], lambda r: r.update(Tags=tags))
        return None

    async def list_role_tags(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        return page(role.get("Tags") or [], params.get("Marker"), params.get("MaxItems"), "Tags")

    async def put_role_permissions_boundary(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        await self.attachable(params["PermissionsBoundary"])
        await self.directory.roles.update(ctx.account_id, role["RoleName"],
                                          lambda r: r.update(PermissionsBoundary=params["PermissionsBoundary"]))
        return None

    async def delete_role_permissions_boundary(self, ctx: CallContext, params: Params) -> Result:
        role = await self.role(ctx, params["RoleName"])
        await self.directory.roles.update(ctx.account_id, role["RoleName"],
                                          lambda r: r.update(PermissionsBoundary=None))
        return None
