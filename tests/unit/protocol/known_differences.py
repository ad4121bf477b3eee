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
