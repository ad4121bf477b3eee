"""Where botocore's client and our protocol cannot meet, for reasons of the models, said exactly."""

from __future__ import annotations

from tests.unit.protocol.cases import Form

# CloudWatch's model gives DashboardNotFoundError and ResourceNotFound the same query code,
# "ResourceNotFound"; a botocore client maps that code to the last shape, ResourceNotFound.
_SHARED_ERROR_CODES = {("cloudwatch", "DashboardNotFoundError"): "ResourceNotFound"}


def client_class(form: Form, shape_name: str) -> str:
    """The error shape whose exception class a botocore client raises for ``shape_name``."""
    return _SHARED_ERROR_CODES.get((form.service, shape_name), shape_name)
