"""Topics in the store, and the attributes SNS reports for them
(https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from lamina.services.sns.errors import InvalidParameterException, NotFoundException
from lamina.store.base import Store

TABLE = "sns:topics"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SETTABLE = ("DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
            "ContentBasedDeduplication", "FifoTopic", "ArchivePolicy", "FifoThroughputScope",
            "HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate",
            "LambdaSuccessFeedbackRoleArn", "LambdaFailureFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate",
            "SQSSuccessFeedbackRoleArn", "SQSFailureFeedbackRoleArn", "SQSSuccessFeedbackSampleRate")
DEFAULT_HTTP_POLICY = {"http": {"defaultHealthyRetryPolicy": {
    "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"},
    "disableSubscriptionOverrides": False, "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}}


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def default_policy(arn: str, account: str) -> str:
    return orjson.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                                  "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                                  "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                       "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]}).decode()


def check_name(name: str, attributes: dict[str, str]) -> bool:
    """Whether the topic is FIFO; raises InvalidParameter for a name SNS refuses."""
    fifo = str(attributes.get("FifoTopic", "false")).lower() == "true"
    base = name[:-5] if name.endswith(".fifo") else name
    if not _NAME.match(base) or (name.endswith(".fifo") != fifo):
        raise InvalidParameterException(
            "Invalid parameter: Topic Name" if not fifo or not _NAME.match(base)
            else "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and "
                 "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 "
                 "characters long.")
    return fifo


class TopicTable:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, arn: str) -> dict[str, Any]:
        found = await self.store.get(TABLE, arn)
        if found is None:
            raise NotFoundException("Topic does not exist")
        return found.value

    async def find(self, arn: str) -> dict[str, Any] | None:
        found = await self.store.get(TABLE, arn)
        return found.value if found else None

    async def create(self, region: str, account: str, name: str, attributes: dict[str, str],
                     tags: list[dict[str, str]]) -> str:
        fifo = check_name(name, attributes)
        arn = topic_arn(region, account, name)
        existing = await self.find(arn)
        if existing is not None:
            # CreateTopic is idempotent, unless the attributes differ.
            if any(existing["Attributes"].get(k) != v for k, v in attributes.items() if k in SETTABLE):
                raise InvalidParameterException(
                    "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
            return arn
        for key in attributes:
            if key not in SETTABLE:
                raise InvalidParameterException(f"Invalid parameter: Attributes Reason: Unknown attribute {key}")
        stored = {"Policy": default_policy(arn, account), "DisplayName": "",
                  "EffectiveDeliveryPolicy": orjson.dumps(DEFAULT_HTTP_POLICY).decode(), **attributes}
        if fifo:
            stored.setdefault("ContentBasedDeduplication", "false")
        await self.store.put(TABLE, arn, {"Arn": arn, "Account": account, "Region": region, "Attributes": stored,
                                          "Tags": {t["Key"]: t["Value"] for t in tags}})
        return arn

    async def delete(self, arn: str) -> None:
        await self.store.delete(TABLE, arn)

    async def list(self, region: str, account: str) -> list[str]:
        return [r.key for r in await self.store.scan(TABLE, f"arn:aws:sns:{region}:{account}:")]

    async def set_attribute(self, arn: str, name: str, value: str | None) -> None:
        if name not in SETTABLE:
            raise InvalidParameterException("Invalid parameter: AttributeName")
        topic = await self.get(arn)
        if name == "FifoTopic":
            raise InvalidParameterException("Invalid parameter: AttributeName (FifoTopic is set at creation)")
        if value is None or value == "":
            topic["Attributes"].pop(name, None)
        else:
            if name in ("Policy", "DeliveryPolicy"):
                try:
                    orjson.loads(value)
                except orjson.JSONDecodeError:
                    raise InvalidParameterException(f"Invalid parameter: Attributes Reason: {name}: not JSON") from None
            topic["Attributes"][name] = value
        if name == "DeliveryPolicy":
            topic["Attributes"]["EffectiveDeliveryPolicy"] = value or orjson.dumps(DEFAULT_HTTP_POLICY).decode()
        await self.store.put(TABLE, arn, topic)

    async def save(self, topic: dict[str, Any]) -> None:
        await self.store.put(TABLE, topic["Arn"], topic)
