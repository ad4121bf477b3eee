"""IAM's errors, named after the model's error shapes (the codes and statuses come from the model)."""

from lamina.protocol.errors import ServiceError


class NoSuchEntityException(ServiceError):
    status = 404


class EntityAlreadyExistsException(ServiceError):
    status = 409


class DeleteConflictException(ServiceError):
    status = 409


class LimitExceededException(ServiceError):
    status = 409


class MalformedPolicyDocumentException(ServiceError):
    status = 400


class InvalidInputException(ServiceError):
    status = 400


class PolicyNotAttachableException(ServiceError):
    status = 400


class UnmodifiableEntityException(ServiceError):
    status = 400


class InvalidClientTokenId(ServiceError):
    """Credentials from GetSessionToken without MFA cannot call IAM."""

    status = 403
