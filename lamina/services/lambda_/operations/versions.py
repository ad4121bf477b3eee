"""PublishVersion, ListVersionsByFunction and deleting versions
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html)."""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration
from lamina.services.lambda_.arns import function_arn
from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceConflictException
from lamina.services.lambda_.functions import TABLE as FUNCTIONS
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.listing import by_version, page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.targets import LATEST, Target
from lamina.services.lambda_.versions import fingerprint
from lamina.services.provider import Params, Result
from lamina.store import PreconditionFailed
from lamina.store.base import Put


class VersionOperations(LambdaBase):
    async def publish_version(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"])
        if target.qualifier is not None:
            raise InvalidParameterValueException("PublishVersion takes an unqualified function name.")
        record = target.record
        latest_sha = record.config.get("CodeSha256")
        if params.get("CodeSha256") and params["CodeSha256"] != latest_sha:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({params['CodeSha256']}) is different from current CodeSHA256 in $LATEST "
                f"({latest_sha}). Please try again with the CodeSHA256 in $LATEST.")
        self.check_revision(record.config.get("RevisionId"), params.get("RevisionId"))
        return await self.publish(record, params.get("Description"))

    async def publish(self, record: FunctionRecord, description: str | None) -> dict[str, Any]:
        self.lifecycle.refuse_if_busy(record)
        current = fingerprint(record.config, record.code)
        if record.last_version:
            last = await self.versions.get(record, str(record.last_version))
            if last is not None and last.get("fingerprint") == current:
                return last["config"]
        number = record.last_version + 1
        config = dict(record.config)
        config.update(
            Version=str(number), FunctionArn=function_arn(record.region, record.account, record.name, str(number)),
            Description=record.config.get("Description", "") if description is None else description,
            LastModified=configuration.last_modified_now(), RevisionId=configuration.new_revision_id(),
            State="Active", LastUpdateStatus="Successful")
        record.last_version = number
        try:
            await self.store.apply([
                self.versions.put_op(record, number, {"config": config, "code": record.code,
                                                      "fingerprint": current}),
                Put(FUNCTIONS, record.key, record.to_document(), if_version=record.store_version),
            ])
        except PreconditionFailed:
            raise ResourceConflictException(
                "The operation cannot be performed at this time. An update is in progress for "
                f"resource: {record.arn}") from None
        return config

    async def list_versions_by_function(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"])
        configs = [target.record.config] + [v["config"] for v in await self.versions.list(target.record)]
        return page_result(configs, params, "Versions", key=by_version)

    async def delete_version(self, target: Target) -> None:
        """DeleteFunction with a version qualifier (https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html)."""
        if target.qualifier == LATEST:
            raise InvalidParameterValueException("$LATEST version cannot be deleted without deleting the function.")
        if target.alias is not None:
            raise InvalidParameterValueException(
                "Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.")
        users = [a["Name"] for a in await self.aliases.list(target.record)
                 if a["FunctionVersion"] == target.version
                 or target.version in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})]
        if users:
            raise ResourceConflictException(
                f"Unable to delete version because the following aliases reference it: {users}")
        await self.versions.delete(target.record, target.version)
        self.engine.retire(target.record.arn + ":" + target.version)
        await self.forget_code_if_unused(target.code["digest"])
