"""Choosing the protocol family of a service, and of one incoming request.

Some services are spoken in several families at once: CloudWatch's model
lists ``smithy-rpc-v2-cbor``, ``json`` and ``query`` (current botocore sends
CBOR, older clients json or query), and SQS is json for current clients and
query for older ones. The gateway asks ``request_family`` which family a
request is in, then ``protocol_for`` for the protocol object (cached per
service and family, since building one walks the model).
"""

from __future__ import annotations

from botocore.model import ServiceModel

from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.cbor import CborProtocol
from lamina.protocol.http import HttpRequest
from lamina.protocol.json_rpc import JsonProtocol
from lamina.protocol.query import QueryProtocol
from lamina.protocol.query_compat import has_query_form
from lamina.protocol.rest_json import RestJsonProtocol
from lamina.protocol.rest_xml import RestXmlProtocol

PROTOCOLS: dict[str, type[Protocol]] = {
    "rest-json": RestJsonProtocol,
    "json": JsonProtocol,
    "query": QueryProtocol,
    "smithy-rpc-v2-cbor": CborProtocol,
    "rest-xml": RestXmlProtocol,
}

_cache: dict[tuple[ServiceModel, str, ErrorCodes | None], Protocol] = {}
# Per model, its families: asked on every request, and a model's metadata never changes.
_families: dict[int, tuple[ServiceModel, tuple[str, ...]]] = {}


def families(service: ServiceModel) -> tuple[str, ...]:
    """The families ``service`` can be spoken in, the model's preferred one first."""
    found = _families.get(id(service))
    if found is None or found[0] is not service:
        found = _families[id(service)] = (service, _families_of(service))
    return found[1]


def _families_of(service: ServiceModel) -> tuple[str, ...]:
    metadata = service.metadata
    # The preferred family is the one botocore's own clients pick (json before CBOR for CloudWatch).
    preferred = service.resolved_protocol
    found = [preferred] + [f for f in metadata.get("protocols") or () if f != preferred]
    if "query" not in found and has_query_form(service):
        found.append("query")
    return tuple(found)


def protocol_for(service: ServiceModel, family: str | None = None,
                 codes: ErrorCodes | None = None) -> Protocol:
    """The protocol object for ``service`` in ``family`` (default: the model's preferred family)."""
    family = family or families(service)[0]
    key = (service, family, codes)
    found = _cache.get(key)
    if found is None:
        if family not in families(service):
            raise ValueError(f"{service.service_name} is not spoken in the {family} protocol")
        found = _cache[key] = PROTOCOLS[family](service, codes)
    return found


def request_family(service: ServiceModel, request: HttpRequest) -> str:
    """The family an incoming request is in, among those ``service`` is spoken in.

    CBOR clients send ``smithy-protocol: rpc-v2-cbor`` to ``/service/<name>/operation/<op>``;
    json clients send ``X-Amz-Target``; query clients send ``Action`` in a form body or the
    query string; anything else is the model's REST family.
    """
    available = families(service)
    headers = request.headers
    if "smithy-rpc-v2-cbor" in available and (
            headers.get("smithy-protocol") == "rpc-v2-cbor" or request.path.startswith("/service/")):
        return "smithy-rpc-v2-cbor"
    if "json" in available and "x-amz-target" in headers:
        return "json"
    if "query" in available and _looks_like_query(request):
        return "query"
    for family in available:
        if family.startswith("rest-"):
            return family
    return available[0]


def _looks_like_query(request: HttpRequest) -> bool:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return True
    return any(key == "Action" for key, _ in request.query_params)
