"""HTTP helpers for the tests of function URLs and API invoke URLs: real clients on the wire.

Host names such as ``<id>.lambda-url.us-east-1.localhost`` resolve to loopback in browsers but not
through every system resolver, so these send to 127.0.0.1 with the Host header the name implies,
which is what a client that resolved the name puts on the wire.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.functions import ROLE, python_zip, zip_files
from tests.lamina_server import LaminaServer


def request(server: LaminaServer, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """``url`` in host form (http://<host>:<port>/path?query): sent to lamina with that Host header."""
    parts = urlsplit(url)
    target = f"{server.endpoint}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, **kwargs.pop("headers", {})}
    return httpx.request(method, target, headers=headers, timeout=60, **kwargs)


def create_python_function(server: LaminaServer, name: str, source: str, **extra: Any) -> str:
    client = server.client("lambda")
    arn = client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                                 Code={"ZipFile": python_zip(source)}, **extra)["FunctionArn"]
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return arn


def create_function(server: LaminaServer, name: str, files: dict[str, str], runtime: str, handler: str,
                    **extra: Any) -> str:
    client = server.client("lambda")
    modes = {"bootstrap": 0o755} if "bootstrap" in files else None
    arn = client.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                 Code={"ZipFile": zip_files(files, modes)}, **extra)["FunctionArn"]
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return arn


def allow_public_url(client: Any, name: str, qualifier: str | None = None) -> None:
    """The function policy a public (AuthType NONE) URL needs: lambda:InvokeFunctionUrl and, for URLs made
    since October 2025, lambda:InvokeFunction via the URL, both for everyone
    (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)."""
    extra = {"Qualifier": qualifier} if qualifier else {}
    client.add_permission(FunctionName=name, StatementId="FunctionURLAllowPublicAccess", Principal="*",
                          Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE", **extra)
    client.add_permission(FunctionName=name, StatementId="FunctionURLInvokeAllowPublicAccess", Principal="*",
                          Action="lambda:InvokeFunction", InvokedViaFunctionUrl=True, **extra)


def allow_api_gateway(server: LaminaServer, function: str, source_arn: str | None = None) -> str:
    """Let API Gateway invoke the function (for any API of the account unless ``source_arn`` narrows it), as
    AWS requires of every Lambda integration and authorizer; returns the function's name or ARN."""
    extra = {"SourceArn": source_arn} if source_arn else {}
    server.client("lambda").add_permission(FunctionName=function, StatementId=f"apigateway-{uuid.uuid4().hex[:8]}",
                                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                                           **extra)
    return function
