"""The rest-xml protocol (S3): REST routing with XML bodies, the seam the S3 service builds on.

Done here, by shape: routing by ``requestUri`` (path-style addressing),
members bound to the URI, query string and headers, XML request bodies
(a payload member or the input's body members), XML result bodies, header
results, and errors.

Not done, and answered with ``NotImplementedByLamina`` naming the operation
rather than a wrong answer:

- results whose XML root element the model does not name. The botocore
  models give the root of payload members (``locationName``) but not of S3's
  output shapes (``ListObjects`` answers ``<ListBucketResult>``); the S3
  service passes those names as ``root_elements``.
- ``aws-chunked`` request bodies (streaming SigV4 uploads), until the gateway
  decodes them before the protocol sees the body;
- event-stream results (``SelectObjectContent``).

Virtual-hosted-style requests (bucket in the Host header) must be rewritten
to path style by the S3 service's routing before ``parse``.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.errors import (
    NotImplementedByLamina,
    SerializationError,
    ServiceError,
    UnknownOperationError,
)
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.models import error_shapes
from lamina.protocol.rest import LocationError, read_located_members, write_located_members
from lamina.protocol.rest_router import RestRouter
from lamina.protocol.xml_reader import XmlShapeError, parse_document, read_xml
from lamina.protocol.xml_writer import XmlWriter, escape_text

XML_TYPE = "application/xml"


class RestXmlProtocol(Protocol):
    name = "rest-xml"

    def __init__(self, service: ServiceModel, codes: ErrorCodes | None = None,
                 root_elements: dict[str, str] | None = None) -> None:
        super().__init__(service, codes)
        self.router = RestRouter(service)
        self.root_elements = root_elements or {}
        # S3 errors are a bare <Error> document; the other rest-xml services wrap it in <ErrorResponse>.
        # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
        self.bare_errors = service.metadata.get("signingName", service.service_name) == "s3"

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        found = self.router.match(request.method, request.path, request.query, request.headers)
        if found is None:
            raise UnknownOperationError(
                f"No operation of {self.service.service_name} matches {request.method} {request.path}",
                code=self.codes.unknown_operation)
        operation, labels = found
        if "aws-chunked" in request.headers.get("content-encoding", "") or \
                request.headers.get("x-amz-content-sha256", "").startswith("STREAMING-"):
            raise NotImplementedByLamina(
                f"lamina does not decode aws-chunked bodies for {self._name(operation)} yet")
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        try:
            params, body_members = read_located_members(
                shape, labels, request.query, request.headers, self.router.literal_query_keys(operation))
            payload_name = shape.serialization.get("payload")
            if payload_name:
                member = shape.members[payload_name]
                if member.type_name == "blob":
                    params[payload_name] = request.body
                elif member.type_name == "string":
                    if request.body:
                        params[payload_name] = request.body.decode()
                elif request.body:
                    params[payload_name] = read_xml(member, parse_document(request.body))
            elif body_members and request.body:
                params.update(read_xml(shape, parse_document(request.body)))
        except (LocationError, XmlShapeError, UnicodeDecodeError) as exc:
            raise SerializationError(str(exc), code=self.codes.serialization) from None
        return operation, params

    def serialize_result(self, operation: OperationModel, result: dict[str, Any] | None,
                         request_id: str) -> HttpResponse:
        self.refuse_event_stream(operation)
        headers: list[tuple[str, str]] = [("x-amz-request-id", request_id)]
        shape = operation.output_shape
        result = result or {}
        status = write_located_members(shape, result, headers) or int(operation.http.get("responseCode", 200))
        if shape is None:
            return HttpResponse(status, headers, b"")
        body = b""
        payload_name = shape.serialization.get("payload")
        if payload_name:
            member = shape.members[payload_name]
            value = result.get(payload_name)
            if member.type_name in ("blob", "string"):
                body = value.encode() if isinstance(value, str) else bytes(value or b"")
            elif value is not None:
                body = self._document(member.serialization.get("name", payload_name), member, value)
        elif any(name in result for name, m in shape.members.items() if not m.serialization.get("location")):
            root = shape.serialization.get("name") or self.root_elements.get(operation.name)
            if root is None:
                raise NotImplementedByLamina(
                    f"lamina does not know the XML root element of {self._name(operation)}'s result yet")
            body = self._document(root, shape, result)
        if body and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", XML_TYPE))
        return HttpResponse(status, headers, body)

    def _document(self, root: str, shape: Shape, value: Any) -> bytes:
        writer = XmlWriter()
        writer.raw('<?xml version="1.0" encoding="UTF-8"?>')
        writer.element(root, shape, value)
        return writer.text().encode()

    def serialize_error(self, error: ServiceError, operation: OperationModel | None,
                        request_id: str) -> HttpResponse:
        shape = error_shapes(self.service).get(error.code)
        code = error.code
        if shape is not None:
            code = shape.metadata.get("error", {}).get("code", shape.name)
        writer = XmlWriter()
        inner = f"<Code>{escape_text(code)}</Code><Message>{escape_text(error.message)}</Message>"
        fields = {k: v for k, v in self.error_fields(error).items() if k.lower() != "message"}
        if self.bare_errors:
            writer.raw(f'<?xml version="1.0" encoding="UTF-8"?><Error>{inner}')
            if shape is not None and fields:
                writer.members(shape, fields)
            writer.raw(f"<RequestId>{escape_text(request_id)}</RequestId></Error>")
        else:
            fault = "Sender" if error.sender_fault else "Receiver"
            writer.raw(f"<ErrorResponse><Error><Type>{fault}</Type>{inner}")
            if shape is not None and fields:
                writer.members(shape, fields)
            writer.raw(f"</Error><RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>")
        headers = [("x-amz-request-id", request_id), ("Content-Type", XML_TYPE)]
        headers.extend(error.headers.items())
        return HttpResponse(self.error_status(error), headers, writer.text().encode())

    def _name(self, operation: OperationModel) -> str:
        return f"{self.service.service_name}:{operation.name}"
