"""The query protocol (SNS, IAM, STS, CloudWatch's query form, SQS's older form).

Requests carry ``Action``, ``Version`` and the input as form parameters, in a
``application/x-www-form-urlencoded`` POST body or in the query string of a
GET. Results are XML: ``<OpResponse xmlns=".."><OpResult>..</OpResult>
<ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OpResponse>``;
errors are ``<ErrorResponse><Error><Type/><Code/><Message/></Error>
<RequestId/></ErrorResponse>`` with the model's query error code and status.

Using it for a service whose current model is json (SQS): pass that json
model as it is, ``QueryProtocol(load_service_model("sqs"))``. The protocol
works on ``query_compat.query_model(service)``, which lays the query-era
traits (``locationName``s, ``resultWrapper``s, ``xmlNamespace``, error codes)
over the current model; the operations and params it returns carry the
current model's member names, so the same provider serves both forms.

``Version`` is not checked: each model has one API version, and clients send it.

Query XML: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html
Common query errors (MissingAction, InvalidAction, InvalidParameterValue):
https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel

from lamina.protocol.base import ErrorCodes, Protocol
from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperationError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.models import error_shapes
from lamina.protocol.query_compat import query_model
from lamina.protocol.query_params import QueryParamError, read_query_params
from lamina.protocol.xml_writer import XmlWriter, escape_text

XML_TYPE = "text/xml"
QUERY_CODES = ErrorCodes(validation="ValidationError", serialization="InvalidParameterValue",
                         unknown_operation="InvalidAction")


class MissingAction(ServiceError):
    code = "MissingAction"


class QueryProtocol(Protocol):
    name = "query"

    def __init__(self, service: ServiceModel, codes: ErrorCodes | None = None) -> None:
        super().__init__(service, codes or QUERY_CODES)
        self.model = query_model(service)
        self.namespace = self.model.metadata.get("xmlNamespace", "")
        self._errors = error_shapes(self.model)

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        pairs = list(request.query_params)
        if request.body:
            pairs.extend(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        action = next((v for k, v in reversed(pairs) if k == "Action"), None)
        if not action:
            raise MissingAction("The request must contain the parameter Action.")
        if action not in self.model.operation_names:
            raise UnknownOperationError(f"The action {action} is not valid for this web service.",
                                        code=self.codes.unknown_operation, status=400)
        operation = self.model.operation_model(action)
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        try:
            params = read_query_params(shape, pairs)
        except QueryParamError as exc:
            raise SerializationError(str(exc), code=self.codes.serialization) from None
        self._queue_url_from_path(shape, params, request)
        return operation, params

    @staticmethod
    def _queue_url_from_path(shape: Any, params: dict[str, Any], request: HttpRequest) -> None:
        # SQS's query form lets clients POST to the queue URL itself instead of
        # sending QueueUrl (the AWS SDK for Java v1 does so); the path then names the queue.
        if "QueueUrl" in shape.members and "QueueUrl" not in params and request.path not in ("", "/"):
            params["QueueUrl"] = f"{request.scheme}://{request.host}{request.path}"

    def serialize_result(self, operation: OperationModel, result: dict[str, Any] | None,
                         request_id: str) -> HttpResponse:
        operation = self._own(operation)
        name = operation.name
        writer = XmlWriter()
        writer.raw(f'<{name}Response xmlns="{self.namespace}">')
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper")
            if wrapper:
                writer.raw(f"<{wrapper}>")
            writer.members(shape, result or {})
            if wrapper:
                writer.raw(f"</{wrapper}>")
        writer.raw(f"<ResponseMetadata><RequestId>{escape_text(request_id)}</RequestId>"
                   f"</ResponseMetadata></{name}Response>")
        return HttpResponse(200, [("x-amzn-RequestId", request_id), ("Content-Type", XML_TYPE)],
                            writer.text().encode())

    def serialize_error(self, error: ServiceError, operation: OperationModel | None,
                        request_id: str) -> HttpResponse:
        shape = self._errors.get(error.code)
        code, status, sender = error.code, error.status, error.sender_fault
        if shape is not None:
            meta = shape.metadata.get("error")
            if meta:
                code = meta.get("code", shape.name)
                status = int(meta.get("httpStatusCode", status))
                sender = bool(meta.get("senderFault"))
            else:
                code = shape.name
        writer = XmlWriter()
        writer.raw(f'<ErrorResponse xmlns="{self.namespace}"><Error>'
                   f"<Type>{'Sender' if sender else 'Receiver'}</Type>"
                   f"<Code>{escape_text(code)}</Code><Message>{escape_text(error.message)}</Message>")
        fields = self.error_fields(error)
        if shape is not None and fields:
            writer.members(shape, {k: v for k, v in fields.items() if k.lower() != "message"})
        writer.raw(f"</Error><RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>")
        headers = [("x-amzn-RequestId", request_id), ("Content-Type", XML_TYPE)]
        headers.extend(error.headers.items())
        return HttpResponse(status, headers, writer.text().encode())

    def _own(self, operation: OperationModel) -> OperationModel:
        """The operation as the query model describes it (callers may hold the plain model's)."""
        if operation.service_model is self.model:
            return operation
        return self.model.operation_model(operation.name)
