"""CloudWatch Logs' errors, named after the model's error shapes."""

from lamina.protocol.errors import ServiceError


class ResourceNotFoundException(ServiceError):
    pass


class ResourceAlreadyExistsException(ServiceError):
    pass


class InvalidParameterException(ServiceError):
    pass


class MalformedQueryException(ServiceError):
    pass


class LimitExceededException(ServiceError):
    pass


class OperationAbortedException(ServiceError):
    pass
