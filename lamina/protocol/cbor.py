"""The smithy-rpc-v2-cbor protocol (CloudWatch in current botocore).

Requests are ``POST /service/<ServiceName>/operation/<Operation>`` with
``smithy-protocol: rpc-v2-cbor`` and a CBOR map body; ``<ServiceName>`` is the
model's ``targetPrefix``, as botocore's serializer writes it. Timestamps are
CBOR tag 1 (epoch seconds), blobs byte strings. Responses carry
``smithy-protocol: rpc-v2-cbor`` and ``Content-Type: application/cbor``;
errors are a map with ``__type`` and ``message``, plus ``x-amzn-query-error``
for services that moved from query (``awsQueryCompatible``).

Spec: https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel, Shape

from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperationError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.json_shapes import wire_members
from lamina.protocol.query_compat import query_error_header, query_error_shapes
from lamina.protocol.timestamps import to_datetime

CBOR_TYPE = "application/cbor"
_PROTOCOL_HEADER = ("smithy-protocol", "rpc-v2-cbor")


class CborShapeError(ValueError):
    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"Value at '{path or '(body)'}' cannot be read as {expected}")


class CborProtocol(Protocol):
    name = "smithy-rpc-v2-cbor"

    def __init__(self, service: ServiceModel, codes: ErrorCodes | None = None) -> None:
        super().__init__(service, codes)
        self.prefix = f"/service/{service.metadata.get('targetPrefix', '')}/operation/"

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        name = request.path[len(self.prefix):] if request.path.startswith(self.prefix) else ""
        if request.method.upper() != "POST" or name not in self.service.operation_names:
            raise UnknownOperationError(f"Unknown operation {request.method} {request.path}",
                                        code=self.codes.unknown_operation, status=404)
        operation = self.service.operation_model(name)
        shape = operation.input_shape
        if shape is None or not request.body:
            return operation, {}
        try:
            document = cbor2.loads(request.body)
        except (cbor2.CBORDecodeError, ValueError, EOFError):
            raise SerializationError("The request body is not valid CBOR",
                                     code=self.codes.serialization) from None
        try:
            return operation, read_cbor(shape, document, "")
        except CborShapeError as exc:
            raise SerializationError(str(exc), code=self.codes.serialization) from None

    def serialize_result(self, operation: OperationModel, result: dict[str, Any] | None,
                         request_id: str) -> HttpResponse:
        self.refuse_event_stream(operation)
        headers = [("x-amzn-RequestId", request_id), _PROTOCOL_HEADER]
        shape = operation.output_shape
        if shape is None:
            return HttpResponse(200, headers, b"")
        headers.append(("Content-Type", CBOR_TYPE))
        return HttpResponse(200, headers, cbor2.dumps(write_cbor(shape, result or {})))

    def serialize_error(self, error: ServiceError, operation: OperationModel | None,
                        request_id: str) -> HttpResponse:
        headers = [("x-amzn-RequestId", request_id), _PROTOCOL_HEADER, ("Content-Type", CBOR_TYPE)]
        headers.extend(error.headers.items())
        query_error = query_error_header(self.service, error.code)
        if query_error:
            headers.append(("x-amzn-query-error", query_error))
        shape = query_error_shapes(self.service).get(error.code)
        document: dict[str, Any] = {"__type": shape.name if shape is not None else error.code}
        fields = self.error_fields(error)
        if shape is not None:
            document.update(write_cbor(shape, {k: v for k, v in fields.items() if k in shape.members}))
        else:
            document.update(fields)
        document["message"] = error.message
        return HttpResponse(self.error_status(error), headers, cbor2.dumps(document))


def read_cbor(shape: Shape, value: Any, path: str) -> Any:
    """The parameter value for ``shape`` from a decoded CBOR item."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        if not isinstance(value, dict):
            raise CborShapeError(path, "a structure")
        members = wire_members(shape)
        out: dict[str, Any] = {}
        for key, item in value.items():
            found = members.get(key) or ((key, shape.members[key]) if key in shape.members else None)
            if found is None or item is None or item is cbor2.undefined:
                continue
            name, member = found
            out[name] = read_cbor(member, item, f"{path}.{name}" if path else name)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise CborShapeError(path, "a list")
        return [read_cbor(shape.member, item, f"{path}.member") for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise CborShapeError(path, "a map")
        return {k: read_cbor(shape.value, v, f"{path}.{k}") for k, v in value.items() if v is not None}
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return to_datetime(value)
            except (ValueError, OverflowError, OSError):
                pass
        raise CborShapeError(path, "a timestamp")
    expected = _SCALARS.get(kind)
    if expected is not None:
        types, text = expected
        if isinstance(value, bool) and kind != "boolean" or not isinstance(value, types):
            raise CborShapeError(path, text)
        return float(value) if kind in ("float", "double") else value
    return value


_SCALARS: dict[str, tuple[tuple[type, ...], str]] = {
    "string": ((str,), "a string"),
    "boolean": ((bool,), "a boolean"),
    "integer": ((int,), "an integer"),
    "long": ((int,), "an integer"),
    "float": ((int, float), "a number"),
    "double": ((int, float), "a number"),
    "blob": ((bytes,), "a byte string"),
}


def write_cbor(shape: Shape, value: Any) -> Any:
    """The CBOR item for a result value; members keyed by their model names, as botocore reads them."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        members = shape.members
        return {name: write_cbor(members[name], item) for name, item in value.items()
                if item is not None and name in members}
    if kind == "list":
        return [write_cbor(shape.member, item) for item in value]
    if kind == "map":
        return {k: write_cbor(shape.value, v) for k, v in value.items() if v is not None}
    if kind == "timestamp":
        when = to_datetime(value)
        seconds = calendar.timegm(when.utctimetuple())
        epoch = seconds + when.microsecond / 1e6 if when.microsecond else seconds
        return cbor2.CBORTag(1, epoch)
    if kind == "blob":
        return value.encode() if isinstance(value, str) else bytes(value)
    if kind in ("float", "double"):
        return float(value)
    if kind in ("integer", "long") and not isinstance(value, bool):
        return int(value)
    return value
