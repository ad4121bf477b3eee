"""What authorization reads from IAM: a principal's policies and the owner of an access key.

Both are asked on every request, so both are cached in memory and dropped
as a whole whenever IAM writes anything (``generation``); IAM writes are
rare next to the requests they govern.
"""

from __future__ import annotations

from lamina.gateway.auth import KeyGrant
from lamina.iam.evaluation import Policies
from lamina.iam.managed import aws_managed_policies
from lamina.iam.principal import Principal
from lamina.iam.statement import CompiledPolicy, PolicySet, compile_policy
from lamina.services.iam.records import GROUPS, POLICIES, ROLES, USERS, AccessKeyTable, Document, RecordTable
from lamina.store import Store

_CACHE_LIMIT = 10_000


def tags_of(entity: Document) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in entity.get("Tags") or ()}


def policy_name_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def user_principal(user: Document, account: str, key_id: str = "") -> Principal:
    return Principal(arn=user["Arn"], account_id=account, kind="user", access_key_id=key_id,
                     user_id=user["UserId"], name=user["UserName"], tags=tags_of(user))


class Directory:
    def __init__(self, store: Store) -> None:
        self.generation = 0
        self.users = RecordTable(store, USERS, self.changed)
        self.groups = RecordTable(store, GROUPS, self.changed)
        self.roles = RecordTable(store, ROLES, self.changed)
        self.policies = RecordTable(store, POLICIES, self.changed)
        self.keys = AccessKeyTable(store, self.changed)
        self._policy_sets: dict[tuple[str, tuple[str, ...]], tuple[int, Policies]] = {}
        self._grants: dict[str, tuple[int, KeyGrant | None]] = {}

    def changed(self) -> None:
        self.generation += 1

    # -- managed policies --------------------------------------------------------------
    async def customer_policy(self, arn: str) -> Document | None:
        """A customer managed policy by ARN (``arn:aws:iam::<account>:policy/<path><name>``)."""
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("policy/"):
            return None
        found = await self.policies.get(parts[4], policy_name_of(arn))
        return found if found is not None and found["Arn"] == arn else None

    async def policy_exists(self, arn: str) -> bool:
        return arn in aws_managed_policies() or await self.customer_policy(arn) is not None

    async def default_document(self, arn: str) -> str | None:
        """The document of a managed policy's default version."""
        managed = aws_managed_policies().get(arn)
        if managed is not None:
            return managed.document
        policy = await self.customer_policy(arn)
        if policy is None:
            return None
        return next(v["Document"] for v in policy["Versions"] if v["VersionId"] == policy["DefaultVersionId"])

    async def with_path(self, arn: str) -> str:
        """An IAM ARN built from an entity's name, with the entity's real path (``role/service-role/x``)."""
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "iam" or parts[5].count("/") != 1:
            return arn
        kind, name = parts[5].split("/")
        table = {"user": self.users, "role": self.roles, "group": self.groups, "policy": self.policies}.get(kind)
        found = await table.get(parts[4], name) if table is not None else None
        return found["Arn"] if found is not None else arn

    # -- what a principal may do ---------------------------------------------------------
    async def _documents(self, entity: Document) -> list[str]:
        texts = list((entity.get("InlinePolicies") or {}).values())
        for arn in entity.get("AttachedPolicies") or ():
            text = await self.default_document(arn)
            if text is not None:
                texts.append(text)
        return texts

    async def policies_for(self, who: Principal) -> Policies:
        """The identity-based policies, permissions boundary and session policies of a caller."""
        cache_key = (who.arn, who.session_policies)
        cached = self._policy_sets.get(cache_key)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        generation = self.generation
        policies = await self._load(who)
        if len(self._policy_sets) >= _CACHE_LIMIT:
            self._policy_sets.clear()
        self._policy_sets[cache_key] = (generation, policies)
        return policies

    async def _load(self, who: Principal) -> Policies:
        texts: list[str] = []
        boundary: str | None = None
        if who.kind == "user":
            user = await self.users.get(who.account_id, who.name)
            if user is not None and user["Arn"] == who.arn:
                texts += await self._documents(user)
                for group_name in user.get("Groups") or ():
                    group = await self.groups.get(who.account_id, group_name)
                    if group is not None:
                        texts += await self._documents(group)
                boundary = user.get("PermissionsBoundary")
        elif who.kind == "assumed-role":
            role = await self.roles.get(who.account_id, who.name)
            if role is not None and role["Arn"] == who.role_arn:
                texts += await self._documents(role)
                boundary = role.get("PermissionsBoundary")
        boundary_policy: CompiledPolicy | None = None
        if boundary:
            text = await self.default_document(boundary)
            boundary_policy = compile_policy(text) if text else None
        session = [compile_policy(t) for t in who.session_policies] if who.session_policies else None
        return Policies(identity=PolicySet([compile_policy(t) for t in texts]), session=session,
                        boundary=boundary_policy)

    # -- access keys ---------------------------------------------------------------------
    async def grant(self, key_id: str) -> KeyGrant | None:
        """The user a long-term access key belongs to, for the authenticator."""
        cached = self._grants.get(key_id)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        generation = self.generation
        grant = None
        key = await self.keys.get(key_id)
        if key is not None:
            user = await self.users.get(key["Account"], key["UserName"])
            if user is not None:
                grant = KeyGrant(key["SecretAccessKey"], user_principal(user, key["Account"], key_id),
                                 active=key["Status"] == "Active")
        if len(self._grants) >= _CACHE_LIMIT:
            self._grants.clear()
        self._grants[key_id] = (generation, grant)
        return grant
