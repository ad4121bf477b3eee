"""botocore's own client code on one side of the wire, ours on the other.

``client_request`` turns params into the HTTP request botocore's serializer
would send (through the same request preparation a client uses);
``client_parse`` reads our HttpResponse with botocore's response parser the
way a client's endpoint does, modeled error fields included.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer

from lamina.protocol.http import HttpRequest, HttpResponse

ENDPOINT = "http://localhost:9060"


def client_request(protocol: str, operation: OperationModel, params: dict[str, Any]) -> HttpRequest:
    serializer = create_serializer(protocol, include_validation=True)
    request_dict = serializer.serialize_to_request(params, operation)
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    headers.setdefault("host", url.netloc)
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, (bytes, bytearray)):
        body = body.read()
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, bytes(body))


def response_dict(response: HttpResponse, operation_name: str) -> dict[str, Any]:
    headers = HeadersDict()
    for name, value in response.headers:
        headers[name] = value
    return {"status_code": response.status, "headers": headers, "body": response.body,
            "context": {"operation_name": operation_name}}


def client_parse(protocol: str, operation: OperationModel, response: HttpResponse) -> dict[str, Any]:
    """What a botocore client returns for ``response`` (before its per-service handlers)."""
    parser = create_parser(protocol)
    raw = response_dict(response, operation.name)
    if response.status < 300 and operation.has_streaming_output:
        # A client hands a blob payload to the parser as a stream, as botocore's endpoint does.
        raw["body"] = StreamingBody(io.BytesIO(response.body), len(response.body))
    parsed = parser.parse(raw, operation.output_shape)
    if response.status >= 300:
        code = parsed.get("Error", {}).get("Code")
        shape = operation.service_model.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(parser.parse(raw, shape))
    return parsed


def normalise(value: Any) -> Any:
    """Comparable form: timestamps as epoch milliseconds, floats rounded, None members dropped."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return ("ts", round(when.timestamp() * 1000))
    if isinstance(value, float):
        return value if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, StreamingBody):
        return value.read()
    return value


def strip_metadata(parsed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in parsed.items() if k != "ResponseMetadata"}


def drop_empty_structures(shape: Shape, value: Any) -> Any:
    """Members whose value is an empty structure: query and XML send nothing for them."""
    if shape.type_name == "structure" and isinstance(value, dict) and not shape.metadata.get("document"):
        out = {}
        for name, item in value.items():
            member = shape.members.get(name)
            item = drop_empty_structures(member, item) if member is not None else item
            if member is not None and member.type_name == "structure" and item == {}:
                continue
            out[name] = item
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [drop_empty_structures(shape.member, v) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: drop_empty_structures(shape.value, v) for k, v in value.items()}
    return value
