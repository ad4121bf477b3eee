"""Amazon SNS (API version 2010-03-31): topics, subscriptions, publishing and delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.protocol.base import ErrorCodes
    from lamina.protocol.models import load_service_model
    from lamina.services.sns.provider import SnsProvider

    model = load_service_model("sns")
    # SNS answers constraint violations with InvalidParameter (the InvalidParameterException shape).
    codes = ErrorCodes(validation="InvalidParameterException", serialization="InvalidParameterException")
    return ServiceEndpoint("sns", model, SnsProvider(platform), ("sns",), codes)
