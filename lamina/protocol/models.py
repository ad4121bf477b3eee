"""Loading botocore's service models, the specification of every wire format."""

from __future__ import annotations

import functools

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

_loader = Loader()


@functools.cache
def load_service_model(name: str) -> ServiceModel:
    """The newest API version of a service as botocore ships it (e.g. ``lambda``)."""
    data = _loader.load_service_model(name, "service-2")
    return ServiceModel(data, service_name=name)


@functools.cache
def error_shapes(service: ServiceModel) -> dict[str, object]:
    """Error shapes of a service by code (the shape name, or its ``error.code`` when set)."""
    shapes: dict[str, object] = {}
    for shape in service.error_shapes:
        shapes[shape.name] = shape
        code = shape.metadata.get("error", {}).get("code")
        if code:
            shapes[code] = shape
    return shapes


def operation_names(service: ServiceModel) -> list[str]:
    return list(service.operation_names)


def operation(service: ServiceModel, name: str) -> OperationModel:
    return service.operation_model(name)
