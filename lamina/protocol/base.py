"""The interface every protocol family implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, ServiceModel

from lamina.protocol.errors import NotImplementedByLamina, ServiceError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.query_compat import query_error_shapes


@dataclass(frozen=True, slots=True)
class ErrorCodes:
    """The codes a service uses for protocol-level input errors (they differ between services)."""

    validation: str = "ValidationException"
    serialization: str = "SerializationException"
    unknown_operation: str = "UnknownOperationException"


class Protocol(ABC):
    """Parses requests into (operation, params) and serializes results and errors for one service."""

    name: str = ""

    def __init__(self, service: ServiceModel, codes: ErrorCodes | None = None) -> None:
        self.service = service
        self.codes = codes or ErrorCodes()

    @abstractmethod
    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        """Find the operation and read its input; raise a ServiceError for unreadable input."""

    @abstractmethod
    def serialize_result(self, operation: OperationModel, result: dict[str, Any] | None,
                         request_id: str) -> HttpResponse:
        """The HTTP response for a successful operation."""

    @abstractmethod
    def serialize_error(self, error: ServiceError, operation: OperationModel | None,
                        request_id: str) -> HttpResponse:
        """The HTTP response for an error, in this protocol's error shape."""

    def error_status(self, error: ServiceError) -> int:
        """The model's HTTP status for the error's shape, else the error's own.

        Services that moved from query keep their query-era statuses (SQS's
        ``OverLimit`` is 403), so those are looked up with the query traits.
        """
        shape = query_error_shapes(self.service).get(error.code)
        if shape is not None:
            status = shape.metadata.get("error", {}).get("httpStatusCode")
            if status:
                return int(status)
        return error.status

    def error_fields(self, error: ServiceError) -> dict[str, Any]:
        """Members of the error's shape that the provider filled in, besides the message."""
        return {k: v for k, v in error.fields.items() if v is not None}

    def refuse_event_stream(self, operation: OperationModel) -> None:
        """Event-stream results need the binary event-stream framing, which lamina does not write yet.

        Answering with a plain body would look like success to a client and lose the events.
        """
        if operation.has_event_stream_output:
            raise NotImplementedByLamina(
                f"lamina does not stream events for {self.service.service_name}:{operation.name} yet")
