"""CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html)."""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration
from lamina.services.lambda_.arns import function_arn
from lamina.services.lambda_.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.listing import page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.targets import LATEST
from lamina.services.provider import Params, Result
from lamina.store import PreconditionFailed


class AliasOperations(LambdaBase):
    async def _function(self, ctx: CallContext, name: str) -> FunctionRecord:
        target = await self.resolve(ctx, name)
        if target.qualifier is not None:
            raise InvalidParameterValueException("Alias operations take an unqualified function name.")
        return target.record

    async def _check_versions(self, record: FunctionRecord, primary: str, routing: dict[str, Any] | None) -> None:
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        if len(weights) > 1:
            raise InvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater than 1")
        for version in [primary, *weights]:
            if version != LATEST and await self.versions.get(record, version) is None:
                raise ResourceNotFoundException(
                    f"Function not found: {function_arn(record.region, record.account, record.name, version)}")
        if weights:
            if primary == LATEST or LATEST in weights:
                raise InvalidParameterValueException(
                    "$LATEST is not supported for an alias pointing to more than 1 version")
            if primary in weights:
                raise InvalidParameterValueException(
                    "Additional version must be different than the primary version")
            for weight in weights.values():
                if not 0.0 <= weight <= 1.0:
                    raise InvalidParameterValueException("Routing weights must be between 0.0 and 1.0")

    def _alias_arn(self, record: FunctionRecord, name: str) -> str:
        return function_arn(record.region, record.account, record.name, name)

    async def create_alias(self, ctx: CallContext, params: Params) -> Result:
        record = await self._function(ctx, params["FunctionName"])
        await self._check_versions(record, params["FunctionVersion"], params.get("RoutingConfig"))
        alias: dict[str, Any] = {
            "AliasArn": self._alias_arn(record, params["Name"]), "Name": params["Name"],
            "FunctionVersion": params["FunctionVersion"], "Description": params.get("Description", ""),
            "RevisionId": configuration.new_revision_id(),
        }
        if (params.get("RoutingConfig") or {}).get("AdditionalVersionWeights"):
            alias["RoutingConfig"] = {"AdditionalVersionWeights": params["RoutingConfig"]["AdditionalVersionWeights"]}
        try:
            await self.aliases.put(record, alias, if_version=None)
        except PreconditionFailed:
            raise ResourceConflictException(f"Alias already exists: {alias['AliasArn']}") from None
        return alias

    async def _alias(self, ctx: CallContext, params: Params) -> tuple[FunctionRecord, dict[str, Any], int]:
        record = await self._function(ctx, params["FunctionName"])
        found = await self.aliases.get(record, params["Name"])
        if found is None:
            raise ResourceNotFoundException(f"Alias not found: {self._alias_arn(record, params['Name'])}")
        return record, found[0], found[1]

    async def get_alias(self, ctx: CallContext, params: Params) -> Result:
        return (await self._alias(ctx, params))[1]

    async def update_alias(self, ctx: CallContext, params: Params) -> Result:
        record, alias, version = await self._alias(ctx, params)
        self.check_revision(alias.get("RevisionId"), params.get("RevisionId"))
        updated = dict(alias)
        if params.get("FunctionVersion"):
            updated["FunctionVersion"] = params["FunctionVersion"]
        if "Description" in params:
            updated["Description"] = params["Description"]
        if "RoutingConfig" in params:
            weights = (params["RoutingConfig"] or {}).get("AdditionalVersionWeights")
            if weights:
                updated["RoutingConfig"] = {"AdditionalVersionWeights": weights}
            else:
                updated.pop("RoutingConfig", None)
        await self._check_versions(record, updated["FunctionVersion"], updated.get("RoutingConfig"))
        updated["RevisionId"] = configuration.new_revision_id()
        try:
            await self.aliases.put(record, updated, if_version=version)
        except PreconditionFailed:
            raise ResourceConflictException(
                f"The operation cannot be performed at this time. An update is in progress for resource: "
                f"{alias['AliasArn']}") from None
        return updated

    async def delete_alias(self, ctx: CallContext, params: Params) -> Result:
        record = await self._function(ctx, params["FunctionName"])
        await self.aliases.delete(record, params["Name"])
        return None

    async def list_aliases(self, ctx: CallContext, params: Params) -> Result:
        record = await self._function(ctx, params["FunctionName"])
        aliases = await self.aliases.list(record)
        if params.get("FunctionVersion"):
            aliases = [a for a in aliases if a["FunctionVersion"] == params["FunctionVersion"]]
        return page_result(aliases, params, "Aliases", key=lambda a: a["Name"])
