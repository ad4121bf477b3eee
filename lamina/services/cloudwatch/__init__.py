"""Amazon CloudWatch (API version 2010-08-01, signing name ``monitoring``): metrics, metric math, alarms."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.protocol.base import ErrorCodes
    from lamina.protocol.models import load_service_model
    from lamina.services.cloudwatch.provider import CloudWatchProvider

    model = load_service_model("cloudwatch")
    # CloudWatch answers constraint violations with InvalidParameterValue (query code of the shape).
    codes = ErrorCodes(validation="InvalidParameterValueException", serialization="SerializationException")
    return ServiceEndpoint("cloudwatch", model, CloudWatchProvider(platform), ("monitoring",), codes)
