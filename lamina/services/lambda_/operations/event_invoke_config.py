"""Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s), and the policy the async invoker follows
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from lamina.services.context import CallContext
from lamina.services.lambda_.arns import function_arn
from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException
from lamina.services.lambda_.functions import FunctionRecord, function_key
from lamina.services.lambda_.listing import page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.operations.invoke import invocation_record
from lamina.services.lambda_.targets import LATEST, Target
from lamina.services.provider import Params, Result
from lamina.triggers.async_invoker import DEFAULT_MAX_AGE, DEFAULT_MAX_RETRIES, DeliveryPolicy, Outcome
from lamina.triggers.destinations import DeliveryFailed, Permission, deliver_dead_letter, deliver_record

log = logging.getLogger("lamina.async")
TABLE = "lambda:event-invoke-config"
_DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")


def _key(record: FunctionRecord, qualifier: str | None) -> str:
    return f"{function_key(record.account, record.region, record.name)}/{qualifier or LATEST}"


class EventInvokeConfigOperations(LambdaBase):
    async def _config_target(self, ctx: CallContext, params: Params) -> Target:
        return await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))

    @staticmethod
    def _check_destinations(config: dict[str, Any]) -> None:
        for kind in ("OnSuccess", "OnFailure"):
            destination = ((config.get("DestinationConfig") or {}).get(kind) or {}).get("Destination")
            if destination and (len(destination.split(":")) < 6
                                or destination.split(":")[2] not in _DESTINATION_SERVICES):
                raise InvalidParameterValueException(
                    f"The destination ARN {destination} is invalid: it must be an SQS queue, SNS topic, "
                    "Lambda function or EventBridge event bus.")

    async def _write(self, target: Target, config: dict[str, Any]) -> dict[str, Any]:
        self._check_destinations(config)
        document = {
            "FunctionArn": function_arn(target.record.region, target.record.account, target.record.name,
                                        target.qualifier or LATEST),
            "MaximumRetryAttempts": config.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES),
            "MaximumEventAgeInSeconds": config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE),
            "DestinationConfig": {
                "OnSuccess": (config.get("DestinationConfig") or {}).get("OnSuccess") or {},
                "OnFailure": (config.get("DestinationConfig") or {}).get("OnFailure") or {},
            },
            "LastModified": dt.datetime.now(dt.timezone.utc).timestamp(),
        }
        await self.store.put(TABLE, _key(target.record, target.qualifier), document)
        return document

    async def _stored(self, target: Target) -> dict[str, Any] | None:
        found = await self.store.get(TABLE, _key(target.record, target.qualifier))
        return found.value if found else None

    async def put_function_event_invoke_config(self, ctx: CallContext, params: Params) -> Result:
        return await self._write(await self._config_target(ctx, params), params)

    async def update_function_event_invoke_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._config_target(ctx, params)
        merged = dict(await self._stored(target) or {})
        for name in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if name in params:
                merged[name] = params[name]
        if "DestinationConfig" in params:
            destinations = dict(merged.get("DestinationConfig") or {})
            destinations.update(params["DestinationConfig"])
            merged["DestinationConfig"] = destinations
        return await self._write(target, merged)

    async def get_function_event_invoke_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._config_target(ctx, params)
        stored = await self._stored(target)
        if stored is None:
            raise ResourceNotFoundException(
                f"The function {function_arn(target.record.region, target.record.account, target.record.name, target.qualifier or LATEST)} "
                "doesn't have an EventInvokeConfig")
        return stored

    async def delete_function_event_invoke_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._config_target(ctx, params)
        await self.get_function_event_invoke_config(ctx, params)
        await self.store.delete(TABLE, _key(target.record, target.qualifier))
        return None

    async def list_function_event_invoke_configs(self, ctx: CallContext, params: Params) -> Result:
        target = await self._config_target(ctx, params)
        prefix = function_key(target.record.account, target.record.region, target.record.name) + "/"
        configs = [r.value for r in await self.store.scan(TABLE, prefix)]
        return page_result(configs, params, "FunctionEventInvokeConfigs", key=lambda c: c["FunctionArn"])

    async def on_function_deleted(self, record: FunctionRecord) -> None:
        await self.forget_function_records(TABLE, record)
        await super().on_function_deleted(record)

    # -- the async invoker's callbacks ---------------------------------------------------
    async def event_policy(self, event: dict[str, Any]) -> DeliveryPolicy:
        try:
            target = await self.resolver.resolve(event["region"], event["account"], event["name"], event["qualifier"])
        except ResourceNotFoundException:
            return DeliveryPolicy()
        stored = await self._stored(target) or {}
        destinations = stored.get("DestinationConfig") or {}
        return DeliveryPolicy(
            max_retries=stored.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES),
            max_age=stored.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE),
            on_success=(destinations.get("OnSuccess") or {}).get("Destination"),
            on_failure=(destinations.get("OnFailure") or {}).get("Destination"),
            dead_letter=(target.config.get("DeadLetterConfig") or {}).get("TargetArn"),
        )

    async def event_finished(self, event: dict[str, Any], outcome: Outcome, policy: DeliveryPolicy,
                             condition: str) -> None:
        success = condition == "Success"
        destination = policy.on_success if success else policy.on_failure
        target = await self._metrics_target(event)
        if not success and target is not None:
            self.invocation_metrics.async_dropped(target)
        allowed = self._role_permission(target)
        try:
            if destination:
                await deliver_record(self.platform, destination, invocation_record(event, outcome, condition), success,
                                     allowed)
        except DeliveryFailed as failed:
            log.warning("destination delivery for %s failed: %s", event["id"], failed)
            if target is not None:
                self.invocation_metrics.delivery_failed(target, dead_letter=False)
        if not success and policy.dead_letter:
            try:
                await deliver_dead_letter(self.platform, policy.dead_letter, event["payload"], event["id"],
                                          outcome.error_code, outcome.error_message, allowed)
            except DeliveryFailed as failed:
                log.warning("dead-letter delivery for %s failed: %s", event["id"], failed)
                if target is not None:
                    self.invocation_metrics.delivery_failed(target, dead_letter=True)

    def _role_permission(self, target: Target | None) -> Permission | None:
        """What the function's execution role may do, for deliveries made on its behalf."""
        if target is None:
            return None
        record = target.record

        async def allowed(action: str, resource: str) -> bool:
            return await self.roles.may(target.config.get("Role"), record.name, record.arn, action, resource)
        return allowed

    async def _metrics_target(self, event: dict[str, Any]) -> Target | None:
        try:
            return await self.resolver.resolve(event["region"], event["account"], event["name"], event["qualifier"])
        except ResourceNotFoundException:
            return None
