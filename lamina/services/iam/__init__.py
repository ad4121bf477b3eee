"""AWS Identity and Access Management (API version 2010-05-08): users, groups, roles, access keys,
inline and managed policies. Building it also installs IAM in the gateway: the access-key resolver
and the authorization check that runs before every provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lamina.gateway.auth import KeyGrant
from lamina.gateway.services import ServiceEndpoint
from lamina.protocol.models import load_service_model
from lamina.protocol.query import QUERY_CODES
from lamina.services.platform import Platform

if TYPE_CHECKING:
    from lamina.services.iam.directory import Directory


class IamKeyResolver:
    """Long-term access keys of IAM users (temporary ASIA... keys are STS's)."""

    def __init__(self, directory: "Directory") -> None:
        self.directory = directory

    async def lookup(self, access_key_id: str) -> KeyGrant | None:
        if access_key_id.startswith("ASIA"):
            return None
        return await self.directory.grant(access_key_id)


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.services.iam.authorization import Authorization
    from lamina.services.iam.directory import Directory
    from lamina.services.iam.provider import IamProvider

    directory = Directory(platform.store)
    authorization = Authorization(platform, directory)
    platform.authenticator.add_resolver(IamKeyResolver(directory))
    platform.authorize.checks.append(authorization)
    provider = IamProvider(platform, directory, authorization)
    return ServiceEndpoint("iam", load_service_model("iam"), provider, ("iam",), QUERY_CODES)
