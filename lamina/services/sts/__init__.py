"""AWS Security Token Service (API version 2011-06-15): temporary credentials. Building it also
gives the authenticator the temporary (ASIA...) keys it issues."""

from __future__ import annotations

from lamina.gateway.services import ServiceEndpoint
from lamina.protocol.models import load_service_model
from lamina.protocol.query import QUERY_CODES
from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.services.sts.provider import StsProvider
    from lamina.services.sts.sessions import SessionKeyResolver, Sessions

    sessions = Sessions(platform.store, platform.settings.credential_duration_scale)
    platform.authenticator.add_resolver(SessionKeyResolver(sessions))
    provider = StsProvider(platform, sessions)
    return ServiceEndpoint("sts", load_service_model("sts"), provider, ("sts",), QUERY_CODES)
