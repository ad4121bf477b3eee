"""Where botocore's client and our protocol cannot meet, for reasons of the models, said exactly."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel

from tests.unit.protocol.cases import Form


def expected_params(form: Form, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
    """What our parser must return for the params botocore serialized."""
    return params


def expected_result(form: Form, operation: OperationModel, result: dict[str, Any]) -> dict[str, Any]:
    """What botocore must read back from the result we serialized."""
    return result


# CloudWatch's model gives DashboardNotFoundError and ResourceNotFound the same query code,
# "ResourceNotFound"; a botocore client maps that code to the last shape, ResourceNotFound.
_SHARED_ERROR_CODES = {("cloudwatch", "DashboardNotFoundError"): "ResourceNotFound"}


def client_class(form: Form, shape_name: str) -> str:
    """The error shape whose exception class a botocore client raises for ``shape_name``."""
    return _SHARED_ERROR_CODES.get((form.service, shape_name), shape_name)
