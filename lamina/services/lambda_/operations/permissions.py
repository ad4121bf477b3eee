"""AddPermission, RemovePermission, GetPolicy: function policies; and what IAM and other services ask
of them (``resource_policy``, ``resource_tags``, ``may_invoke``).

A policy belongs to the ARN the request names: the function (unqualified) or one version or alias
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html). This group comes first in
``LambdaProvider``'s bases: deleting a version or an alias (other groups) also deletes its policy.
"""

from __future__ import annotations

from typing import Any

import orjson

from lamina.iam.service_access import service_may
from lamina.services.context import CallContext
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.resource_policy import PolicyTable, key_of_arn, statement_for
from lamina.services.lambda_.targets import Target
from lamina.services.platform import Platform
from lamina.services.provider import Params, Result

INVOKE = "lambda:InvokeFunction"


class PermissionOperations(LambdaBase):
    def __init__(self, platform: Platform, *args: Any) -> None:
        super().__init__(platform, *args)
        self.policies = PolicyTable(self.store)

    async def add_permission(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))
        statement = statement_for(params, target.arn)
        await self.policies.add(target.record, target.qualifier, statement, params.get("RevisionId"))
        return {"Statement": orjson.dumps(statement).decode()}

    async def remove_permission(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))
        await self.policies.remove(target.record, target.qualifier, params["StatementId"], params.get("RevisionId"))
        return None

    async def get_policy(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))
        found = await self.policies.get(target.record, target.qualifier)
        return {"Policy": orjson.dumps(found["Policy"]).decode(), "RevisionId": found["RevisionId"]}

    # -- for IAM's authorization check (interfaces.ResourcePolicies) ---------------------------
    async def resource_policy(self, arn: str) -> str | None:
        key = key_of_arn(arn)
        return await self.policies.text(key) if key else None

    async def resource_tags(self, arn: str) -> dict[str, str]:
        parts = arn.split(":")
        if len(parts) < 7 or parts[5] != "function":
            return {}
        record = await self.functions.find(parts[4], parts[3], parts[6])
        return dict(record.tags) if record else {}

    # -- for services that invoke functions (interfaces.InvokePermissions) ---------------------
    async def may_invoke(self, function_arn: str, *, service: str, source_arn: str | None = None,
                         source_account: str | None = None) -> bool:
        return service_may(await self.resource_policy(function_arn), service=service, action=INVOKE,
                           resource=function_arn, source_arn=source_arn, source_account=source_account)

    # -- a deleted function, version or alias takes its policy along ------------------------
    async def on_function_deleted(self, record: FunctionRecord) -> None:
        await self.policies.forget(record, all_qualifiers=True)
        await super().on_function_deleted(record)

    async def delete_version(self, target: Target) -> None:
        await super().delete_version(target)
        await self.policies.forget(target.record, target.version)

    async def delete_alias(self, ctx: CallContext, params: Params) -> Result:
        result = await super().delete_alias(ctx, params)  # type: ignore[misc]
        record = (await self.resolve(ctx, params["FunctionName"])).record
        await self.policies.forget(record, params["Name"])
        return result
