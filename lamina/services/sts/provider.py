"""The STS API: GetCallerIdentity, AssumeRole, GetSessionToken; and role sessions for services
(Lambda's execution roles).

AssumeRole is allowed when the role's trust policy allows the caller, and (unless the trust policy
names the caller itself) the caller's own policies allow sts:AssumeRole on the role
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html: role
trust policies "must explicitly allow access for principals").
Durations: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html.
"""

from __future__ import annotations

from typing import Any

import orjson

from lamina.engine.api import Credentials
from lamina.iam.context import Context, context_of, tag_keys
from lamina.iam.document import PolicyKind, PolicyProblem
from lamina.iam.evaluation import TRUST, Decision, Policies, Request, evaluate
from lamina.iam.messages import access_denied_message
from lamina.iam.principal import service_principal
from lamina.iam.statement import CompiledPolicy, compile_policy
from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result
from lamina.services.sts.errors import (
    AccessDenied,
    MalformedPolicyDocumentException,
    PackedPolicyTooLargeException,
    ValidationError,
)
from lamina.services.sts.sessions import Sessions

DEFAULT_ROLE_SESSION = 3600
CHAINED_ROLE_LIMIT = 3600
DEFAULT_SESSION_TOKEN = 43_200
ROOT_SESSION_TOKEN_LIMIT = 3600
PACKED_POLICY_LIMIT = 2048  # characters of session policies a token can carry
# Lambda's execution-role credentials: an hour, renewed by the Lambda service before they run out.
SERVICE_SESSION = 3600


class StsProvider(Provider):
    service_name = "sts"
    _mfa = "MFA devices are not implemented, so a code cannot be verified"
    unsupported_members = {
        "AssumeRole": {"SerialNumber": _mfa, "TokenCode": _mfa,
                       "ProvidedContexts": "trusted context providers are not implemented"},
        "GetSessionToken": {"SerialNumber": _mfa, "TokenCode": _mfa},
    }

    def __init__(self, platform: Platform, sessions: Sessions) -> None:
        self.platform = platform
        self.sessions = sessions

    async def start(self) -> None:
        await self.sessions.sweep()

    def _iam(self) -> Any:
        iam = self.platform.peer("iam")
        if iam is None:
            raise AccessDenied("lamina does not serve IAM on this node, so roles cannot be assumed.")
        return iam

    async def get_caller_identity(self, ctx: CallContext, params: Params) -> Result:
        who = ctx.principal
        return {"UserId": who.user_id or who.account_id, "Account": who.account_id, "Arn": who.arn}

    # -- AssumeRole ---------------------------------------------------------------------------
    async def _session_policies(self, params: Params) -> list[str]:
        texts = []
        if params.get("Policy"):
            try:
                compile_policy(params["Policy"])
            except PolicyProblem as problem:
                raise MalformedPolicyDocumentException(problem.message) from None
            texts.append(params["Policy"])
        iam = self._iam()
        for item in params.get("PolicyArns") or ():
            text = await iam.directory.default_document(item["arn"])
            if text is None:
                raise MalformedPolicyDocumentException(f"Policy {item['arn']} does not exist or is not attachable.")
            texts.append(text)
        packed = sum(len(orjson.dumps(orjson.loads(t))) for t in texts)
        if packed > PACKED_POLICY_LIMIT:
            raise PackedPolicyTooLargeException(
                f"Packed policy consumes {packed * 100 // PACKED_POLICY_LIMIT}% of allotted space, "
                "please use smaller policy.")
        return texts

    @staticmethod
    def _assume_keys(params: Params) -> Context:
        keys = context_of({"sts:ExternalId": params.get("ExternalId"),
                           "sts:RoleSessionName": params.get("RoleSessionName"),
                           "sts:SourceIdentity": params.get("SourceIdentity"),
                           "sts:TransitiveTagKeys": params.get("TransitiveTagKeys")})
        tags = {t["Key"]: t["Value"] for t in params.get("Tags") or ()}
        if tags:
            keys.update(tag_keys("aws:requesttag", tags))
            keys["aws:tagkeys"] = tuple(tags)
        return keys

    async def assume_role(self, ctx: CallContext, params: Params) -> Result:
        who, role_arn = ctx.principal, params["RoleArn"]
        if who.is_root:
            raise AccessDenied("Roles may not be assumed by root accounts.")
        iam = self._iam()
        role = await iam.role_by_arn(role_arn)
        denied = Decision(False, False, TRUST)
        if role is not None:
            trust = compile_policy(role["AssumeRolePolicyDocument"], PolicyKind.TRUST)
            decision = await iam.authorization.decide(
                who, "sts:AssumeRole", role_arn, keys=self._assume_keys(params), source_ip=ctx.source_ip,
                region=ctx.region, resource_policy=trust, resource_kind=TRUST, resource_required=True)
            denied = decision
        if role is None or not denied:
            raise AccessDenied(access_denied_message(who.arn, "sts:AssumeRole", role_arn, denied))
        duration = params.get("DurationSeconds") or DEFAULT_ROLE_SESSION
        if who.kind == "assumed-role" and duration > CHAINED_ROLE_LIMIT:
            raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles "
                                  "assuming other roles.")
        if duration > (role.get("MaxSessionDuration") or DEFAULT_ROLE_SESSION):
            raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        policies = await self._session_policies(params)
        name = params["RoleSessionName"]
        role_tags = {t["Key"]: t["Value"] for t in role.get("Tags") or ()}
        session_tags = {t["Key"]: t["Value"] for t in params.get("Tags") or ()}
        arn = f"arn:aws:sts::{who.account_id}:assumed-role/{role['RoleName']}/{name}"
        issued = await self.sessions.issue(
            kind="assumed-role", arn=arn, account=who.account_id, user_id=f"{role['RoleId']}:{name}",
            name=role["RoleName"], duration=duration, role_arn=role["Arn"], policies=policies,
            tags={**role_tags, **session_tags})
        result: dict[str, Any] = {"Credentials": issued.credentials(),
                                  "AssumedRoleUser": {"AssumedRoleId": f"{role['RoleId']}:{name}", "Arn": arn}}
        if policies or session_tags:
            size = sum(len(orjson.dumps(orjson.loads(t))) for t in policies) + sum(
                len(k) + len(v) for k, v in session_tags.items())
            result["PackedPolicySize"] = max(1, size * 100 // PACKED_POLICY_LIMIT)
        if params.get("SourceIdentity"):
            result["SourceIdentity"] = params["SourceIdentity"]
        return result

    # -- GetSessionToken ----------------------------------------------------------------------
    async def get_session_token(self, ctx: CallContext, params: Params) -> Result:
        who = ctx.principal
        if who.temporary:
            raise AccessDenied("Cannot call GetSessionToken with session credentials")
        duration = params.get("DurationSeconds") or (
            ROOT_SESSION_TOKEN_LIMIT if who.is_root else DEFAULT_SESSION_TOKEN)
        if who.is_root:
            duration = min(duration, ROOT_SESSION_TOKEN_LIMIT)
        issued = await self.sessions.issue(kind=who.kind, arn=who.arn, account=who.account_id,
                                           user_id=who.user_id, name=who.name, duration=duration, tags=who.tags)
        return {"Credentials": issued.credentials()}

    # -- role sessions for services (interfaces.RoleSessions) -----------------------------------
    async def _trust(self, role_arn: str) -> tuple[dict[str, Any], CompiledPolicy] | None:
        iam = self.platform.peer("iam")
        role = await iam.role_by_arn(role_arn) if iam is not None else None
        if role is None:
            return None
        return role, compile_policy(role["AssumeRolePolicyDocument"], PolicyKind.TRUST)

    async def trusts_service(self, role_arn: str, service: str) -> bool:
        found = await self._trust(role_arn)
        if found is None:
            return False
        role, trust = found
        who = service_principal(service)
        context = {"aws:principalservicename": service, "aws:principalisawsservice": "true"}
        return evaluate(Request(who, "sts:AssumeRole", role_arn, context),
                        Policies(resource=trust, resource_kind=TRUST), resource_required=True).allowed

    async def service_session(self, role_arn: str, service: str, session_name: str, *,
                              source_arn: str | None = None) -> tuple[Credentials, float]:
        found = await self._trust(role_arn)
        if found is None or not await self.trusts_service(role_arn, service):
            raise LookupError(f"{service} cannot assume {role_arn}")
        role = found[0]
        account = role["Arn"].split(":")[4]
        issued = await self.sessions.issue(
            kind="assumed-role", arn=f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{session_name}",
            account=account, user_id=f"{role['RoleId']}:{session_name}", name=role["RoleName"],
            duration=SERVICE_SESSION, role_arn=role["Arn"],
            tags={t["Key"]: t["Value"] for t in role.get("Tags") or ()}, source_function_arn=source_arn or "")
        credentials = Credentials(issued.access_key_id, issued.secret_access_key, issued.session_token,
                                  issued.expires_at)
        return credentials, issued.expires_at
