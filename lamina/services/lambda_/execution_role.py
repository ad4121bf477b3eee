"""Execution roles: the role a function runs as.

CreateFunction (and UpdateFunctionConfiguration with a new Role) requires the
caller to be allowed iam:PassRole on the role, with iam:PassedToService
lambda.amazonaws.com, and the role's trust policy to let Lambda assume it;
otherwise "The role defined for the function cannot be assumed by Lambda."
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
Each execution environment gets temporary credentials for the role, in a
session named after the function; they are renewed once less than
``REFRESH_MARGIN`` remains, which is longer than any invocation may run
(15 minutes), so no invocation outlives its credentials.
"""

from __future__ import annotations

import time
from typing import Any

from lamina.engine.api import Credentials
from lamina.iam.messages import access_denied_message
from lamina.services.context import CallContext
from lamina.services.lambda_.errors import AccessDeniedException, InvalidParameterValueException
from lamina.services.platform import Platform
from lamina.services.sts.sessions import principal_of

LAMBDA_SERVICE = "lambda.amazonaws.com"
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."
REFRESH_MARGIN = 20 * 60.0


class ExecutionRoles:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.refresh_margin = REFRESH_MARGIN * platform.settings.credential_duration_scale
        self._sessions: dict[tuple[str, str], tuple[Credentials, float]] = {}

    async def check(self, ctx: CallContext, role_arn: str, function_arn: str) -> None:
        """May the caller give this role to the function, and may Lambda assume it?"""
        iam, sts = self.platform.peer("iam"), self.platform.peer("sts")
        if iam is None or sts is None:
            return  # a node without IAM has no roles to check against
        keys: dict[str, Any] = {"iam:PassedToService": LAMBDA_SERVICE, "iam:AssociatedResourceArn": function_arn}
        decision = await iam.authorize(ctx.principal, "iam:PassRole", role_arn, keys=keys)
        if not decision:
            raise AccessDeniedException(access_denied_message(ctx.principal.arn, "iam:PassRole", role_arn, decision))
        if not await sts.trusts_service(role_arn, LAMBDA_SERVICE):
            raise InvalidParameterValueException(CANNOT_ASSUME)

    async def credentials(self, role_arn: str | None, function_name: str, function_arn: str) -> Credentials | None:
        """Credentials for an invocation: the environment's current ones, or new ones near their expiry."""
        sts = self.platform.peer("sts")
        if not role_arn or sts is None:
            return None
        key = (role_arn, function_arn)
        cached = self._sessions.get(key)
        if cached is not None and cached[1] - time.time() > self.refresh_margin:
            return cached[0]
        try:
            credentials, expires_at = await sts.service_session(role_arn, LAMBDA_SERVICE, function_name,
                                                                source_arn=function_arn)
        except LookupError:
            raise InvalidParameterValueException(CANNOT_ASSUME) from None
        self._sessions[key] = (credentials, expires_at)
        return credentials

    async def may(self, role_arn: str | None, function_name: str, function_arn: str, action: str,
                  resource: str) -> bool:
        """Whether the function's execution role may do ``action`` on ``resource``: Lambda sends to
        destinations and dead-letter targets with the role's permissions
        (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-async-destinations).
        A node without IAM allows it."""
        iam, sts = self.platform.peer("iam"), self.platform.peer("sts")
        if iam is None or sts is None:
            return True
        try:
            credentials = await self.credentials(role_arn, function_name, function_arn)
        except InvalidParameterValueException:
            return False
        record = await sts.sessions.record(credentials.access_key_id) if credentials is not None else None
        if record is None:
            return False
        return bool(await iam.authorize(principal_of(record), action, resource))

    def forget(self, function_arn: str) -> None:
        for key in [k for k in self._sessions if k[1] == function_arn]:
            del self._sessions[key]
