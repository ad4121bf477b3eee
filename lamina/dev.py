"""``lamina dev FOLDER``: a folder becomes a running function with a URL, hot reload and live logs.

It uses the local lamina (starting one when none answers), creates or updates
the function from the folder in place (hot reload), gives it a function URL
(AuthType NONE), prints how to call it, and shows the function's logs as they
come until Ctrl-C.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from lamina.config import Settings
from lamina.credentials import load_root_credentials
from lamina.log_tail import tail
from lamina.server import data_dir_server_info

DEBUG_VARIABLE = "LAMINA_DEBUG"  # set on a function to run it under a debugger (see the README)
DEV_ROLE = "lamina-dev"
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


class DevError(Exception):
    """Something the user must fix; printed without a traceback."""


@dataclass
class Node:
    endpoint: str
    region: str
    process: subprocess.Popen | None  # set when `lamina dev` started the node itself

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_lamina/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def find_or_start(settings: Settings, folder: Path) -> Node:
    info = data_dir_server_info(settings.data_dir) or {}
    endpoint = info.get("endpoint_url", settings.endpoint_url)
    if _healthy(endpoint):
        return Node(endpoint, info.get("region", settings.default_region), None)
    roots = os.pathsep.join([*settings.hot_reload_roots, str(folder)])
    env = {**os.environ, "LAMINA_HOT_RELOAD_ROOTS": roots}
    process = subprocess.Popen(
        [sys.executable, "-m", "lamina", "serve", "--host", settings.host, "--port", str(settings.port),
         "--data-dir", str(settings.data_dir)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise DevError(f"lamina serve exited with {process.returncode}:\n{error}")
        if _healthy(settings.endpoint_url):
            return Node(settings.endpoint_url, settings.default_region, process)
        time.sleep(0.1)  # a child process gives no other readiness signal than answering
    process.kill()
    raise DevError("lamina serve did not answer within 30 seconds")


def detect_handler(folder: Path) -> str:
    """``lambda_function.lambda_handler`` if it is there, else the single ``handler`` defined in a module."""
    conventional = folder / "lambda_function.py"
    if conventional.exists() and "lambda_handler" in _functions(conventional):
        return "lambda_function.lambda_handler"
    found = [f"{path.stem}.handler" for path in sorted(folder.glob("*.py")) if "handler" in _functions(path)]
    found += [f"{path.stem}.handler" for path in sorted(folder.glob("*.js")) + sorted(folder.glob("*.mjs"))
              if re.search(r"(exports\.handler|export\s+(const|async function|function)\s+handler)",
                           path.read_text(errors="replace"))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise DevError(f"no handler found in {folder}: name one with --handler module.function")
    raise DevError(f"several handlers in {folder} ({', '.join(found)}): choose one with --handler")


def _functions(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def detect_runtime(folder: Path, handler: str) -> str:
    module = handler.rsplit(".", 1)[0]
    if (folder / f"{module}.js").exists() or (folder / f"{module}.mjs").exists():
        return "nodejs20.x"
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def function_name(folder: Path) -> str:
    name = re.sub(r"[^a-zA-Z0-9_-]", "-", folder.name).strip("-") or "dev-function"
    return name[:64]


def _clients(node: Node, settings: Settings) -> tuple[Any, Any, Any]:
    creds = load_root_credentials(settings.data_dir)
    if creds is None:
        raise DevError(f"no credentials in {settings.data_dir}")
    common = dict(endpoint_url=node.endpoint, region_name=node.region, aws_access_key_id=creds.access_key_id,
                  aws_secret_access_key=creds.secret_access_key, config=Config(retries={"max_attempts": 2}))
    return boto3.client("lambda", **common), boto3.client("logs", **common), boto3.client("iam", **common)


def dev_role(iam: Any) -> str:
    """The execution role of functions ``lamina dev`` creates: Lambda may assume it, and it may write logs
    (as AWSLambdaBasicExecutionRole allows); ``--role`` gives a function another."""
    try:
        arn = iam.create_role(RoleName=DEV_ROLE, AssumeRolePolicyDocument=LAMBDA_TRUST,
                              Description="Execution role of functions run by `lamina dev`")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=DEV_ROLE)["Role"]["Arn"]
    iam.attach_role_policy(RoleName=DEV_ROLE, PolicyArn=BASIC_EXECUTION)
    return arn


def _deploy(lam: Any, name: str, folder: Path, handler: str, runtime: str, debug: bool, role: str) -> None:
    code = {"S3Bucket": "hot-reload", "S3Key": str(folder)}
    variables = {DEBUG_VARIABLE: "1"} if debug else {}
    try:
        current = lam.get_function_configuration(FunctionName=name)
    except lam.exceptions.ResourceNotFoundException:
        lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Code=code, Timeout=30,
                            Role=role,
                            Environment={"Variables": variables})
        lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
        return
    lam.update_function_code(FunctionName=name, **code)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    existing = dict((current.get("Environment") or {}).get("Variables") or {})
    existing.pop(DEBUG_VARIABLE, None)
    lam.update_function_configuration(FunctionName=name, Runtime=runtime, Handler=handler,
                                      Environment={"Variables": {**existing, **variables}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})


def _url(lam: Any, name: str) -> str:
    """The function's public URL; as in AWS, its policy must let everyone invoke through it
    (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html), which ``lamina dev`` grants."""
    try:
        return lam.get_function_url_config(FunctionName=name)["FunctionUrl"]
    except lam.exceptions.ResourceNotFoundException:
        url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    for statement, action, extra in (
            ("FunctionURLAllowPublicAccess", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
            ("FunctionURLInvokeAllowPublicAccess", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True})):
        try:
            lam.add_permission(FunctionName=name, StatementId=statement, Principal="*", Action=action, **extra)
        except lam.exceptions.ResourceConflictException:
            pass  # granted by an earlier run
    return url


def _package_warnings(logs: Any, name: str) -> list[str]:
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                        logStreamNames=["lamina/package-check"])["events"]
    except ClientError:
        return []
    return [event["message"].rstrip() for event in events]


def run(folder_arg: str, handler: str | None, runtime: str | None, name: str | None, debug: bool,
        settings: Settings, role: str | None = None) -> int:
    folder = Path(folder_arg).expanduser().resolve()
    if not folder.is_dir():
        raise DevError(f"{folder_arg} is not a folder")
    handler = handler or detect_handler(folder)
    runtime = runtime or detect_runtime(folder, handler)
    name = name or function_name(folder)
    node = find_or_start(settings, folder)
    try:
        lam, logs, iam = _clients(node, settings)
        started = int(time.time() * 1000)
        try:
            _deploy(lam, name, folder, handler, runtime, debug, role or dev_role(iam))
            url = _url(lam, name)
        except ClientError as error:
            raise DevError(f"{error.response['Error']['Code']}: {error.response['Error']['Message']}") from None
        print(f"lamina dev: {name} ({runtime}, {handler}) runs {folder} in place; edits take effect on save.")
        print(f"  URL:    {url}")
        print(f"  try:    curl {url}")
        print(f"          aws lambda invoke --function-name {name} --payload '{json.dumps({})}' /dev/stdout")
        if debug:
            print(f"  debug:  the function waits for a debugger; its port is printed in the logs below "
                  f"({DEBUG_VARIABLE}=1)")
        for line in _package_warnings(logs, name):
            print(f"  {line}")
        print("Logs (Ctrl-C to stop):", flush=True)
        try:
            return tail(logs, name, started, None, follow=True)
        except KeyboardInterrupt:
            return 0
    finally:
        node.stop()
