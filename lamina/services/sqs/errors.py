"""SQS's errors, named after the model's error shapes (the query-era codes and statuses come from the
protocol layer's overlay), plus the common query errors SQS answers with
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html)."""

from lamina.protocol.errors import ServiceError


class QueueDoesNotExist(ServiceError):
    pass


class QueueNameExists(ServiceError):
    pass


class QueueDeletedRecently(ServiceError):
    pass


class PurgeQueueInProgress(ServiceError):
    status = 403


class InvalidAttributeName(ServiceError):
    pass


class InvalidAttributeValue(ServiceError):
    pass


class InvalidMessageContents(ServiceError):
    pass


class ReceiptHandleIsInvalid(ServiceError):
    status = 404


class MessageNotInflight(ServiceError):
    pass


class EmptyBatchRequest(ServiceError):
    pass


class TooManyEntriesInBatchRequest(ServiceError):
    pass


class BatchEntryIdsNotDistinct(ServiceError):
    pass


class InvalidBatchEntryId(ServiceError):
    pass


class BatchRequestTooLong(ServiceError):
    pass


class OverLimit(ServiceError):
    status = 403


class ResourceNotFoundException(ServiceError):
    status = 404


class UnsupportedOperation(ServiceError):
    pass


class InvalidParameterValue(ServiceError):
    pass


class MissingParameter(ServiceError):
    pass


def invalid_value(parameter: str, value: object, reason: str) -> InvalidParameterValue:
    """SQS's usual wording for a parameter it refuses."""
    return InvalidParameterValue(f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")


class SenderNotAllowed(PermissionError):
    """In-process only: a service's delivery the queue's policy does not allow (never on the wire)."""
