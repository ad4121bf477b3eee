"""CloudWatch's errors, named after the model's error shapes (the query protocol sends their
query codes, e.g. ``InvalidParameterValue``, which the protocol layer takes from the model)."""

from lamina.protocol.errors import ServiceError


class InvalidParameterValueException(ServiceError):
    pass


class InvalidParameterCombinationException(ServiceError):
    pass


class MissingRequiredParameterException(ServiceError):
    pass


class ResourceNotFound(ServiceError):
    status = 404


class ResourceNotFoundException(ServiceError):
    status = 404


class LimitExceededFault(ServiceError):
    pass


class InvalidNextToken(ServiceError):
    pass


class InvalidFormatFault(ServiceError):
    pass
