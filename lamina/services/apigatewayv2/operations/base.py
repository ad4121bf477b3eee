"""The state every group of HTTP API operations shares."""

from __future__ import annotations

import base64
from typing import Any

from lamina.services.apigatewayv2.errors import BadRequestException
from lamina.services.apigatewayv2.invoke_url import HttpApiHost
from lamina.services.apigatewayv2.models import ApiTable
from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider


class HttpApiBase(Provider):
    service_name = "apigatewayv2"

    def __init__(self, platform: Platform, host: HttpApiHost) -> None:
        self.platform = platform
        self.host = host
        self.apis = ApiTable(platform.store, host.on_change)

    async def start(self) -> None:
        await self.apis.load()

    async def change(self, ctx: CallContext, params: Params, edit: Any, *, redeploy: bool = True) -> Any:
        return await self.apis.change(ctx.account_id, ctx.region, params["ApiId"], edit, redeploy=redeploy)

    async def document(self, ctx: CallContext, params: Params) -> dict[str, Any]:
        return await self.apis.get(ctx.account_id, ctx.region, params["ApiId"])


def page(items: list[dict[str, Any]], params: Params) -> dict[str, Any]:
    """MaxResults/NextToken pagination over items in a stable order."""
    start = 0
    if params.get("NextToken"):
        try:
            start = int(base64.urlsafe_b64decode(params["NextToken"].encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise BadRequestException("Invalid NextToken") from None
    size = int(params.get("MaxResults") or 100)
    result: dict[str, Any] = {"Items": items[start:start + size]}
    if start + size < len(items):
        result["NextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return result


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without lamina's own keys (lower-case ones never appear in the model)."""
    return {k: v for k, v in record.items() if k[:1].isupper()}
