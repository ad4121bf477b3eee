"""GetAccountSettings, reserved concurrency, provisioned concurrency
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html)."""

from __future__ import annotations

from typing import Any

from lamina.engine.api import EngineError
from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration
from lamina.services.lambda_.errors import InvalidParameterValueException, ProvisionedConcurrencyConfigNotFoundException
from lamina.services.lambda_.functions import FunctionRecord, function_key
from lamina.services.lambda_.listing import page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.targets import LATEST, Target
from lamina.services.provider import Params, Result

# Lambda's documented quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
TOTAL_CODE_SIZE = 80_530_636_800
CODE_SIZE_ZIPPED = 52_428_800
CODE_SIZE_UNZIPPED = 262_144_000
PROVISIONED = "lambda:provisioned"


def _provisioned_key(record: FunctionRecord, qualifier: str) -> str:
    return f"{function_key(record.account, record.region, record.name)}/{qualifier}"


class ConcurrencyOperations(LambdaBase):
    async def restore_concurrency(self) -> None:
        """At start: the engine keeps concurrency settings in memory; give them back from the store."""
        for record in await self.functions.all():
            if record.reserved_concurrency is not None:
                self.engine.set_reserved_concurrency(record.arn, record.reserved_concurrency)
        for stored in await self.store.scan(PROVISIONED):
            config = stored.value
            try:
                target = await self.resolver.resolve(config["region"], config["account"], config["name"],
                                                     config["qualifier"])
            except Exception:
                continue
            self.engine.set_provisioned_concurrency(self.spec_for(target), config["requested"])

    async def get_account_settings(self, ctx: CallContext, params: Params) -> Result:
        records = await self.functions.list(ctx.account_id, ctx.region)
        figures = self.engine.account_concurrency()
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE, "CodeSizeUnzipped": CODE_SIZE_UNZIPPED,
                "CodeSizeZipped": CODE_SIZE_ZIPPED, "ConcurrentExecutions": figures.limit,
                "UnreservedConcurrentExecutions": figures.unreserved,
            },
            "AccountUsage": {"TotalCodeSize": sum(r.code.get("size", 0) for r in records),
                             "FunctionCount": len(records)},
        }

    async def _unqualified(self, ctx: CallContext, name: str) -> FunctionRecord:
        target = await self.resolve(ctx, name)
        if target.qualifier is not None:
            raise InvalidParameterValueException("This operation takes an unqualified function name.")
        return target.record

    async def put_function_concurrency(self, ctx: CallContext, params: Params) -> Result:
        record = await self._unqualified(ctx, params["FunctionName"])
        reserved = params["ReservedConcurrentExecutions"]
        try:
            self.engine.set_reserved_concurrency(record.arn, reserved)
        except EngineError as error:
            raise InvalidParameterValueException(error.message) from None
        record.reserved_concurrency = reserved
        await self.functions.save(record)
        return {"ReservedConcurrentExecutions": reserved}

    async def get_function_concurrency(self, ctx: CallContext, params: Params) -> Result:
        record = await self._unqualified(ctx, params["FunctionName"])
        if record.reserved_concurrency is None:
            return {}
        return {"ReservedConcurrentExecutions": record.reserved_concurrency}

    async def delete_function_concurrency(self, ctx: CallContext, params: Params) -> Result:
        record = await self._unqualified(ctx, params["FunctionName"])
        self.engine.set_reserved_concurrency(record.arn, None)
        record.reserved_concurrency = None
        await self.functions.save(record)
        return None

    async def _provisioned_target(self, ctx: CallContext, params: Params) -> Target:
        target = await self.resolve(ctx, params["FunctionName"], params["Qualifier"])
        if target.qualifier in (None, LATEST):
            raise InvalidParameterValueException(
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
        return target

    def _status(self, target: Target, stored: dict[str, Any]) -> dict[str, Any]:
        status = self.engine.provisioned_concurrency(self.spec_for(target).key)
        result: dict[str, Any] = {
            "RequestedProvisionedConcurrentExecutions": stored["requested"],
            "AvailableProvisionedConcurrentExecutions": status.available if status else 0,
            "AllocatedProvisionedConcurrentExecutions": status.allocated if status else 0,
            "Status": status.status if status else "IN_PROGRESS",
            "LastModified": stored["last_modified"],
        }
        if status and status.status_reason:
            result["StatusReason"] = status.status_reason
        return result

    async def put_provisioned_concurrency_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._provisioned_target(ctx, params)
        count = params["ProvisionedConcurrentExecutions"]
        stored = {"account": ctx.account_id, "region": ctx.region, "name": target.record.name,
                  "qualifier": target.qualifier, "requested": count,
                  "last_modified": configuration.last_modified_now()}
        await self.store.put(PROVISIONED, _provisioned_key(target.record, target.qualifier or ""), stored)
        self.engine.set_provisioned_concurrency(self.spec_for(target), count)
        return {"RequestedProvisionedConcurrentExecutions": count,
                "AllocatedProvisionedConcurrentExecutions": 0, "Status": "IN_PROGRESS",
                "LastModified": stored["last_modified"]}

    async def _stored_provisioned(self, target: Target) -> dict[str, Any]:
        found = await self.store.get(PROVISIONED, _provisioned_key(target.record, target.qualifier or ""))
        if found is None:
            raise ProvisionedConcurrencyConfigNotFoundException(
                f"No Provisioned Concurrency Config found for this function: {target.arn}")
        return found.value

    async def get_provisioned_concurrency_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._provisioned_target(ctx, params)
        return self._status(target, await self._stored_provisioned(target))

    async def delete_provisioned_concurrency_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._provisioned_target(ctx, params)
        await self._stored_provisioned(target)
        await self.store.delete(PROVISIONED, _provisioned_key(target.record, target.qualifier or ""))
        self.engine.set_provisioned_concurrency(self.spec_for(target), 0)
        return None

    async def list_provisioned_concurrency_configs(self, ctx: CallContext, params: Params) -> Result:
        record = await self._unqualified(ctx, params["FunctionName"])
        prefix = function_key(record.account, record.region, record.name) + "/"
        configs = []
        for stored in await self.store.scan(PROVISIONED, prefix):
            target = await self.resolver.target(record, stored.value["qualifier"])
            configs.append({"FunctionArn": target.arn, **self._status(target, stored.value)})
        return page_result(configs, params, "ProvisionedConcurrencyConfigs", key=lambda c: c["FunctionArn"])

    async def on_function_deleted(self, record: FunctionRecord) -> None:
        await self.forget_function_records(PROVISIONED, record)
        self.engine.set_reserved_concurrency(record.arn, None)
        await super().on_function_deleted(record)
