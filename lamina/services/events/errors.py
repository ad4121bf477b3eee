"""EventBridge's errors, named after the model's error shapes (ValidationException is not a
model shape, but it is what EventBridge answers for invalid input)."""

from lamina.protocol.errors import ServiceError


class ResourceNotFoundException(ServiceError):
    pass


class ResourceAlreadyExistsException(ServiceError):
    pass


class InvalidEventPatternException(ServiceError):
    pass


class LimitExceededException(ServiceError):
    pass


class ConcurrentModificationException(ServiceError):
    pass


class ManagedRuleException(ServiceError):
    pass


class IllegalStatusException(ServiceError):
    pass


class ValidationException(ServiceError):
    pass


class InternalException(ServiceError):
    status = 500
    sender_fault = False
