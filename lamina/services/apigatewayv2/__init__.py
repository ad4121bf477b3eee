"""API Gateway v2 (API version 2018-11-29): HTTP APIs, their routes, Lambda proxy integrations,
authorizers, stages and deployments; invoke URLs are served through ``lamina/proxy/execute_api.py``."""

from __future__ import annotations

from lamina.gateway.services import ServiceEndpoint
from lamina.protocol.base import ErrorCodes
from lamina.protocol.models import load_service_model
from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.proxy.execute_api import execute_api_door
    from lamina.services.apigatewayv2.invoke_url import HttpApiHost
    from lamina.services.apigatewayv2.provider import HttpApiProvider

    host = HttpApiHost(platform)
    execute_api_door(platform).hosts.append(host)
    provider = HttpApiProvider(platform, host)
    codes = ErrorCodes(validation="BadRequestException", serialization="BadRequestException")
    # v1 and v2 share the signing name "apigateway"; v2's operations all live under /v2/.
    return ServiceEndpoint("apigatewayv2", load_service_model("apigatewayv2"), provider, ("apigateway",), codes,
                           path_prefix="/v2/")
