"""The state of one request as it moves along the handler chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.model import OperationModel

from lamina.gateway.sigv4 import Signature
from lamina.iam.principal import Principal
from lamina.protocol.base import Protocol
from lamina.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from lamina.gateway.services import ServiceEndpoint


@dataclass(slots=True)
class RequestContext:
    request: HttpRequest
    request_id: str
    account_id: str
    region: str = ""
    endpoint: "ServiceEndpoint | None" = None
    protocol: Protocol | None = None
    signature: Signature | None = None
    principal: Principal | None = None
    operation: OperationModel | None = None
    params: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    response: HttpResponse | None = None

    @property
    def base_url(self) -> str:
        host = self.request.headers.get("host", "")
        return f"{self.request.scheme}://{host}" if host else ""
