"""Managed policies and their versions: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
SetDefaultPolicyVersion, policy tags (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).

AWS managed policies (``arn:aws:iam::aws:policy/...``) are listed and
attachable in every account and cannot be changed; a customer managed policy
keeps up to five versions, one of them the default.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from lamina.iam.managed import ManagedPolicy, aws_managed_policies
from lamina.services.context import CallContext
from lamina.services.iam import documents, identifiers
from lamina.services.iam.errors import (
    DeleteConflictException,
    EntityAlreadyExistsException,
    LimitExceededException,
    NoSuchEntityException,
    UnmodifiableEntityException,
)
from lamina.services.iam.listing import page
from lamina.services.iam.operations.base import IamBase, iam_arn, now
from lamina.services.iam.records import Conflict, Document
from lamina.services.iam.tagging import merged, untagged
from lamina.services.provider import Params, Result

MAX_VERSIONS = 5


class ManagedPolicyOperations(IamBase):
    async def usage(self, ctx: CallContext) -> tuple[Counter[str], Counter[str]]:
        """How many users, groups and roles attach each policy, and use it as a permissions boundary."""
        attached: Counter[str] = Counter()
        boundaries: Counter[str] = Counter()
        for table in (self.directory.users, self.directory.groups, self.directory.roles):
            for entity in await table.list(ctx.account_id):
                attached.update(entity.get("AttachedPolicies") or ())
                if entity.get("PermissionsBoundary"):
                    boundaries[entity["PermissionsBoundary"]] += 1
        return attached, boundaries

    @staticmethod
    def _shape(meta: dict[str, Any], attached: Counter[str], boundaries: Counter[str]) -> dict[str, Any]:
        return {**meta, "AttachmentCount": attached[meta["Arn"]],
                "PermissionsBoundaryUsageCount": boundaries[meta["Arn"]], "IsAttachable": True}

    @staticmethod
    def _customer_meta(policy: Document, *, tags: bool = True) -> dict[str, Any]:
        meta = {k: policy[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "CreateDate",
                                       "UpdateDate")}
        if policy.get("Description"):
            meta["Description"] = policy["Description"]
        if tags and policy.get("Tags"):
            meta["Tags"] = policy["Tags"]
        return meta

    async def customer(self, ctx: CallContext, arn: str) -> Document:
        policy = await self.directory.customer_policy(arn)
        if policy is None or policy["Arn"].split(":")[4] != ctx.account_id:
            if arn in aws_managed_policies():
                raise UnmodifiableEntityException(f"Policy {arn} is an AWS managed policy and cannot be changed.")
            raise NoSuchEntityException(f"Policy {arn} was not found.")
        return policy

    async def create_policy(self, ctx: CallContext, params: Params) -> Result:
        name, path = params["PolicyName"], params.get("Path") or "/"
        documents.check_managed(params["PolicyDocument"])
        stamp = now()
        policy = {"PolicyName": name, "PolicyId": identifiers.unique_id(identifiers.POLICY),
                  "Arn": iam_arn(ctx.account_id, "policy", path, name), "Path": path, "DefaultVersionId": "v1",
                  "Description": params.get("Description") or "", "CreateDate": stamp, "UpdateDate": stamp,
                  "Tags": merged([], params.get("Tags")), "NextVersion": 2,
                  "Versions": [{"VersionId": "v1", "Document": params["PolicyDocument"], "CreateDate": stamp}]}
        try:
            await self.directory.policies.create(ctx.account_id, name, policy)
        except Conflict:
            raise EntityAlreadyExistsException(
                f"A policy called {name} already exists. Duplicate names are not allowed.") from None
        shape = self._shape(self._customer_meta(policy), Counter(), Counter())
        shape.pop("Description", None)  # CreatePolicy's result leaves the description out
        return {"Policy": shape}

    async def get_policy(self, ctx: CallContext, params: Params) -> Result:
        arn = params["PolicyArn"]
        attached, boundaries = await self.usage(ctx)
        managed = aws_managed_policies().get(arn)
        if managed is not None:
            return {"Policy": self._shape(managed.metadata(), attached, boundaries)}
        policy = await self.directory.customer_policy(arn)
        if policy is None:
            raise NoSuchEntityException(f"Policy {arn} was not found.")
        return {"Policy": self._shape(self._customer_meta(policy), attached, boundaries)}

    async def list_policies(self, ctx: CallContext, params: Params) -> Result:
        scope = params.get("Scope", "All")
        attached, boundaries = await self.usage(ctx)
        metas: list[dict[str, Any]] = []
        if scope in ("All", "AWS"):
            metas += [m.metadata() for m in aws_managed_policies().values()]
        if scope in ("All", "Local"):
            metas += [self._customer_meta(p, tags=False) for p in await self.directory.policies.list(ctx.account_id)]
        prefix = params.get("PathPrefix")
        usage = params.get("PolicyUsageFilter")
        chosen = []
        for meta in metas:
            if prefix and not meta["Path"].startswith(prefix):
                continue
            if params.get("OnlyAttached") and not (attached[meta["Arn"]] or boundaries[meta["Arn"]]):
                continue
            if usage == "PermissionsPolicy" and not attached[meta["Arn"]]:
                continue
            if usage == "PermissionsBoundary" and not boundaries[meta["Arn"]]:
                continue
            meta.pop("Description", None)  # ListPolicies does not return descriptions
            chosen.append(self._shape(meta, attached, boundaries))
        chosen.sort(key=lambda m: m["PolicyName"].lower())
        return page(chosen, params.get("Marker"), params.get("MaxItems"), "Policies")

    async def delete_policy(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        attached, boundaries = await self.usage(ctx)
        if attached[policy["Arn"]] or boundaries[policy["Arn"]]:
            raise DeleteConflictException("Cannot delete a policy attached to entities.")
        if len(policy["Versions"]) > 1:
            raise DeleteConflictException(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's "
                "versions. The default version is deleted with the policy.")
        await self.directory.policies.delete(ctx.account_id, policy["PolicyName"])
        return None

    # -- versions -------------------------------------------------------------------------
    @staticmethod
    def _version_shape(version: Document, default: str) -> dict[str, Any]:
        return {"Document": documents.encoded(version["Document"]), "VersionId": version["VersionId"],
                "IsDefaultVersion": version["VersionId"] == default, "CreateDate": version["CreateDate"]}

    @staticmethod
    def _aws_version(managed: ManagedPolicy) -> dict[str, Any]:
        return {"Document": documents.encoded(managed.document), "VersionId": managed.version_id,
                "IsDefaultVersion": True, "CreateDate": managed.version_date}

    async def create_policy_version(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        documents.check_managed(params["PolicyDocument"])
        created: dict[str, Any] = {}

        def add(record: Document) -> None:
            if len(record["Versions"]) >= MAX_VERSIONS:
                raise LimitExceededException(
                    "A managed policy can have up to 5 versions. Before you create a new version, you must delete "
                    "an existing version.")
            version = {"VersionId": f"v{record['NextVersion']}", "Document": params["PolicyDocument"],
                       "CreateDate": now()}
            record["NextVersion"] += 1
            record["Versions"].append(version)
            if params.get("SetAsDefault"):
                record["DefaultVersionId"] = version["VersionId"]
            record["UpdateDate"] = version["CreateDate"]
            created.update(version=version, default=record["DefaultVersionId"])
        await self.directory.policies.update(ctx.account_id, policy["PolicyName"], add)
        shape = self._version_shape(created["version"], created["default"])
        shape.pop("Document")
        return {"PolicyVersion": shape}

    async def get_policy_version(self, ctx: CallContext, params: Params) -> Result:
        arn, version_id = params["PolicyArn"], params["VersionId"]
        managed = aws_managed_policies().get(arn)
        if managed is not None and managed.version_id == version_id:
            return {"PolicyVersion": self._aws_version(managed)}
        policy = None if managed is not None else await self.directory.customer_policy(arn)
        for version in (policy or {}).get("Versions", ()):
            if version["VersionId"] == version_id:
                return {"PolicyVersion": self._version_shape(version, policy["DefaultVersionId"])}
        raise NoSuchEntityException(f"Policy {arn} version {version_id} does not exist or is not attachable.")

    async def list_policy_versions(self, ctx: CallContext, params: Params) -> Result:
        arn = params["PolicyArn"]
        managed = aws_managed_policies().get(arn)
        if managed is not None:
            versions = [self._aws_version(managed)]
        else:
            policy = await self.directory.customer_policy(arn)
            if policy is None:
                raise NoSuchEntityException(f"Policy {arn} was not found.")
            versions = [self._version_shape(v, policy["DefaultVersionId"]) for v in reversed(policy["Versions"])]
        for version in versions:
            version.pop("Document")
        return page(versions, params.get("Marker"), params.get("MaxItems"), "Versions")

    async def delete_policy_version(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        version_id = params["VersionId"]
        if version_id == policy["DefaultVersionId"]:
            raise DeleteConflictException("Cannot delete the default version of a policy.")
        if not any(v["VersionId"] == version_id for v in policy["Versions"]):
            raise NoSuchEntityException(
                f"Policy {policy['Arn']} version {version_id} does not exist or is not attachable.")
        await self.directory.policies.update(ctx.account_id, policy["PolicyName"], lambda p: p.update(
            Versions=[v for v in p["Versions"] if v["VersionId"] != version_id]))
        return None

    async def set_default_policy_version(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        version_id = params["VersionId"]
        if not any(v["VersionId"] == version_id for v in policy["Versions"]):
            raise NoSuchEntityException(
                f"Policy {policy['Arn']} version {version_id} does not exist or is not attachable.")
        await self.directory.policies.update(ctx.account_id, policy["PolicyName"], lambda p: p.update(
            DefaultVersionId=version_id, UpdateDate=now()))
        return None

    # -- tags --------------------------------------------------------------------------------
    async def tag_policy(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        tags = merged(policy.get("Tags") or [], params["Tags"])
        await self.directory.policies.update(ctx.account_id, policy["PolicyName"], lambda p: p.update(Tags=tags))
        return None

    async def untag_policy(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        tags = untagged(policy.get("Tags") or [], params["TagKeys"])
        await self.directory.policies.update(ctx.account_id, policy["PolicyName"], lambda p: p.update(Tags=tags))
        return None

    async def list_policy_tags(self, ctx: CallContext, params: Params) -> Result:
        policy = await self.customer(ctx, params["PolicyArn"])
        return page(policy.get("Tags") or [], params.get("Marker"), params.get("MaxItems"), "Tags")

    async def list_entities_for_policy(self, ctx: CallContext, params: Params) -> Result:
        arn = params["PolicyArn"]
        if not await self.directory.policy_exists(arn):
            raise NoSuchEntityException(f"Policy {arn} was not found.")
        wanted = params.get("EntityFilter")
        usage = params.get("PolicyUsageFilter")
        result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
        for kind, table, member in (("Group", self.directory.groups, "PolicyGroups"),
                                    ("User", self.directory.users, "PolicyUsers"),
                                    ("Role", self.directory.roles, "PolicyRoles")):
            if wanted not in (None, "LocalManagedPolicy", "AWSManagedPolicy", kind):
                continue
            for entity in await table.list(ctx.account_id):
                as_policy = arn in (entity.get("AttachedPolicies") or ())
                as_boundary = entity.get("PermissionsBoundary") == arn
                if (usage == "PermissionsPolicy" and not as_policy) or (usage == "PermissionsBoundary" and not as_boundary):
                    continue
                if as_policy or as_boundary:
                    result[member].append({f"{kind}Name": entity[f"{kind}Name"], f"{kind}Id": entity[f"{kind}Id"]})
        result["IsTruncated"] = False
        return result
