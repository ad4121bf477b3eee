"""API Gateway v1 (API version 2015-07-09): REST APIs as SAM's ``Api`` event uses them; invoke URLs
are served through ``lamina/proxy/execute_api.py``."""

from __future__ import annotations

from lamina.gateway.services import ServiceEndpoint
from lamina.protocol.base import ErrorCodes
from lamina.protocol.models import load_service_model
from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.proxy.execute_api import execute_api_door
    from lamina.services.apigateway.invoke_url import RestApiHost
    from lamina.services.apigateway.provider import RestApiProvider

    host = RestApiHost(platform)
    execute_api_door(platform).hosts.append(host)
    codes = ErrorCodes(validation="BadRequestException", serialization="BadRequestException")
    return ServiceEndpoint("apigateway", load_service_model("apigateway"), RestApiProvider(platform, host),
                           ("apigateway",), codes)
