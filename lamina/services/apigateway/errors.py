"""API Gateway (REST APIs) errors, named after the model's error shapes."""

from lamina.protocol.errors import ServiceError


class NotFoundException(ServiceError):
    status = 404


class BadRequestException(ServiceError):
    status = 400


class ConflictException(ServiceError):
    status = 409
