"""The services and protocol forms the round-trip tests cover, and how to build each side."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from botocore.model import ServiceModel

from lamina.protocol.base import Protocol
from lamina.protocol.models import load_service_model
from lamina.protocol.query_compat import query_model
from lamina.protocol.registry import protocol_for


@dataclass(frozen=True)
class Form:
    """One service spoken in one protocol family."""

    service: str
    family: str

    @property
    def id(self) -> str:
        return f"{self.service}-{self.family}"

    @property
    def server_model(self) -> ServiceModel:
        return load_service_model(self.service)

    @property
    def client_model(self) -> ServiceModel:
        """The model a client of this form holds (an old SQS client knows the query traits)."""
        model = load_service_model(self.service)
        return query_model(model) if self.family == "query" else model

    @functools.cached_property
    def protocol(self) -> Protocol:
        return protocol_for(self.server_model, self.family)


FORMS = [
    Form("lambda", "rest-json"),
    Form("apigateway", "rest-json"),
    Form("apigatewayv2", "rest-json"),
    Form("logs", "json"),
    Form("events", "json"),
    Form("sqs", "json"),
    Form("sqs", "query"),
    Form("sns", "query"),
    Form("iam", "query"),
    Form("sts", "query"),
    Form("cloudwatch", "smithy-rpc-v2-cbor"),
    Form("cloudwatch", "json"),
    Form("cloudwatch", "query"),
]


def operation_cases() -> list[tuple[Form, str]]:
    return [(form, name) for form in FORMS for name in form.client_model.operation_names]


def error_cases() -> list[tuple[Form, str]]:
    return [(form, shape.name) for form in FORMS for shape in form.client_model.error_shapes]
