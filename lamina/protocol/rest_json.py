"""The rest-json protocol (Lambda, API Gateway): REST routing with JSON bodies."""

from __future__ import annotations

from typing import Any

import orjson
from botocore.model import OperationModel, ServiceModel

from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperationError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.json_shapes import JsonShapeError, read_json, write_json
from lamina.protocol.models import error_shapes
from lamina.protocol.rest import LocationError, read_located_members, write_located_members
from lamina.protocol.rest_router import RestRouter

JSON_TYPE = "application/json"


class RestJsonProtocol(Protocol):
    name = "rest-json"

    def __init__(self, service: ServiceModel, codes: ErrorCodes | None = None) -> None:
        super().__init__(service, codes)
        self.router = RestRouter(service)

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        found = self.router.match(request.method, request.path, request.query, request.headers)
        if found is None:
            raise UnknownOperationError(
                f"No operation of {self.service.service_name} matches {request.method} {request.path}",
                code=self.codes.unknown_operation)
        operation, labels = found
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        try:
            params, body_members = read_located_members(
                shape, labels, request.query, request.headers, self.router.literal_query_keys(operation))
        except LocationError as exc:
            raise SerializationError(str(exc), code=self.codes.serialization) from None
        payload_name = shape.serialization.get("payload")
        if payload_name:
            member = shape.members[payload_name]
            if member.type_name in ("blob", "string"):
                if request.body or member.type_name == "blob" and payload_name in shape.required_members:
                    params[payload_name] = request.body if member.type_name == "blob" else self._text(request.body)
            elif request.body:
                params[payload_name] = self._read_body(member, request.body)
        elif body_members and request.body:
            params.update(self._read_body(shape, request.body))
        return operation, params

    def _text(self, body: bytes) -> str:
        try:
            return body.decode()
        except UnicodeDecodeError:
            raise SerializationError("The request body is not valid UTF-8 text",
                                     code=self.codes.serialization) from None

    def _read_body(self, shape: Any, body: bytes) -> dict[str, Any]:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise SerializationError(f"Could not parse request body into json: {exc}",
                                     code=self.codes.serialization) from None
        try:
            return read_json(shape, document)
        except JsonShapeError as exc:
            raise SerializationError(f"Could not parse request body into json: {exc}",
                                     code=self.codes.serialization) from None

    def serialize_result(self, operation: OperationModel, result: dict[str, Any] | None,
                         request_id: str) -> HttpResponse:
        self.refuse_event_stream(operation)
        headers: list[tuple[str, str]] = [("x-amzn-RequestId", request_id)]
        shape = operation.output_shape
        result = result or {}
        status = write_located_members(shape, result, headers) or int(operation.http.get("responseCode", 200))
        body = b""
        if shape is not None:
            payload_name = shape.serialization.get("payload")
            if payload_name:
                member = shape.members[payload_name]
                value = result.get(payload_name)
                if member.type_name == "blob":
                    body = value or b""
                elif member.type_name == "string":
                    body = (value or "").encode()
                elif value is not None:
                    body = orjson.dumps(write_json(member, value))
            elif any(not m.serialization.get("location") for m in shape.members.values()):
                body = orjson.dumps(write_json(shape, result))
        has_type = any(name.lower() == "content-type" for name, _ in headers)
        if not has_type and (body or (shape is not None and not shape.serialization.get("payload"))):
            # A result member bound to Content-Type (API Gateway's GetExport) names the type itself.
            headers.append(("Content-Type", JSON_TYPE))
        return HttpResponse(status, headers, body)

    def serialize_error(self, error: ServiceError, operation: OperationModel | None,
                        request_id: str) -> HttpResponse:
        headers: list[tuple[str, str]] = [
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error.code),
            ("Content-Type", JSON_TYPE),
        ]
        headers.extend(error.headers.items())
        document: dict[str, Any] = {}
        shape = error_shapes(self.service).get(error.code)
        fields = self.error_fields(error)
        if shape is not None:
            if "Type" in shape.members and "Type" not in fields:
                fields["Type"] = "User" if error.sender_fault else "Service"
            write_located_members(shape, fields, headers)
            document.update(write_json(shape, {k: v for k, v in fields.items() if k in shape.members}))
        else:
            document.update(fields)
        document["message"] = error.message
        return HttpResponse(self.error_status(error), headers, orjson.dumps(document))
