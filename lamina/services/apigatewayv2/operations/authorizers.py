"""Create/Get/Update/DeleteAuthorizer(s): JWT and Lambda REQUEST authorizers
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html)."""

from __future__ import annotations

from typing import Any

from lamina.proxy.lambda_integration import function_arn_of
from lamina.services.apigatewayv2.errors import BadRequestException, ConflictException
from lamina.services.apigatewayv2.models import new_id, not_found
from lamina.services.apigatewayv2.operations.base import HttpApiBase, page, public
from lamina.services.context import CallContext
from lamina.services.provider import Params, Result

_MEMBERS = ("Name", "AuthorizerType", "AuthorizerUri", "AuthorizerPayloadFormatVersion",
            "AuthorizerResultTtlInSeconds", "EnableSimpleResponses", "IdentitySource", "JwtConfiguration",
            "AuthorizerCredentialsArn", "IdentityValidationExpression")


def _check(authorizer: dict[str, Any]) -> None:
    kind = authorizer["AuthorizerType"]
    if kind == "JWT":
        config = authorizer.get("JwtConfiguration") or {}
        if not config.get("Issuer") or not config.get("Audience"):
            raise BadRequestException("JwtConfiguration must have an Issuer and at least one Audience")
        sources = authorizer.get("IdentitySource") or []
        if len(sources) != 1 or not sources[0].startswith("$request.header."):
            raise BadRequestException("A JWT authorizer takes one IdentitySource: $request.header.<name>")
    elif kind == "REQUEST":
        if function_arn_of(authorizer.get("AuthorizerUri") or "") is None:
            raise BadRequestException(f"Invalid authorizer URI: {authorizer.get('AuthorizerUri')}")
        version = authorizer.get("AuthorizerPayloadFormatVersion")
        if version not in ("1.0", "2.0"):
            raise BadRequestException("AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for a REQUEST authorizer")
        if authorizer.get("EnableSimpleResponses") and version != "2.0":
            raise BadRequestException("Simple responses need AuthorizerPayloadFormatVersion 2.0")
        ttl = authorizer.get("AuthorizerResultTtlInSeconds") or 0
        if ttl and not authorizer.get("IdentitySource"):
            raise BadRequestException("Caching (AuthorizerResultTtlInSeconds) needs an IdentitySource")
    else:
        raise BadRequestException(f"Invalid authorizer type: {kind}")


class AuthorizerOperations(HttpApiBase):
    async def create_authorizer(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            authorizer = {"AuthorizerId": new_id(6)}
            authorizer.update({k: params[k] for k in _MEMBERS if k in params})
            if authorizer["AuthorizerType"] == "REQUEST":
                authorizer.setdefault("AuthorizerResultTtlInSeconds", 0)
            _check(authorizer)
            document["authorizers"][authorizer["AuthorizerId"]] = authorizer
            return public(authorizer)

        return await self.change(ctx, params, edit)

    async def get_authorizer(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        authorizer = document["authorizers"].get(params["AuthorizerId"])
        if authorizer is None:
            raise not_found("Authorizer", params["AuthorizerId"])
        return public(authorizer)

    async def get_authorizers(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        items = sorted(document["authorizers"].values(), key=lambda a: a["AuthorizerId"])
        return page([public(a) for a in items], params)

    async def update_authorizer(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            authorizer = document["authorizers"].get(params["AuthorizerId"])
            if authorizer is None:
                raise not_found("Authorizer", params["AuthorizerId"])
            updated = {**authorizer, **{k: params[k] for k in _MEMBERS if k in params}}
            _check(updated)
            document["authorizers"][updated["AuthorizerId"]] = updated
            return public(updated)

        result = await self.change(ctx, params, edit)
        self.host.authorizers.forget(params["AuthorizerId"])  # cached answers were the old authorizer's
        return result

    async def delete_authorizer(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            ident = params["AuthorizerId"]
            if ident not in document["authorizers"]:
                raise not_found("Authorizer", ident)
            if any(r.get("AuthorizerId") == ident for r in document["routes"].values()):
                raise ConflictException(f"Authorizer {ident} is used by a route")
            del document["authorizers"][ident]

        await self.change(ctx, params, edit)
        self.host.authorizers.forget(params["AuthorizerId"])
        return None
