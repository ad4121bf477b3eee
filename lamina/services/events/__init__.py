"""Amazon EventBridge (API version 2015-10-07; CloudWatch Events is the same API): event buses,
rules with event patterns and schedules, targets, PutEvents and CloudTrail-style API events."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.gateway.services import ServiceEndpoint
    from lamina.protocol.base import ErrorCodes
    from lamina.protocol.models import load_service_model
    from lamina.services.events.api_activity import ApiActivity
    from lamina.services.events.provider import EventsProvider

    model = load_service_model("events")
    provider = EventsProvider(platform)
    platform.observers.append(ApiActivity(provider).observe)
    codes = ErrorCodes(validation="ValidationException", serialization="SerializationException")
    return ServiceEndpoint("events", model, provider, ("events",), codes)
