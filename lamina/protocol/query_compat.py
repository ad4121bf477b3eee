"""The query form of services whose current model is json (SQS) or lists several protocols (CloudWatch).

A model that lists ``query`` among its protocols describes its query form
itself (CloudWatch: ``xmlNamespace``, ``resultWrapper``, error codes). SQS
moved from query to json in botocore 1.31.81 and its current model dropped
the query-era traits that older clients (AWS CLI v1 before that release,
older SDKs) still put on the wire: ``MessageAttribute.1.Name`` rather than
``MessageAttributes.1.key``, ``<Message>`` elements in ``ReceiveMessageResult``,
and the query error codes (``AWS.SimpleQueueService.NonExistentQueue``). For
such services a small overlay of exactly those traits, extracted from the
last botocore model that described the query form (see
``data/extract_query_traits.py``), is laid over the current model. Member
names, types and constraints still come from the current model.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

from botocore.model import ServiceModel

from lamina.protocol.models import error_shapes


def has_query_form(service: ServiceModel) -> bool:
    return _describes_query(service) or _overlay(service.service_name) is not None


def _describes_query(service: ServiceModel) -> bool:
    metadata = service.metadata
    return metadata.get("protocol") == "query" or "query" in metadata.get("protocols", ())


@functools.cache
def _overlay(service_name: str) -> dict[str, Any] | None:
    path = resources.files("lamina.protocol.data") / f"{service_name}.query-traits.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _merge(target: dict[str, Any], traits: dict[str, Any]) -> None:
    for key, value in traits.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


@functools.cache
def query_model(service: ServiceModel) -> ServiceModel:
    """The model of ``service``'s query form; raises LookupError when it has none."""
    if _describes_query(service):
        return service
    overlay = _overlay(service.service_name)
    if overlay is None:
        raise LookupError(f"{service.service_name} has no query form")
    description = copy.deepcopy(service._service_description)  # noqa: SLF001 - botocore keeps the raw model here
    for section in ("metadata", "operations", "shapes"):
        for name, traits in overlay.get(section, {}).items():
            if section == "metadata":
                description["metadata"][name] = traits
            elif name in description[section]:
                _merge(description[section][name], traits)
    return ServiceModel(description, service_name=service.service_name)


def query_error_shapes(service: ServiceModel) -> dict[str, Any]:
    """Error shapes by code, with their query-era ``error`` traits where the service has a query form."""
    if has_query_form(service):
        return error_shapes(query_model(service))
    return error_shapes(service)


def query_error_header(service: ServiceModel, code: str) -> str | None:
    """The ``x-amzn-query-error`` value (``<query code>;Sender|Receiver``) of an error, if it has one.

    Services that moved from query to json or CBOR (``awsQueryCompatible``)
    send it so that clients can still report the query-era code:
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
    """
    if "awsQueryCompatible" not in service.metadata:
        return None
    shape = query_error_shapes(service).get(code)
    meta = shape.metadata.get("error") if shape is not None else None
    if not meta or not meta.get("code"):
        return None
    fault = "Sender" if meta.get("senderFault") else "Receiver"
    return f"{meta['code']};{fault}"
