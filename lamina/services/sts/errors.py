"""STS's errors, named after the model's error shapes, and the common ones it answers with."""

from lamina.protocol.errors import ServiceError


class MalformedPolicyDocumentException(ServiceError):
    status = 400


class PackedPolicyTooLargeException(ServiceError):
    status = 400


class AccessDenied(ServiceError):
    status = 403


class ValidationError(ServiceError):
    status = 400
