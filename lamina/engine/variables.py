"""The environment variables of a function's runtime process, as Lambda defines them.

https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lamina.engine.api import Credentials, FunctionSpec
from lamina.engine.runtimes.catalog import RuntimeInfo


@dataclass(frozen=True, slots=True)
class EnvironmentPaths:
    """Where the function's files are as the runtime process sees them (mount points when isolated)."""

    task_root: str  # /var/task
    runtime_dir: str  # /var/runtime
    opt_dir: str  # /opt
    tmp_dir: str  # /tmp


def credential_variables(credentials: Credentials | None) -> dict[str, str]:
    if credentials is None:
        return {}
    variables = {"AWS_ACCESS_KEY_ID": credentials.access_key_id,
                 "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key}
    if credentials.session_token:
        variables["AWS_SESSION_TOKEN"] = credentials.session_token
    if credentials.expiration is not None:
        variables["AWS_CREDENTIAL_EXPIRATION"] = dt.datetime.fromtimestamp(
            credentials.expiration, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return variables


def function_variables(*, spec: FunctionSpec, runtime: RuntimeInfo, paths: EnvironmentPaths, log_group: str,
                       log_stream: str, endpoint_url: str, runtime_api: str | None, credentials: Credentials | None,
                       initialization_type: str) -> dict[str, str]:
    lang_bin = str(runtime.executable.parent) if runtime.executable else "/var/lang/bin"
    variables = {
        "PATH": f"{lang_bin}:/usr/local/bin:/usr/bin:/bin:{paths.opt_dir}/bin",
        "LD_LIBRARY_PATH": f"{paths.task_root}:{paths.task_root}/lib:{paths.opt_dir}/lib",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "HOME": paths.tmp_dir,  # Lambda has no writable home; tools that need one get /tmp.
        "TMPDIR": paths.tmp_dir,
        "LAMBDA_TASK_ROOT": paths.task_root,
        "LAMBDA_RUNTIME_DIR": paths.runtime_dir,
        "_HANDLER": spec.handler,
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
        "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_ENDPOINT_URL": endpoint_url,
    }
    if runtime_api:
        # Only runtimes that use the Runtime API get it (lamina's Python and Node.js bootstraps use a socket).
        variables["AWS_LAMBDA_RUNTIME_API"] = runtime_api
    if runtime.execution_env:
        variables["AWS_EXECUTION_ENV"] = runtime.execution_env
    if spec.log_format == "JSON":
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        if spec.application_log_level:
            variables["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level
    if runtime.family == "nodejs":
        major = runtime.name.removeprefix("nodejs").removesuffix(".x")
        variables["NODE_PATH"] = (f"{paths.opt_dir}/nodejs/node{major}/node_modules:{paths.opt_dir}/nodejs/node_modules:"
                                  f"{paths.runtime_dir}/node_modules:{paths.runtime_dir}:{paths.task_root}")
    variables.update(credential_variables(credentials))
    # The user's variables; the provider has already refused Lambda's reserved names.
    variables.update(spec.environment)
    return variables
