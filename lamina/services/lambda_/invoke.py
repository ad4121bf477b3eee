"""Invoke: from the API call to the engine and back, with Lambda's limits and error mapping.

Payload limits: 6 MB each way for synchronous invocation
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Callable

import orjson

from lamina.engine.api import EngineError, EngineInterface, FunctionSpec, Invocation, InvocationResult, Throttled
from lamina.services.lambda_.configuration import network_isolated
from lamina.services.lambda_.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    RequestTooLargeException,
    ServiceException,
    TooManyRequestsException,
)

MAX_SYNC_PAYLOAD = 6_291_456
MAX_SYNC_RESPONSE = 6_291_556  # the figure Lambda's error message names
MAX_CLIENT_CONTEXT = 3583
LOG_TAIL_BYTES = 4096


def check_payload(payload: bytes, limit: int = MAX_SYNC_PAYLOAD) -> bytes:
    """The event to deliver: JSON as Lambda requires, ``{}`` when the caller sent nothing."""
    if len(payload) > limit:
        raise RequestTooLargeException(
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
    if not payload.strip():
        return b"{}"
    try:
        orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}") from None
    return payload


def check_client_context(client_context: str | None) -> None:
    if client_context is None:
        return
    if len(client_context) > MAX_CLIENT_CONTEXT:
        raise InvalidParameterValueException(
            f"Client context must be {MAX_CLIENT_CONTEXT} bytes or less")
    try:
        orjson.loads(base64.b64decode(client_context, validate=True))
    except (ValueError, orjson.JSONDecodeError):
        raise InvalidRequestContentException("Client context must be a valid Base64-encoded JSON object.") from None


def function_spec(config: dict[str, Any], code: dict[str, Any], code_dir: Path, layer_dirs: tuple[Path, ...],
                  account: str, region: str, unqualified_arn: str, reserved_concurrency: int | None) -> FunctionSpec:
    """What the engine needs to run one version of a function."""
    logging = config.get("LoggingConfig") or {}
    environment = dict((config.get("Environment") or {}).get("Variables") or {})
    generation = code.get("generation", 0)  # grows each time a hot-reload folder of the function changes
    if code.get("path") or any(ref.startswith("hot:") for ref in code.get("layers", ())):
        # Hot-reload folders are live: bytecode is cached per generation, never in (or from) the folders,
        # whose own __pycache__ may predate an edit made within the same second.
        environment["PYTHONPYCACHEPREFIX"] = f"/tmp/.lamina-pycache/{code['digest'][:16]}-{generation}"
    return FunctionSpec(
        key=f"{unqualified_arn}:{config['Version']}:{config['RevisionId']}:{code['digest'][:12]}:{generation}",
        function_name=config["FunctionName"],
        function_arn=unqualified_arn,
        version=config["Version"],
        runtime=config.get("Runtime") or "",
        handler=config.get("Handler") or "",
        code_dir=code_dir,
        layer_dirs=layer_dirs,
        memory_mb=config["MemorySize"],
        timeout_s=float(config["Timeout"]),
        ephemeral_mb=(config.get("EphemeralStorage") or {}).get("Size", 512),
        environment=environment,
        architecture=(config.get("Architectures") or ["x86_64"])[0],
        region=region,
        account_id=account,
        log_group=logging.get("LogGroup") or f"/aws/lambda/{config['FunctionName']}",
        log_format=logging.get("LogFormat", "Text"),
        application_log_level=logging.get("ApplicationLogLevel"),
        system_log_level=logging.get("SystemLogLevel"),
        role_arn=config.get("Role"),
        reserved_concurrency=reserved_concurrency,
        network_isolated=network_isolated(environment),
    )


async def run_sync(engine: EngineInterface, spec: FunctionSpec, invocation: Invocation,
                   on_result: Callable[[InvocationResult, bool], None] | None = None) -> dict[str, Any]:
    """Run a RequestResponse invocation and shape Invoke's response.

    ``on_result(result, function_error)`` sees the engine's figures (the Lambda metrics use them)."""
    try:
        result = await engine.invoke(spec, invocation)
    except Throttled as throttled:
        raise TooManyRequestsException("Rate Exceeded.", Reason=throttled.reason) from None
    except EngineError as error:
        raise ServiceException(error.message) from None
    response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": spec.version}
    payload = result.payload
    if len(payload) > MAX_SYNC_RESPONSE:
        payload = orjson.dumps({
            "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_SYNC_RESPONSE} bytes).",
            "errorType": "Function.ResponseSizeTooLarge"})
        response["FunctionError"] = "Unhandled"
    elif result.function_error:
        response["FunctionError"] = result.function_error
    response["Payload"] = payload
    if on_result is not None:
        on_result(result, "FunctionError" in response)
    if invocation.tail_log:
        response["LogResult"] = base64.b64encode(result.log_tail[-LOG_TAIL_BYTES:]).decode()
    return response
