"""CreateApi (with quick create), GetApi(s), UpdateApi, DeleteApi, DeleteCorsConfiguration
(https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html)."""

from __future__ import annotations

import time
from typing import Any

from lamina.services.apigatewayv2.errors import BadRequestException
from lamina.services.apigatewayv2.models import api_endpoint, new_id, redeploy_auto_stages
from lamina.services.apigatewayv2.operations.base import HttpApiBase, page, public
from lamina.services.apigatewayv2.routing import DEFAULT_ROUTE
from lamina.services.context import CallContext
from lamina.services.provider import Params, Result

_COPIED = ("Name", "Description", "Version", "CorsConfiguration", "DisableSchemaValidation",
           "DisableExecuteApiEndpoint", "RouteSelectionExpression", "ApiKeySelectionExpression", "IpAddressType")


class ApiOperations(HttpApiBase):
    def _view(self, document: dict[str, Any]) -> dict[str, Any]:
        view = public(document["api"])
        view["ApiEndpoint"] = api_endpoint(view["ApiId"], document["region"], self.platform.settings.port)
        return view

    async def create_api(self, ctx: CallContext, params: Params) -> Result:
        if params["ProtocolType"] != "HTTP":
            raise BadRequestException("lamina serves HTTP APIs only: WebSocket APIs are not implemented.")
        api_id = new_id(10)
        api = {"ApiId": api_id, "ProtocolType": "HTTP", "CreatedDate": time.time(),
               "RouteSelectionExpression": "$request.method $request.path",
               "ApiKeySelectionExpression": "$request.header.x-api-key", "DisableExecuteApiEndpoint": False,
               "IpAddressType": "ipv4", "Tags": params.get("Tags") or {}}
        api.update({k: params[k] for k in _COPIED if k in params})
        document = {"account": ctx.account_id, "region": ctx.region, "api": api, "routes": {},
                    "integrations": {}, "authorizers": {}, "stages": {}, "deployments": {}}
        if params.get("Target"):
            quick_create(document, params["Target"], params.get("RouteKey") or DEFAULT_ROUTE)
            redeploy_auto_stages(document)
        elif params.get("RouteKey"):
            raise BadRequestException("RouteKey can only be given with Target (quick create).")
        await self.apis.create(document)
        return self._view(document)

    async def get_api(self, ctx: CallContext, params: Params) -> Result:
        return self._view(await self.document(ctx, params))

    async def get_apis(self, ctx: CallContext, params: Params) -> Result:
        documents = sorted(await self.apis.all(ctx.account_id, ctx.region), key=lambda d: d["api"]["ApiId"])
        return page([self._view(d) for d in documents], params)

    async def update_api(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            document["api"].update({k: params[k] for k in _COPIED if k in params})
            if params.get("Target"):
                quick_create(document, params["Target"], params.get("RouteKey") or DEFAULT_ROUTE)
            return self._view(document)

        return await self.change(ctx, params, edit)

    async def delete_api(self, ctx: CallContext, params: Params) -> Result:
        await self.apis.delete(ctx.account_id, ctx.region, params["ApiId"])
        return None

    async def delete_cors_configuration(self, ctx: CallContext, params: Params) -> Result:
        await self.change(ctx, params, lambda document: document["api"].pop("CorsConfiguration", None))
        return None


def quick_create(document: dict[str, Any], target: str, route_key: str) -> None:
    """Target on CreateApi: a Lambda proxy integration, a route to it and an auto-deployed $default
    stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-basic-concept.html#apigateway-definition-quick-create)."""
    integration_id = new_id(7)
    document["integrations"][integration_id] = {
        "IntegrationId": integration_id, "IntegrationType": "AWS_PROXY", "IntegrationUri": target,
        "IntegrationMethod": "POST", "PayloadFormatVersion": "2.0", "TimeoutInMillis": 30000,
        "ConnectionType": "INTERNET", "ApiGatewayManaged": True}
    route_id = new_id(7)
    document["routes"][route_id] = {"RouteId": route_id, "RouteKey": route_key, "AuthorizationType": "NONE",
                                    "ApiKeyRequired": False, "Target": f"integrations/{integration_id}",
                                    "ApiGatewayManaged": True}
    document["stages"].setdefault("$default", {
        "StageName": "$default", "AutoDeploy": True, "CreatedDate": time.time(), "LastUpdatedDate": time.time(),
        "DefaultRouteSettings": {"DetailedMetricsEnabled": False}, "RouteSettings": {}, "StageVariables": {},
        "Tags": {}, "ApiGatewayManaged": True})
