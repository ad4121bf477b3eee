"""SNS's errors, named after the model's error shapes (the query protocol sends their codes,
e.g. ``InvalidParameter``, ``NotFound``)."""

from lamina.protocol.errors import ServiceError


class InvalidParameterException(ServiceError):
    pass


class InvalidParameterValueException(ServiceError):
    pass


class NotFoundException(ServiceError):
    status = 404


class AuthorizationErrorException(ServiceError):
    status = 403


class EmptyBatchRequestException(ServiceError):
    pass


class TooManyEntriesInBatchRequestException(ServiceError):
    pass


class BatchEntryIdsNotDistinctException(ServiceError):
    pass


class InvalidBatchEntryIdException(ServiceError):
    pass


class BatchRequestTooLongException(ServiceError):
    pass


class TagLimitExceededException(ServiceError):
    pass


class ResourceNotFoundException(ServiceError):
    status = 404
