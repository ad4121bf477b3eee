"""AWS Lambda (API version 2015-03-31): functions, code, configuration, invocation."""

from __future__ import annotations

from lamina.gateway.services import ServiceEndpoint
from lamina.protocol.base import ErrorCodes
from lamina.protocol.models import load_service_model
from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.services.lambda_.code_store import CodeStore
    from lamina.services.lambda_.provider import LambdaProvider

    model = load_service_model("lambda")
    # Lambda answers unreadable JSON with InvalidRequestContentException and constraint
    # violations with ValidationException.
    codes = ErrorCodes(validation="ValidationException", serialization="InvalidRequestContentException")
    provider = LambdaProvider(platform.store, platform.engine, CodeStore(platform.settings.data_dir),
                              platform.downloads, platform.settings.account_concurrency)
    return ServiceEndpoint("lambda", model, provider, ("lambda",), codes)
