"""The json protocol (SQS, Logs, EventBridge, CloudWatch's json form): X-Amz-Target + JSON body."""

from __future__ import annotations

from typing import Any

import orjson
from botocore.model import OperationModel, ServiceModel

from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperationError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.json_shapes import JsonShapeError, read_json, write_json
from lamina.protocol.query_compat import query_error_header, query_error_shapes


class JsonProtocol(Protocol):
    name = "json"

    def __init__(self, service: ServiceModel, codes: ErrorCodes | None = None) -> None:
        super().__init__(service, codes)
        version = service.metadata.get("jsonVersion", "1.0")
        self.content_type = f"application/x-amz-json-{version}"
        self.target_prefix = service.metadata.get("targetPrefix", "")

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        if prefix != self.target_prefix or name not in self.service.operation_names:
            raise UnknownOperationError(f"Unknown operation {target or '(no X-Amz-Target)'}",
                                        code=self.codes.unknown_operation, status=400)
        operation = self.service.operation_model(name)
        if not request.body.strip() or operation.input_shape is None:
            return operation, {}
        try:
            document = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise SerializationError("The request body is not valid JSON",
                                     code=self.codes.serialization) from None
        try:
            return operation, read_json(operation.input_shape, document)
        except JsonShapeError as exc:
            raise SerializationError(str(exc), code=self.codes.serialization) from None

    def serialize_result(self, operation: OperationModel, result: dict[str, Any] | None,
                         request_id: str) -> HttpResponse:
        self.refuse_event_stream(operation)
        shape = operation.output_shape
        body = orjson.dumps(write_json(shape, result or {})) if shape is not None else b"{}"
        return HttpResponse(200, [("x-amzn-RequestId", request_id), ("Content-Type", self.content_type)], body)

    def serialize_error(self, error: ServiceError, operation: OperationModel | None,
                        request_id: str) -> HttpResponse:
        headers = [("x-amzn-RequestId", request_id), ("Content-Type", self.content_type)]
        headers.extend(error.headers.items())
        shape = query_error_shapes(self.service).get(error.code)
        code = shape.name if shape is not None else error.code
        query_error = query_error_header(self.service, error.code)
        if query_error:
            headers.append(("x-amzn-query-error", query_error))
        fields = self.error_fields(error)
        document: dict[str, Any] = {"__type": code}
        if shape is not None:
            document.update(write_json(shape, {k: v for k, v in fields.items() if k in shape.members}))
        else:
            document.update(fields)
        document["message"] = error.message
        return HttpResponse(self.error_status(error), headers, orjson.dumps(document))
