"""The links SNS puts in what it sends: SubscribeURL (ConfirmSubscription) and UnsubscribeURL.

Like SNS's own, they work unsigned with a plain GET (a browser following the link in a
confirmation e-mail, an HTTP endpoint fetching SubscribeURL); the token or the subscription ARN
is the proof. They are served under /_lamina/sns/ and answer with the query protocol's XML for
the action, written by the protocol layer from the SNS model.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.protocol.models import load_service_model
from lamina.protocol.registry import protocol_for
from lamina.services.platform import Platform
from lamina.services.sns.errors import InvalidParameterException

if TYPE_CHECKING:
    from lamina.services.sns.provider import SnsProvider


def register(platform: Platform, provider: SnsProvider) -> None:
    model = load_service_model("sns")
    protocol = protocol_for(model, "query")

    async def handle(request: HttpRequest, rest: str) -> HttpResponse:
        query = request.query_dict()
        action = query.get("Action", "")
        request_id = str(uuid.uuid4())
        operation = model.operation_model(action) if action in ("ConfirmSubscription", "Unsubscribe") else None
        try:
            if action == "ConfirmSubscription":
                arn = await provider.confirm(query.get("TopicArn", ""), query.get("Token", ""))
                result: dict | None = {"SubscriptionArn": arn}
            elif action == "Unsubscribe":
                if await provider.subscriptions.find(query.get("SubscriptionArn", "")) is None:
                    raise InvalidParameterException("Invalid parameter: SubscriptionArn")
                await provider.subscriptions.delete(query["SubscriptionArn"])
                result = None
            else:
                raise InvalidParameterException("Invalid parameter: Action (this link serves ConfirmSubscription "
                                                "and Unsubscribe)")
        except ServiceError as error:
            return protocol.serialize_error(error, operation, request_id)
        return protocol.serialize_result(operation, result, request_id)

    platform.internal.add("sns", handle)
