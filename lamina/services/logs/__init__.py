"""CloudWatch Logs (API version 2014-03-28): function logs, PutLogEvents, filters, Logs Insights."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # platform.py imports this package's storage module
    from lamina.gateway.services import ServiceEndpoint
    from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.protocol.base import ErrorCodes
    from lamina.protocol.models import load_service_model
    from lamina.services.logs.provider import LogsProvider

    model = load_service_model("logs")
    # CloudWatch Logs answers constraint violations with InvalidParameterException.
    codes = ErrorCodes(validation="InvalidParameterException", serialization="SerializationException")
    return ServiceEndpoint("logs", model, LogsProvider(platform), ("logs",), codes)
