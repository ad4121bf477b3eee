"""Create/Get/Update/DeleteRoute(s) and Create/Get/Update/DeleteIntegration(s)
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)."""

from __future__ import annotations

from typing import Any

from lamina.proxy.lambda_integration import function_arn_of
from lamina.services.apigatewayv2.errors import BadRequestException, ConflictException
from lamina.services.apigatewayv2.models import new_id, not_found
from lamina.services.apigatewayv2.operations.base import HttpApiBase, page, public
from lamina.services.apigatewayv2.routing import valid_route_key
from lamina.services.context import CallContext
from lamina.services.provider import Params, Result

_ROUTE_MEMBERS = ("RouteKey", "AuthorizationType", "AuthorizerId", "AuthorizationScopes", "Target",
                  "ApiKeyRequired", "OperationName", "RequestParameters", "RequestModels",
                  "ModelSelectionExpression", "RouteResponseSelectionExpression")
_INTEGRATION_MEMBERS = (
    "IntegrationType", "IntegrationUri", "PayloadFormatVersion", "TimeoutInMillis", "Description",
    "IntegrationMethod", "ConnectionType", "ConnectionId", "ContentHandlingStrategy", "CredentialsArn",
    "IntegrationSubtype", "PassthroughBehavior", "RequestParameters", "RequestTemplates", "ResponseParameters",
    "TemplateSelectionExpression", "TlsConfig")


def _check_route(document: dict[str, Any], route: dict[str, Any]) -> None:
    if not valid_route_key(route["RouteKey"]):
        raise BadRequestException(f"Invalid route key: {route['RouteKey']}")
    if any(r["RouteKey"] == route["RouteKey"] and r["RouteId"] != route["RouteId"]
           for r in document["routes"].values()):
        raise ConflictException(f"Route with key {route['RouteKey']} already exists for this API")
    kind = route.get("AuthorizationType") or "NONE"
    if kind not in ("NONE", "JWT", "CUSTOM", "AWS_IAM"):
        raise BadRequestException(f"Invalid authorization type: {kind}")
    if kind in ("JWT", "CUSTOM"):
        authorizer = document["authorizers"].get(route.get("AuthorizerId") or "")
        if authorizer is None:
            raise BadRequestException(f"Unable to find Authorizer with id {route.get('AuthorizerId')}")
        expected = "JWT" if kind == "JWT" else "REQUEST"
        if authorizer["AuthorizerType"] != expected:
            raise BadRequestException(f"AuthorizationType {kind} needs an authorizer of type {expected}")
    if kind == "AWS_IAM":
        raise BadRequestException("lamina does not check IAM authorization on HTTP API routes yet.")
    target = route.get("Target")
    if target and target.removeprefix("integrations/") not in document["integrations"]:
        raise BadRequestException(f"Invalid target: {target}")


def _check_integration(integration: dict[str, Any]) -> None:
    if integration["IntegrationType"] != "AWS_PROXY":
        raise BadRequestException(
            f"lamina serves AWS_PROXY (Lambda) integrations only, not {integration['IntegrationType']}.")
    if integration.get("PayloadFormatVersion") not in ("1.0", "2.0"):
        raise BadRequestException("PayloadFormatVersion must be 1.0 or 2.0 for an AWS_PROXY integration.")
    if function_arn_of(integration.get("IntegrationUri") or "", None) is None and \
            "${stageVariables." not in (integration.get("IntegrationUri") or ""):
        raise BadRequestException(f"Invalid integration URI: {integration.get('IntegrationUri')}")


class RouteOperations(HttpApiBase):
    async def create_route(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            route = {"RouteId": new_id(7), "AuthorizationType": "NONE", "ApiKeyRequired": False}
            route.update({k: params[k] for k in _ROUTE_MEMBERS if k in params})
            _check_route(document, route)
            document["routes"][route["RouteId"]] = route
            return public(route)

        return await self.change(ctx, params, edit)

    async def get_route(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        route = document["routes"].get(params["RouteId"])
        if route is None:
            raise not_found("Route", params["RouteId"])
        return public(route)

    async def get_routes(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        return page([public(r) for r in sorted(document["routes"].values(), key=lambda r: r["RouteId"])], params)

    async def update_route(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            route = document["routes"].get(params["RouteId"])
            if route is None:
                raise not_found("Route", params["RouteId"])
            updated = {**route, **{k: params[k] for k in _ROUTE_MEMBERS if k in params}}
            _check_route(document, updated)
            document["routes"][route["RouteId"]] = updated
            return public(updated)

        return await self.change(ctx, params, edit)

    async def delete_route(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            if document["routes"].pop(params["RouteId"], None) is None:
                raise not_found("Route", params["RouteId"])

        await self.change(ctx, params, edit)
        return None

    # integrations
    async def create_integration(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            integration = {"IntegrationId": new_id(7), "IntegrationMethod": "POST", "ConnectionType": "INTERNET",
                           "TimeoutInMillis": 30000}
            integration.update({k: params[k] for k in _INTEGRATION_MEMBERS if k in params})
            _check_integration(integration)
            document["integrations"][integration["IntegrationId"]] = integration
            return public(integration)

        return await self.change(ctx, params, edit)

    async def get_integration(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        integration = document["integrations"].get(params["IntegrationId"])
        if integration is None:
            raise not_found("Integration", params["IntegrationId"])
        return public(integration)

    async def get_integrations(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        items = sorted(document["integrations"].values(), key=lambda i: i["IntegrationId"])
        return page([public(i) for i in items], params)

    async def update_integration(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            integration = document["integrations"].get(params["IntegrationId"])
            if integration is None:
                raise not_found("Integration", params["IntegrationId"])
            updated = {**integration, **{k: params[k] for k in _INTEGRATION_MEMBERS if k in params}}
            _check_integration(updated)
            document["integrations"][integration["IntegrationId"]] = updated
            return public(updated)

        return await self.change(ctx, params, edit)

    async def delete_integration(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            ident = params["IntegrationId"]
            if ident not in document["integrations"]:
                raise not_found("Integration", ident)
            if any(r.get("Target") == f"integrations/{ident}" for r in document["routes"].values()):
                raise ConflictException(f"Integration {ident} is used by a route; delete or retarget it first.")
            del document["integrations"][ident]

        await self.change(ctx, params, edit)
        return None
