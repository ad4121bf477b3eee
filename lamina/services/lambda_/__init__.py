"""AWS Lambda (API version 2015-03-31): functions, versions, aliases, layers, invocation."""

from __future__ import annotations

from lamina.gateway.services import ServiceEndpoint
from lamina.protocol.base import ErrorCodes
from lamina.protocol.models import load_service_model
from lamina.services.platform import Platform


def build(platform: Platform) -> ServiceEndpoint:
    from lamina.services.lambda_.code_store import CodeStore
    from lamina.services.lambda_.provider import LambdaProvider
    from lamina.services.lambda_.url_front_door import PATH_FORM, FunctionUrlDoor
    from lamina.triggers.async_invoker import AsyncSettings

    model = load_service_model("lambda")
    # Lambda answers unreadable JSON with InvalidRequestContentException and constraint
    # violations with ValidationException.
    codes = ErrorCodes(validation="ValidationException", serialization="InvalidRequestContentException")
    settings = platform.settings
    async_settings = AsyncSettings(retry_delays=settings.async_retry_delays,
                                   backoff_start=settings.async_backoff_start)
    provider = LambdaProvider(platform, CodeStore(settings.data_dir), async_settings)
    urls = FunctionUrlDoor(provider)
    platform.front_doors.append(urls)
    platform.internal.add(PATH_FORM, urls.handle_path_form)
    return ServiceEndpoint("lambda", model, provider, ("lambda",), codes)
