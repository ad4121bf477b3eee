"""Service errors: exceptions named after the model's error shapes.

A provider raises ``SomeServiceError("message")``; the serializer of the
request's protocol turns it into AWS's wire shape, taking the HTTP status from
the model's error shape when the model declares one.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    """An error AWS would return to the caller. ``code`` defaults to the class name."""

    code: ClassVar[str] = "ServiceError"
    status: ClassVar[int] = 400
    sender_fault: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None,
                 headers: dict[str, str] | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        if status is not None:
            self.status = status  # type: ignore[misc]
        self.headers = headers or {}
        # Extra members of the error shape (e.g. Lambda's ``Type``, ``Reason``).
        self.fields = fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message!r})"


class CommonServiceError(ServiceError):
    """Errors every AWS service can return (the "common errors" of the API references)."""


class ValidationError(CommonServiceError):
    """Input failed the model's constraints; the code is the service's own validation code."""

    code = "ValidationException"


class SerializationError(CommonServiceError):
    """The request body or a member could not be read as the model's type."""

    code = "SerializationException"


class UnknownOperationError(CommonServiceError):
    code = "UnknownOperationException"
    status = 404


class NotImplementedByLamina(CommonServiceError):
    """An operation of the model that lamina does not implement (never a silent success)."""

    code = "NotImplementedException"
    status = 501
    sender_fault = False


class AccessDeniedError(CommonServiceError):
    code = "AccessDeniedException"
    status = 403


class RequestTooLargeError(CommonServiceError):
    code = "RequestEntityTooLargeException"
    status = 413


class InternalFailure(CommonServiceError):
    """An unexpected failure inside lamina: AWS-shaped, never a traceback to the client."""

    code = "InternalFailure"
    status = 500
    sender_fault = False


class ServiceUnavailable(CommonServiceError):
    code = "ServiceUnavailable"
    status = 503
    sender_fault = False
