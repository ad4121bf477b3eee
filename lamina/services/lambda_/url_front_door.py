"""Serves function URLs on lamina's port: the request becomes a payload-format-2.0 event, the
function's answer the HTTP response (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).

Two ways in:
- host form: ``http://<url-id>.lambda-url.<region>.localhost:<port>/<path>`` (what GetFunctionUrlConfig
  returns; ``*.localhost`` resolves to loopback in browsers and most resolvers);
- path form, for clients that cannot set the host: ``http://127.0.0.1:<port>/_lamina/lambda-url/<url-id>/<path>``;
  the function sees ``/<path>`` as rawPath either way.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import orjson

from lamina.gateway.sigv4 import SignatureProblem, read_signature
from lamina.iam.principal import Principal, anonymous_principal
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.proxy.event_v2 import Route2, event_v2
from lamina.proxy.hosts import hostname, service_host, split_path_form
from lamina.proxy.request import ProxyRequest
from lamina.proxy.response_v2 import MalformedResponse, response_v2
from lamina.proxy.streamed_response import StreamedResponse
from lamina.services.lambda_.function_urls import UrlRoute, url_host
from lamina.services.lambda_.invoke import MAX_SYNC_PAYLOAD

if TYPE_CHECKING:
    from lamina.services.lambda_.provider import LambdaProvider

log = logging.getLogger("lamina.lambda.urls")
PATH_FORM = "lambda-url"  # /_lamina/lambda-url/<url-id>/<path>


def _message(status: int, message: str, request_id: str = "") -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if request_id:
        headers.append(("x-amzn-RequestId", request_id))
    return HttpResponse(status, headers, orjson.dumps({"Message": message}))


class FunctionUrlDoor:
    """A front door (``lamina.gateway.chain.FrontDoor``) for every function URL of the node."""

    def __init__(self, provider: LambdaProvider) -> None:
        self.provider = provider

    def matches(self, request: HttpRequest) -> bool:
        return service_host(request.host, "lambda-url") is not None

    async def handle(self, request: HttpRequest) -> HttpResponse:
        found = service_host(request.host, "lambda-url")
        assert found is not None
        return await self.serve(found[0], request.path, request, hostname(request.host))

    async def handle_path_form(self, request: HttpRequest, rest: str) -> HttpResponse:
        url_id, path = split_path_form(rest)
        route = self.provider.function_urls.routes.get(url_id)
        domain = url_host(url_id, route.region) if route else url_id
        return await self.serve(url_id, path, request, domain)

    async def serve(self, url_id: str, raw_path: str, request: HttpRequest, domain: str) -> HttpResponse:
        route = self.provider.function_urls.routes.get(url_id)
        if route is None:
            return _message(403, "Forbidden")
        if route.cors is not None and route.cors.is_preflight(request):
            return route.cors.preflight(request)
        response = await self._invoke(route, raw_path, request, domain)
        if route.cors is not None:
            route.cors.decorate(request, response)
        return response

    async def _invoke(self, route: UrlRoute, raw_path: str, request: HttpRequest, domain: str) -> HttpResponse:
        proxy = ProxyRequest.of(request, raw_path)
        authorizer: dict[str, Any] | None = None
        account = "anonymous"  # what requestContext.accountId says for AuthType NONE
        if route.auth_type == "AWS_IAM":
            principal = await self._caller(request, route)
            if principal is None or not await self._may_invoke(principal, route, request.client_ip):
                return _message(403, "Forbidden", proxy.request_id)
            account = principal.account_id
            authorizer = {"iam": _iam_context(principal)}
        elif not await self._may_invoke(None, route, request.client_ip):
            return _message(403, "Forbidden", proxy.request_id)
        if request.oversize or len(request.body) > MAX_SYNC_PAYLOAD:
            return _message(413, "Request Entity Too Large", proxy.request_id)
        event = event_v2(proxy, Route2(api_id=route.url_id, account_id=account, domain_name=domain),
                         authorizer=authorizer, include_nulls=True)
        payload = orjson.dumps(event)
        if len(payload) > MAX_SYNC_PAYLOAD:
            return _message(413, "Request Entity Too Large", proxy.request_id)
        try:
            target = await self.provider.resolver.resolve(route.region, route.account, route.function_name,
                                                          route.qualifier, shared=True)
            if route.invoke_mode == "RESPONSE_STREAM":
                response = await self._streamed(target, payload, proxy.request_id)
            else:
                response = self._buffered(await self.provider.run_sync(target, payload, proxy.request_id))
        except ServiceError as error:
            return _message(error.status if error.status != 404 else 403, error.message or error.code,
                            proxy.request_id)
        except MalformedResponse:
            response = _bad_gateway()
        response.headers.append(("x-amzn-RequestId", proxy.request_id))
        return response

    @staticmethod
    def _buffered(result: dict[str, Any]) -> HttpResponse:
        if result.get("FunctionError"):
            return _bad_gateway()
        return response_v2(result.get("Payload") or b"")

    async def _streamed(self, target: Any, payload: bytes, request_id: str) -> HttpResponse:
        stream = StreamedResponse()
        run = asyncio.ensure_future(self.provider.run_sync(target, payload, request_id, response_stream=stream))
        run.add_done_callback(lambda _: stream.close())
        if not await stream.started():
            return self._buffered(await run)  # the runtime answered without streaming
        run.add_done_callback(_log_stream_failure)
        return await stream.response()

    async def _caller(self, request: HttpRequest, route: UrlRoute) -> Principal | None:
        """The SigV4-signed caller of an AWS_IAM URL, if the signature holds."""
        try:
            signature = read_signature(request)
            if signature is None or signature.service != "lambda":
                return None
            return await self.provider.platform.authenticator.authenticate(request, signature)
        except SignatureProblem:
            return None

    async def _may_invoke(self, caller: Principal | None, route: UrlRoute, source_ip: str | None) -> bool:
        """Whether the caller (None: anyone, for AuthType NONE) may invoke through the URL.

        Lambda asks for ``lambda:InvokeFunctionUrl`` (with ``lambda:FunctionUrlAuthType``) and, for URLs
        made since October 2025, ``lambda:InvokeFunction`` (with ``lambda:InvokedViaFunctionUrl``), on
        the function or the alias the URL is for. For NONE, the function's policy must grant them to
        everyone; for AWS_IAM, the caller's identity policies or the function's policy, both when the
        caller is of another account (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
        A node that serves no IAM lets anyone in for NONE, and callers of the function's own account
        for AWS_IAM.
        """
        iam = self.provider.platform.peer("iam")
        if iam is None:
            return caller is None or caller.account_id == route.account
        who = caller or _ANYONE
        arn = f"arn:aws:lambda:{route.region}:{route.account}:function:{route.function_name}"
        if route.qualifier:
            arn = f"{arn}:{route.qualifier}"
        auth_type = {"lambda:FunctionUrlAuthType": route.auth_type}
        if not await iam.authorize(who, "lambda:InvokeFunctionUrl", arn, keys=auth_type, source_ip=source_ip):
            return False
        return bool(await iam.authorize(who, "lambda:InvokeFunction", arn, source_ip=source_ip,
                                        keys={**auth_type, "lambda:InvokedViaFunctionUrl": "true"}))


# The caller of an AuthType NONE URL. One object for every request: IAM caches a principal's condition keys
# while the same object comes back.
_ANYONE = anonymous_principal("")


def _iam_context(principal: Principal) -> dict[str, Any]:
    return {"accessKey": principal.access_key_id, "accountId": principal.account_id,
            "callerId": principal.user_id, "cognitoIdentity": None, "principalOrgId": None,
            "userArn": principal.arn, "userId": principal.user_id}


def _bad_gateway() -> HttpResponse:
    # An unhandled function error or an unreadable answer: Lambda answers 502 with this text.
    return HttpResponse(502, [("Content-Type", "text/plain")], b"Internal Server Error")


def _log_stream_failure(run: asyncio.Future) -> None:
    if not run.cancelled() and run.exception() is not None:
        log.warning("streamed invocation failed after its response began: %s", run.exception())
