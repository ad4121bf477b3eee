"""Lambda's errors, named after the model's error shapes."""

from lamina.protocol.errors import ServiceError


class ResourceNotFoundException(ServiceError):
    status = 404


class ResourceConflictException(ServiceError):
    status = 409


class ResourceInUseException(ServiceError):
    status = 400


class InvalidParameterValueException(ServiceError):
    status = 400


class InvalidRequestContentException(ServiceError):
    status = 400


class PreconditionFailedException(ServiceError):
    status = 412


class RequestTooLargeException(ServiceError):
    status = 413


class TooManyRequestsException(ServiceError):
    status = 429


class CodeStorageExceededException(ServiceError):
    status = 400


class PolicyLengthExceededException(ServiceError):
    status = 400


class ServiceException(ServiceError):
    status = 500
    sender_fault = False


class ProvisionedConcurrencyConfigNotFoundException(ServiceError):
    status = 404


class InvalidRuntimeException(ServiceError):
    status = 502


class AccessDeniedException(ServiceError):
    """A denial Lambda itself decides (iam:PassRole for an execution role, a service without permission)."""

    status = 403
