"""API Gateway's errors (v1 and v2 share the shape names), named after the model's error shapes."""

from lamina.protocol.errors import ServiceError


class NotFoundException(ServiceError):
    status = 404


class BadRequestException(ServiceError):
    status = 400


class ConflictException(ServiceError):
    status = 409


class TooManyRequestsException(ServiceError):
    status = 429
