"""Running the function behind an API route (AWS_PROXY integrations and Lambda authorizers).

Integration URIs name the function by ARN, plainly or in API Gateway's invocation form
``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function-arn>/invocations``, and
may use ``${stageVariables.<name>}`` (https://docs.aws.amazon.com/apigateway/latest/developerguide/amazon-api-gateway-using-stage-variables.html).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

import orjson

from lamina.protocol.errors import ServiceError
from lamina.services.lambda_.invoke import check_payload

_INVOCATION_FORM = re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/[^/]+/functions/(.+)/invocations$")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def function_arn_of(uri: str, stage_variables: dict[str, str] | None = None) -> str | None:
    """The function ARN an integration URI names, after stage-variable substitution; None if none."""
    uri = _STAGE_VARIABLE.sub(lambda m: (stage_variables or {}).get(m.group(1), ""), uri or "")
    match = _INVOCATION_FORM.match(uri)
    arn = match.group(1) if match else uri
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
        return None
    return arn


APIGATEWAY = "apigateway.amazonaws.com"


@dataclass(slots=True)
class Outcome:
    kind: str  # "ok" | "function_error" | "timeout" | "throttled" | "too_large" | "missing" | "forbidden" | "failed"
    payload: bytes = b""
    latency_ms: float = 0.0
    message: str = ""


class LambdaInvoker:
    """Invokes through the node's Lambda service (never over HTTP); the wait is bounded by ``timeout_s``.

    A timed-out invocation goes on running, as in AWS: only the caller stops waiting.
    """

    def __init__(self, lambda_service: Any) -> None:
        self.lambda_service = lambda_service

    async def invoke(self, function_arn: str, event: dict[str, Any], request_id: str,
                     timeout_s: float, source_arn: str | None) -> Outcome:
        """``source_arn``: the route or authorizer invoking, which the function's policy must let API Gateway
        invoke for (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-integrations.html);
        without it API Gateway answers 500 and logs a permissions error. None: the integration invokes with a
        role of its own (CredentialsArn), whose policies lamina does not evaluate."""
        payload = orjson.dumps(event)
        provider = self.lambda_service
        parts = function_arn.split(":")
        started = time.perf_counter()
        try:
            target = await provider.resolver.resolve(parts[3], parts[4], function_arn, shared=True)
            if source_arn is not None and not await provider.may_invoke(
                    target.arn, service=APIGATEWAY, source_arn=source_arn, source_account=parts[4]):
                return Outcome("forbidden", latency_ms=_since(started),
                               message=f"The function's policy does not allow {APIGATEWAY} to invoke {target.arn} "
                                       f"for {source_arn}")
            run = asyncio.ensure_future(provider.run_sync(target, check_payload(payload), request_id))
            try:
                result = await asyncio.wait_for(asyncio.shield(run), timeout_s)
            except TimeoutError:
                run.add_done_callback(_consume)
                return Outcome("timeout", latency_ms=_since(started))
        except ServiceError as error:
            kind = {"ResourceNotFoundException": "missing", "TooManyRequestsException": "throttled",
                    "RequestTooLargeException": "too_large"}.get(error.code, "failed")
            return Outcome(kind, latency_ms=_since(started), message=error.message)
        latency = _since(started)
        body = result.get("Payload") or b""
        if result.get("FunctionError"):
            return Outcome("function_error", body, latency)
        return Outcome("ok", body, latency)


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _consume(run: asyncio.Future) -> None:
    if not run.cancelled():
        run.exception()
