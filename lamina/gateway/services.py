"""Which service a request is for, and which of its protocols it speaks."""

from __future__ import annotations

from dataclasses import dataclass, field

from botocore.model import ServiceModel

from lamina.gateway.sigv4 import Signature
from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.http import HttpRequest
from lamina.protocol.registry import protocol_for, request_family
from lamina.services.provider import Provider


@dataclass
class ServiceEndpoint:
    """A served service: its model, its provider, and the error codes it uses for bad input."""

    name: str  # botocore model name, e.g. "lambda"; CloudWatch's is "cloudwatch"
    model: ServiceModel
    provider: Provider
    signing_names: tuple[str, ...]
    codes: ErrorCodes = field(default_factory=ErrorCodes)
    # For services that share a signing name (apigateway v1/v2): the path prefix that claims a request.
    path_prefix: str | None = None

    def protocol_for(self, request: HttpRequest) -> Protocol:
        """The protocol of the family the request is in; CloudWatch and SQS accept several."""
        return protocol_for(self.model, request_family(self.model, request), self.codes)


class ServiceRegistry:
    def __init__(self) -> None:
        self._by_signing_name: dict[str, list[ServiceEndpoint]] = {}
        self._by_target_prefix: dict[str, ServiceEndpoint] = {}
        self.endpoints: dict[str, ServiceEndpoint] = {}

    def add(self, endpoint: ServiceEndpoint) -> None:
        self.endpoints[endpoint.name] = endpoint
        for name in endpoint.signing_names:
            entries = self._by_signing_name.setdefault(name, [])
            entries.append(endpoint)
            # Endpoints claiming a path prefix are tried before the catch-all one.
            entries.sort(key=lambda e: e.path_prefix is None)
        prefix = endpoint.model.metadata.get("targetPrefix")
        if prefix:
            self._by_target_prefix[prefix] = endpoint

    def resolve(self, request: HttpRequest, signature: Signature | None) -> ServiceEndpoint | None:
        if signature is not None:
            return self._by_signing(signature.service, request)
        target = request.headers.get("x-amz-target")
        if target:
            return self._by_target_prefix.get(target.rpartition(".")[0])
        if request.path.startswith("/service/"):
            # smithy-rpc-v2-cbor: /service/<ServiceName>/operation/<Operation>
            name = request.path.split("/")[2]
            for endpoint in self.endpoints.values():
                if endpoint.model.metadata.get("targetPrefix") == name:
                    return endpoint
        for endpoint in self.endpoints.values():
            # An unsigned REST request: the service whose routes match the path answers it.
            protocol = endpoint.protocol_for(request)
            router = getattr(protocol, "router", None)
            if router is not None and router.match(request.method, request.path, request.query):
                return endpoint
        return None

    def _by_signing(self, name: str, request: HttpRequest) -> ServiceEndpoint | None:
        for endpoint in self._by_signing_name.get(name, ()):
            if endpoint.path_prefix is None or request.path.startswith(endpoint.path_prefix):
                return endpoint
        return None
