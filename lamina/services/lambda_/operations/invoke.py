"""Invoke (RequestResponse, Event, DryRun) and InvokeAsync; the Lambda side of asynchronous delivery."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson

from lamina.engine.api import EngineError, Invocation, ResponseStream, Throttled
from lamina.services.context import CallContext
from lamina.services.lambda_ import invoke
from lamina.services.lambda_.aliases import choose_version
from lamina.services.lambda_.errors import AccessDeniedException, ResourceNotFoundException, TooManyRequestsException
from lamina.services.lambda_.metrics import InvocationMetrics
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.targets import Target
from lamina.services.provider import Params, Result
from lamina.triggers.async_invoker import Outcome

# Asynchronous invocation takes at most 256 KB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_ASYNC_PAYLOAD = 262_144


class InvokeOperations(LambdaBase):
    async def _runnable(self, target: Target) -> Target:
        """The target once its function is ready (an invocation waits out Pending, as it is short here)."""
        if self.lifecycle.busy(target.record) or target.config.get("State") == "Pending":
            await self.lifecycle.wait_ready(target.record)
            target = await self.resolver.resolve(target.record.region, target.record.account,
                                                 target.record.name, target.qualifier, shared=True)
        return target

    async def _routed(self, target: Target) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(version, config, code) this invocation runs: an alias may route to its additional version."""
        if target.alias is None:
            return target.version, target.config, target.code
        version = choose_version(target.alias)
        if version == target.version:
            return target.version, target.config, target.code
        routed = await self.resolver.target(target.record, version)
        return routed.version, routed.config, routed.code

    async def run_sync(self, target: Target, payload: bytes, request_id: str, *,
                       client_context: str | None = None, tail_log: bool = False,
                       response_stream: ResponseStream | None = None) -> dict[str, Any]:
        target = await self._runnable(target)
        version, config, code = await self._routed(target)
        spec = self.spec_for(target, version, config, code)
        credentials = await self.roles.credentials(config.get("Role"), target.record.name, target.record.arn)
        invocation = Invocation(request_id=request_id, payload=payload, invoked_function_arn=target.arn,
                                client_context=client_context, tail_log=tail_log,
                                response_stream=response_stream, credentials=credentials)
        self.platform.logs.formats.configure(spec.account_id, spec.region, spec.log_group, spec.log_format,
                                             spec.application_log_level, spec.system_log_level)
        metrics = self.invocation_metrics
        concurrency = metrics.started(target, spec.key)
        try:
            return await invoke.run_sync(
                self.engine, spec, invocation,
                lambda result, failed: metrics.completed(target, spec.key, version, concurrency, result, failed))
        except TooManyRequestsException:
            metrics.completed(target, spec.key, version, concurrency, None, False)
            raise
        finally:
            metrics.ended(target, spec.key)

    @property
    def invocation_metrics(self) -> InvocationMetrics:
        """The AWS/Lambda metrics publisher (created on first use: operation groups share no __init__ hook)."""
        found = self.__dict__.get("_invocation_metrics")
        if found is None:
            found = self.__dict__["_invocation_metrics"] = InvocationMetrics(self.platform)
        return found

    async def invoke(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"), shared=True)
        invocation_type = params.get("InvocationType", "RequestResponse")
        raw = params.get("Payload") or b""
        if invocation_type == "Event":
            payload = invoke.check_payload(raw, MAX_ASYNC_PAYLOAD)
            await self.accept_event(target, payload, ctx.request_id)
            return {"StatusCode": 202}
        payload = invoke.check_payload(raw)
        invoke.check_client_context(params.get("ClientContext"))
        if invocation_type == "DryRun":
            return {"StatusCode": 204}
        return await self.run_sync(target, payload, ctx.request_id, client_context=params.get("ClientContext"),
                                   tail_log=params.get("LogType") == "Tail")

    async def invoke_async(self, ctx: CallContext, params: Params) -> Result:
        """InvokeAsync, the deprecated form of Invoke with InvocationType=Event."""
        target = await self.resolve(ctx, params["FunctionName"], shared=True)
        payload = invoke.check_payload(params["InvokeArgs"], MAX_ASYNC_PAYLOAD)
        await self.accept_event(target, payload, ctx.request_id)
        return {"Status": 202}

    async def queue_invocation(self, function_arn: str, payload: bytes, *,
                               source: dict[str, Any] | None = None) -> str:
        """The AsyncInvoker interface other services call (rules, topics, destinations)."""
        parts = function_arn.split(":")
        target = await self.resolver.resolve(parts[3], parts[4], function_arn, shared=True)
        service = (source or {}).get("service")
        if service and service != "lambda.amazonaws.com":
            # Another service invokes on a resource owner's behalf: the function's policy must allow it
            # (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
            if not await self.may_invoke(target.arn, service=service, source_arn=source.get("arn"),
                                         source_account=source.get("account")):
                raise AccessDeniedException(
                    f"User: {service} is not authorized to perform: lambda:InvokeFunction on resource: "
                    f"{target.arn} because no resource-based policy allows the lambda:InvokeFunction action")
        request_id = str(uuid.uuid4())
        await self.accept_event(target, invoke.check_payload(payload, MAX_ASYNC_PAYLOAD), request_id, source)
        return request_id

    async def accept_event(self, target: Target, payload: bytes, request_id: str,
                           source: dict[str, Any] | None = None) -> None:
        record = target.record
        self.invocation_metrics.async_received(target)
        await self.async_invoker.accept({
            "id": request_id, "account": record.account, "region": record.region, "name": record.name,
            "qualifier": target.qualifier, "payload": payload.decode(), "source": source})

    # -- the async invoker's callbacks ---------------------------------------------------
    async def run_event(self, event: dict[str, Any]) -> Outcome:
        try:
            target = await self.resolver.resolve(event["region"], event["account"], event["name"], event["qualifier"],
                                                 shared=True)
        except ResourceNotFoundException:
            return Outcome("gone")
        self.invocation_metrics.async_attempt(target, event["received"])
        try:
            response = await self.run_sync(target, event["payload"].encode(), event["id"])
        except Throttled as throttled:
            return Outcome("throttled", function_arn=target.arn, error_code="429", error_message=throttled.message)
        except EngineError as error:
            return Outcome("system_error", function_arn=target.arn, error_code="500", error_message=error.message)
        except Exception as error:  # a service error on the way (e.g. TooManyRequests): retried as throttling
            return Outcome("throttled", function_arn=target.arn, error_code="429", error_message=str(error))
        payload = response.get("Payload", b"")
        if response.get("FunctionError"):
            message = _error_message(payload)
            return Outcome("function_error", payload, response["ExecutedVersion"], target.arn, "200", message)
        return Outcome("success", payload, response["ExecutedVersion"], target.arn)


def _error_message(payload: bytes) -> str:
    try:
        return str(orjson.loads(payload).get("errorMessage", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return payload.decode(errors="replace")


def invocation_record(event: dict[str, Any], outcome: Outcome, condition: str) -> dict[str, Any]:
    """The record destinations receive
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#destinations-invocation-record)."""
    now = dt.datetime.now(dt.timezone.utc)
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "requestContext": {
            "requestId": event["id"],
            "functionArn": outcome.function_arn or event.get("name", ""),
            "condition": condition,
            "approximateInvokeCount": event.get("attempts", 1),
        },
        "requestPayload": _json_or_text(event["payload"].encode()),
        "responseContext": {"statusCode": 200, "executedVersion": outcome.executed_version},
    }
    if outcome.kind == "function_error":
        record["responseContext"]["functionError"] = "Unhandled"
    if outcome.kind in ("success", "function_error"):
        record["responsePayload"] = _json_or_text(outcome.payload)
    else:
        record["responseContext"]["statusCode"] = int(outcome.error_code or 500)
    return record


def _json_or_text(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode(errors="replace")

