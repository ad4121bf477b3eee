"""The authorization check the gateway runs on every authenticated request, before the provider.

The request becomes an action, a resource and condition keys (``lamina.iam.actions``); the
caller's identity-based policies (from the directory), the resource's policy and tags (from the
service, when it has them) and the request's global keys go to the evaluator; a denial answers
with the service's access-denied code and AWS's message
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

from lamina.gateway.context import RequestContext
from lamina.iam.actions import access_for, tables
from lamina.iam.actions.table import Where
from lamina.iam.context import Context, context_of, principal_keys, request_keys, tag_keys
from lamina.iam.decision_cache import DecisionCache
from lamina.iam.document import PolicyKind
from lamina.iam.evaluation import ALLOWED, RESOURCE, Decision, Policies, Request
from lamina.iam.messages import access_denied_message
from lamina.iam.principal import Principal
from lamina.iam.statement import CompiledPolicy, PolicySet, compile_policy
from lamina.protocol.errors import AccessDeniedError
from lamina.protocol.models import error_shapes
from lamina.services.iam.directory import Directory
from lamina.services.iam.errors import InvalidClientTokenId
from lamina.services.platform import Platform

# Access-denied error shapes, by the code they carry, in the order a model's own is looked for.
_DENIED_SHAPES = ("AccessDeniedException", "AccessDenied", "AuthorizationError")


def resource_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] or None if len(parts) == 6 and parts[0] == "arn" else None


def _uses_resource_tags(identity: PolicySet | Sequence[CompiledPolicy]) -> bool:
    if isinstance(identity, PolicySet):
        return identity.uses_resource_tags
    return any(p.uses_resource_tags for p in identity)


class Authorization:
    def __init__(self, platform: Platform, directory: Directory) -> None:
        self.platform = platform
        self.directory = directory
        self._keys_of: dict[int, tuple[Principal, Context]] = {}
        self._decisions = DecisionCache()

    # -- the gateway check ------------------------------------------------------------------
    async def __call__(self, ctx: RequestContext) -> None:
        who, endpoint, operation = ctx.principal, ctx.endpoint, ctx.operation
        if who is None or endpoint is None or operation is None:
            return
        account = who.account_id or ctx.account_id
        access = access_for(endpoint.name, operation.name, ctx.params or {},
                            Where(ctx.region or self.platform.settings.default_region, account, caller=who.arn))
        if not access.checked:
            return
        if endpoint.name == "iam" and who.kind == "user" and who.temporary:
            # Credentials from GetSessionToken cannot call IAM without MFA
            # (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
            raise InvalidClientTokenId("The security token included in the request is invalid.")
        resource = access.resource
        if endpoint.name == "iam":
            resource = await self.directory.with_path(resource)
        decision = await self.decide(who, access.action, resource, service=endpoint.name, keys=access.keys,
                                     source_ip=ctx.request.client_ip, secure=ctx.request.scheme == "https",
                                     region=ctx.region)
        if not decision:
            family = ctx.protocol.name if ctx.protocol is not None else "json"
            raise AccessDeniedError(access_denied_message(who.arn, access.action, resource, decision),
                                    code=self.denied_code(endpoint.name, endpoint.model, family), status=403)

    @staticmethod
    def denied_code(service: str, model: Any, family: str) -> str:
        table = tables().get(service)
        if table is not None and table.denied_code:
            return table.denied_code
        shapes = error_shapes(model)
        for code in _DENIED_SHAPES:
            shape = shapes.get(code)
            if shape is not None:
                return shape.metadata.get("error", {}).get("code", shape.name)
        return "AccessDenied" if family in ("query", "rest-xml") else "AccessDeniedException"

    # -- decisions ----------------------------------------------------------------------------
    def _principal_keys(self, who: Principal) -> Context:
        """The caller's condition keys; cached while the caller's Principal object lives on (IAM keeps
        one per access key until IAM changes, STS one per session)."""
        cached = self._keys_of.get(id(who))
        if cached is not None and cached[0] is who:
            return cached[1]
        if len(self._keys_of) >= 10_000:
            self._keys_of.clear()
        keys = principal_keys(who)
        self._keys_of[id(who)] = (who, keys)
        return keys

    async def _resource_policy(self, peer: Any, resource: str) -> CompiledPolicy | None:
        reader = getattr(peer, "resource_policy", None)
        if reader is None or resource == "*":
            return None
        text = await reader(resource)
        return compile_policy(text, PolicyKind.RESOURCE) if text else None

    async def decide(self, who: Principal, action: str, resource: str, *, service: str | None = None,
                     keys: Mapping[str, Any] | None = None, source_ip: str | None = None, secure: bool = False,
                     region: str = "", resource_policy: CompiledPolicy | None = None,
                     resource_kind: str = RESOURCE, resource_required: bool = False) -> Decision:
        """Evaluate one request: ``service`` (botocore name) supplies the resource's policy and tags."""
        peer = self.platform.peer(service) if service else None
        if resource_policy is None and peer is not None:
            resource_policy = await self._resource_policy(peer, resource)
        if who.is_root and resource_policy is None and not resource_required:
            return ALLOWED  # the root's identity is not bound by policies
        mine = Policies() if who.is_root or who.kind in ("service", "anonymous") \
            else await self.directory.policies_for(who)
        policies = Policies(mine.identity, resource_policy, mine.session, mine.boundary, resource_kind)
        context = {**request_keys(now=time.time(), region=region, source_ip=source_ip, secure=secure),
                   **self._principal_keys(who), **(keys or {})}
        owner = resource_account(resource)
        if owner:
            context["aws:resourceaccount"] = owner
        tags_of = getattr(peer, "resource_tags", None)
        if tags_of is not None and (_uses_resource_tags(policies.identity)
                                    or (resource_policy is not None and resource_policy.uses_resource_tags)):
            context.update(tag_keys("aws:resourcetag", await tags_of(resource)))
        return self._decisions.decide(Request(who, action, resource, context, owner), policies, resource_required)

    async def authorize(self, principal: Principal, action: str, resource: str, *,
                        keys: Mapping[str, Any] | None = None, source_ip: str | None = None) -> Decision:
        """For services: may ``principal`` do ``action`` on ``resource`` (e.g. iam:PassRole)? ``source_ip``: the
        address a request came from, when a service decides on one (a function URL's caller)."""
        service = resource.split(":")[2] if resource.startswith("arn:") else None
        return await self.decide(principal, action, resource, service=service,
                                 keys=context_of(keys or {}), source_ip=source_ip)
