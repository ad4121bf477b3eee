"""A function's configuration: defaults, checks and the FunctionConfiguration Lambda reports.

Limits and reserved names follow
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html and
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson

from lamina.protocol.errors import ValidationError
from lamina.services.lambda_.errors import InvalidParameterValueException

MAX_TIMEOUT = 900
MAX_MEMORY = 10240
MAX_ENV_BYTES = 4096
# lamina's per-function switch for a network namespace of its own (off by default: Lambda functions reach
# the internet and, here, lamina itself). A variable, so that changing it is a configuration change that
# retires the function's environments, as every other setting's change does.
NETWORK_VARIABLE = "LAMINA_NETWORK"
NETWORK_NONE = "none"
MAX_EPHEMERAL = 10240
MIN_EPHEMERAL = 512

RESERVED_ENV_KEYS = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})

# Members of FunctionConfiguration that CreateFunction / UpdateFunctionConfiguration copy as given.
_COPIED = ("Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "KMSKeyArn")


def last_modified_now() -> str:
    """Lambda's LastModified format: 2019-09-24T18:20:48.733+0000."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"


def new_revision_id() -> str:
    return str(uuid.uuid4())


def check_limits(params: dict[str, Any]) -> None:
    """The limits Lambda checks beyond the model's constraints."""
    problems = []
    timeout = params.get("Timeout")
    if timeout is not None and timeout > MAX_TIMEOUT:
        problems.append(f"Value '{timeout}' at 'timeout' failed to satisfy constraint: "
                        f"Member must have value less than or equal to {MAX_TIMEOUT}")
    memory = params.get("MemorySize")
    if memory is not None and memory > MAX_MEMORY:
        problems.append(f"Value '{memory}' at 'memorySize' failed to satisfy constraint: "
                        f"Member must have value less than or equal to {MAX_MEMORY}")
    storage = (params.get("EphemeralStorage") or {}).get("Size")
    if storage is not None and not MIN_EPHEMERAL <= storage <= MAX_EPHEMERAL:
        bound = ("greater than or equal to 512" if storage < MIN_EPHEMERAL
                 else "less than or equal to 10240")
        problems.append(f"Value '{storage}' at 'ephemeralStorage.size' failed to satisfy constraint: "
                        f"Member must have value {bound}")
    if problems:
        count = len(problems)
        raise ValidationError(f"{count} validation error{'s' if count > 1 else ''} detected: "
                              + "; ".join(problems))
    variables = (params.get("Environment") or {}).get("Variables")
    if variables:
        reserved = sorted(k for k in variables if k in RESERVED_ENV_KEYS)
        if reserved:
            raise InvalidParameterValueException(
                "Lambda was unable to configure your environment variables because the environment "
                "variables you have provided contains reserved keys that are currently not supported "
                "for modification. Reserved keys used in this request: " + ", ".join(reserved))
        measured = orjson.dumps(variables).decode()
        if len(measured.encode()) > MAX_ENV_BYTES:
            raise InvalidParameterValueException(
                "Lambda was unable to configure your environment variables because the environment "
                f"variables you have provided exceeded the 4KB limit. String measured: {measured}")
        network = variables.get(NETWORK_VARIABLE)
        if network is not None and network != NETWORK_NONE:
            raise InvalidParameterValueException(
                f"lamina reads {NETWORK_VARIABLE} as the function's network: '{NETWORK_NONE}' gives it a network "
                f"namespace of its own with only a loopback interface; leave it out for the network lamina "
                f"and the outside are reached on. Got '{network}'.")


def check_network(params: dict[str, Any], available: bool) -> None:
    """A network of its own needs namespaces: refused at CreateFunction/UpdateFunctionConfiguration where
    there are none (``available`` is False), rather than at every invocation."""
    variables = (params.get("Environment") or {}).get("Variables") or {}
    if network_isolated(variables) and not available:
        raise InvalidParameterValueException(
            f"The function asks for a network of its own ({NETWORK_VARIABLE}={NETWORK_NONE}), which needs "
            "namespaces; this lamina runs functions without them (isolation is off).")


def network_isolated(variables: dict[str, str]) -> bool:
    """Whether the function asked for a network of its own (see NETWORK_VARIABLE)."""
    return variables.get(NETWORK_VARIABLE) == NETWORK_NONE


def initial_configuration(params: dict[str, Any], arn: str, log_group: str) -> dict[str, Any]:
    """$LATEST's FunctionConfiguration for a CreateFunction request (before code facts are added)."""
    config: dict[str, Any] = {
        "FunctionName": params["FunctionName"],
        "FunctionArn": arn,
        "Runtime": params.get("Runtime"),
        "Role": params["Role"],
        "Handler": params.get("Handler"),
        "Description": params.get("Description", ""),
        "Timeout": params.get("Timeout", 3),
        "MemorySize": params.get("MemorySize", 128),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": (params.get("TracingConfig") or {}).get("Mode", "PassThrough")},
        "PackageType": params.get("PackageType", "Zip"),
        "Architectures": params.get("Architectures") or ["x86_64"],
        "EphemeralStorage": {"Size": (params.get("EphemeralStorage") or {}).get("Size", 512)},
        "SnapStart": {"ApplyOn": (params.get("SnapStart") or {}).get("ApplyOn", "None"),
                      "OptimizationStatus": "Off"},
        "LoggingConfig": logging_config(params.get("LoggingConfig"), log_group),
    }
    if params.get("KMSKeyArn"):
        config["KMSKeyArn"] = params["KMSKeyArn"]
    apply_optional(config, params)
    return config


def logging_config(requested: dict[str, Any] | None, default_group: str) -> dict[str, Any]:
    requested = requested or {}
    fmt = requested.get("LogFormat", "Text")
    config: dict[str, Any] = {"LogFormat": fmt, "LogGroup": requested.get("LogGroup") or default_group}
    if fmt == "JSON":
        config["ApplicationLogLevel"] = requested.get("ApplicationLogLevel", "INFO")
        config["SystemLogLevel"] = requested.get("SystemLogLevel", "INFO")
    elif requested.get("ApplicationLogLevel") or requested.get("SystemLogLevel"):
        raise InvalidParameterValueException(
            "Application and system log levels can only be set when LogFormat is JSON.")
    return config


def apply_optional(config: dict[str, Any], params: dict[str, Any]) -> None:
    """Members whose presence (not just value) is reported back."""
    if "Environment" in params:
        variables = (params["Environment"] or {}).get("Variables") or {}
        if variables:
            config["Environment"] = {"Variables": dict(variables)}
        else:
            config.pop("Environment", None)
    if "DeadLetterConfig" in params:
        target = (params["DeadLetterConfig"] or {}).get("TargetArn")
        if target:
            config["DeadLetterConfig"] = {"TargetArn": target}
        else:
            config.pop("DeadLetterConfig", None)
    if "VpcConfig" in params:
        vpc = params["VpcConfig"] or {}
        config["VpcConfig"] = {"SubnetIds": vpc.get("SubnetIds", []),
                               "SecurityGroupIds": vpc.get("SecurityGroupIds", []),
                               "Ipv6AllowedForDualStack": vpc.get("Ipv6AllowedForDualStack", False),
                               "VpcId": ""}


def apply_update(config: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A new configuration with UpdateFunctionConfiguration's members applied."""
    updated = dict(config)
    for name in _COPIED:
        if name in params and params[name] is not None:
            updated[name] = params[name]
    if "TracingConfig" in params:
        updated["TracingConfig"] = {"Mode": (params["TracingConfig"] or {}).get("Mode", "PassThrough")}
    if "EphemeralStorage" in params:
        updated["EphemeralStorage"] = {"Size": params["EphemeralStorage"].get("Size", 512)}
    if "SnapStart" in params:
        updated["SnapStart"] = {"ApplyOn": params["SnapStart"].get("ApplyOn", "None"),
                                "OptimizationStatus": "Off"}
    if "LoggingConfig" in params:
        default_group = f"/aws/lambda/{config['FunctionName']}"
        merged = {**config.get("LoggingConfig", {}), **params["LoggingConfig"]}
        if merged.get("LogFormat") != "JSON":
            merged.pop("ApplicationLogLevel", None)
            merged.pop("SystemLogLevel", None)
        updated["LoggingConfig"] = logging_config(merged, default_group)
    apply_optional(updated, params)
    return updated
