"""Subscriptions in the store: endpoint checks per protocol, confirmation tokens, attributes.

Lambda and SQS subscriptions (same account) are confirmed at once; http, https, email and
email-json wait for the endpoint's owner to confirm with the token SNS sent
(https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any
from urllib.parse import urlparse

from lamina.services.sns import filter_policy
from lamina.services.sns.errors import InvalidParameterException, NotFoundException
from lamina.store.base import Store

TABLE = "sns:subscriptions"
PROTOCOLS = ("http", "https", "email", "email-json", "sqs", "lambda")
NEEDS_CONFIRMATION = ("http", "https", "email", "email-json")
SETTABLE = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
            "SubscriptionRoleArn", "ReplayPolicy")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def check_endpoint(protocol: str, endpoint: str | None) -> None:
    if protocol not in PROTOCOLS:
        raise InvalidParameterException(
            f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}"
            + (" (lamina delivers to http, https, email, email-json, sqs and lambda)"
               if protocol in ("sms", "application", "firehose") else ""))
    if not endpoint:
        raise InvalidParameterException("Invalid parameter: Endpoint")
    if protocol in ("http", "https"):
        parsed = urlparse(endpoint)
        if parsed.scheme != protocol or not parsed.netloc:
            raise InvalidParameterException("Invalid parameter: Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json") and not _EMAIL.match(endpoint):
        raise InvalidParameterException("Invalid parameter: Email address")
    elif protocol in ("sqs", "lambda"):
        parts = endpoint.split(":")
        if len(parts) < 6 or parts[0] != "arn" or parts[2] != protocol:
            raise InvalidParameterException(f"Invalid parameter: {protocol.upper()} endpoint ARN")


def check_attribute(name: str, value: str) -> None:
    if name not in SETTABLE:
        raise InvalidParameterException("Invalid parameter: AttributeName")
    if name == "FilterPolicy" and value:
        try:
            filter_policy.parse(value)
        except filter_policy.PolicyError as error:
            raise InvalidParameterException(str(error)) from None
    if name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
        raise InvalidParameterException("Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value "
                                        f"[{value}]. Please use either MessageBody or MessageAttributes")
    if name == "RawMessageDelivery" and value.lower() not in ("true", "false"):
        raise InvalidParameterException("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value "
                                        f"[{value}]. Must be true or false.")


class SubscriptionTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def create(self, topic: dict[str, Any], protocol: str, endpoint: str, attributes: dict[str, str],
                     owner: str, base_url: str) -> tuple[dict[str, Any], bool]:
        """(subscription, created): subscribing the same endpoint twice returns the existing one."""
        for existing in await self.of_topic(topic["Arn"]):
            if existing["Protocol"] == protocol and existing["Endpoint"] == endpoint:
                if any(existing["Attributes"].get(k) != v for k, v in attributes.items()):
                    raise InvalidParameterException(
                        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
                return existing, False
        for name, value in attributes.items():
            check_attribute(name, value)
        arn = f"{topic['Arn']}:{uuid.uuid4()}"
        subscription = {
            "SubscriptionArn": arn, "TopicArn": topic["Arn"], "Protocol": protocol, "Endpoint": endpoint,
            "Owner": owner, "Attributes": dict(attributes), "Confirmed": protocol not in NEEDS_CONFIRMATION,
            "Token": secrets.token_hex(64), "BaseUrl": base_url,
        }
        await self.store.put(TABLE, arn, subscription)
        return subscription, True

    async def get(self, arn: str) -> dict[str, Any]:
        found = await self.store.get(TABLE, arn)
        if found is None:
            raise NotFoundException("Subscription does not exist")
        return found.value

    async def find(self, arn: str) -> dict[str, Any] | None:
        found = await self.store.get(TABLE, arn)
        return found.value if found else None

    async def save(self, subscription: dict[str, Any]) -> None:
        await self.store.put(TABLE, subscription["SubscriptionArn"], subscription)

    async def delete(self, arn: str) -> bool:
        return await self.store.delete(TABLE, arn)

    async def of_topic(self, topic_arn: str) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(TABLE, topic_arn + ":")]

    async def of_account(self, region: str, account: str) -> list[dict[str, Any]]:
        return [r.value for r in await self.store.scan(TABLE, f"arn:aws:sns:{region}:{account}:")]

    async def by_token(self, topic_arn: str, token: str) -> dict[str, Any] | None:
        for subscription in await self.of_topic(topic_arn):
            if secrets.compare_digest(subscription["Token"], token):
                return subscription
        return None


def listed(subscription: dict[str, Any]) -> dict[str, str]:
    """As ListSubscriptions shows it: pending ones have no ARN yet."""
    return {"SubscriptionArn": subscription["SubscriptionArn"] if subscription["Confirmed"] else "PendingConfirmation",
            "Owner": subscription["Owner"], "Protocol": subscription["Protocol"],
            "Endpoint": subscription["Endpoint"], "TopicArn": subscription["TopicArn"]}


def attributes_of(subscription: dict[str, Any]) -> dict[str, str]:
    attributes = {
        "SubscriptionArn": subscription["SubscriptionArn"], "TopicArn": subscription["TopicArn"],
        "Protocol": subscription["Protocol"], "Endpoint": subscription["Endpoint"], "Owner": subscription["Owner"],
        "ConfirmationWasAuthenticated": "true" if subscription["Confirmed"] else "false",
        "PendingConfirmation": "false" if subscription["Confirmed"] else "true",
        "RawMessageDelivery": "false",
        **subscription["Attributes"],
    }
    if "FilterPolicy" in subscription["Attributes"]:
        attributes.setdefault("FilterPolicyScope", "MessageAttributes")
    return attributes
