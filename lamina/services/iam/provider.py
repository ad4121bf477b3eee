"""The IAM API: the operation groups composed into one provider, plus what other services ask of IAM
(``authorize`` for checks such as iam:PassRole, ``role_by_arn`` for STS)."""

from __future__ import annotations

from typing import Any, Mapping

from lamina.iam.evaluation import Decision
from lamina.iam.principal import Principal
from lamina.services.iam.authorization import Authorization
from lamina.services.iam.directory import Directory
from lamina.services.iam.operations.access_keys import AccessKeyOperations
from lamina.services.iam.operations.attachments import AttachmentOperations
from lamina.services.iam.operations.groups import GroupOperations
from lamina.services.iam.operations.inline_policies import InlinePolicyOperations
from lamina.services.iam.operations.managed_policies import ManagedPolicyOperations
from lamina.services.iam.operations.roles import RoleOperations
from lamina.services.iam.operations.simulation import SimulationOperations
from lamina.services.iam.operations.users import UserOperations
from lamina.services.iam.records import Document
from lamina.services.platform import Platform


class IamProvider(
    UserOperations,
    GroupOperations,
    RoleOperations,
    AccessKeyOperations,
    InlinePolicyOperations,
    ManagedPolicyOperations,
    AttachmentOperations,
    SimulationOperations,
):
    _scenarios = "EC2 resource-handling scenarios do not apply: lamina simulates the resources named"
    ignored_members = {
        "SimulateCustomPolicy": {"ResourceHandlingOption": _scenarios},
        "SimulatePrincipalPolicy": {"ResourceHandlingOption": _scenarios},
    }

    def __init__(self, platform: Platform, directory: Directory, authorization: Authorization) -> None:
        super().__init__(platform, directory)
        self.authorization = authorization

    async def authorize(self, principal: Principal, action: str, resource: str, *,
                        keys: Mapping[str, Any] | None = None, source_ip: str | None = None) -> Decision:
        return await self.authorization.authorize(principal, action, resource, keys=keys, source_ip=source_ip)

    async def role_by_arn(self, arn: str) -> Document | None:
        """The role an ARN names (with its path), or None."""
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
            return None
        role = await self.directory.roles.get(parts[4], parts[5].rsplit("/", 1)[-1])
        return role if role is not None and role["Arn"] == arn else None
