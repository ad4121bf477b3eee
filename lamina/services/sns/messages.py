"""The documents SNS delivers: notifications, subscription confirmations, and the Lambda event.

Formats: https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html and
https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html. lamina does not sign messages, so the
Signature, SignatureVersion and SigningCertURL members are left out rather than filled with
values no verifier would accept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import orjson

from lamina.services.sns.errors import InvalidParameterException

MAX_MESSAGE_BYTES = 262_144
ROUTE = "/_lamina/sns/"


def now_iso() -> str:
    when = dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def check_message(message: str, structure: str | None, subject: str | None) -> dict[str, str] | None:
    """The per-protocol messages when MessageStructure is json; refuses what SNS refuses."""
    if not message:
        raise InvalidParameterException("Invalid parameter: Empty message")
    if len(message.encode()) > MAX_MESSAGE_BYTES:
        raise InvalidParameterException("Invalid parameter: Message too long")
    if subject is not None and (not subject.strip() or len(subject) > 100 or any(c in subject for c in "\r\n")):
        raise InvalidParameterException("Invalid parameter: Subject")
    if structure is None:
        return None
    if structure != "json":
        raise InvalidParameterException("Invalid parameter: MessageStructure")
    try:
        per_protocol = orjson.loads(message)
    except orjson.JSONDecodeError:
        raise InvalidParameterException(
            "Invalid parameter: Message Structure - JSON message body failed to parse") from None
    if not isinstance(per_protocol, dict) or "default" not in per_protocol:
        raise InvalidParameterException("Invalid parameter: Message Structure - No default entry in JSON message body")
    if not all(isinstance(v, str) for v in per_protocol.values()):
        raise InvalidParameterException("Invalid parameter: Message Structure - messages must be strings")
    return per_protocol


def check_attributes(attributes: dict[str, dict[str, Any]] | None) -> None:
    for name, attribute in (attributes or {}).items():
        kind = attribute.get("DataType") or ""
        if kind.split(".")[0] not in ("String", "Number", "Binary"):
            raise InvalidParameterException(
                f"Invalid parameter: MessageAttributes Reason: The message attribute '{name}' has an invalid "
                f"message attribute type, the set of supported type prefixes is Binary, Number, and String.")
        value = attribute.get("BinaryValue") if kind.startswith("Binary") else attribute.get("StringValue")
        if value is None:
            raise InvalidParameterException(
                f"Invalid parameter: MessageAttributes Reason: The message attribute '{name}' must contain non-empty "
                "message attribute value for message attribute type '" + kind.split(".")[0] + "'.")
        if kind.startswith("Number"):
            try:
                float(value)
            except ValueError:
                raise InvalidParameterException(
                    f"Invalid parameter: MessageAttributes Reason: Could not cast message attribute '{name}' value "
                    "to number.") from None


def wire_attributes(attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, str]]:
    """Message attributes as notifications carry them: {"name": {"Type": ..., "Value": ...}}."""
    import base64

    shown = {}
    for name, attribute in (attributes or {}).items():
        kind = attribute["DataType"]
        if kind.startswith("Binary"):
            raw = attribute["BinaryValue"]  # base64 text once queued (publishing._storable)
            value = base64.b64encode(raw).decode() if isinstance(raw, bytes) else str(raw)
        else:
            value = attribute["StringValue"]
        shown[name] = {"Type": kind, "Value": value}
    return shown


def link(base_url: str, **query: str) -> str:
    return f"{base_url.rstrip('/')}{ROUTE}?{urlencode(query)}"


def unsubscribe_url(base_url: str, subscription_arn: str) -> str:
    return link(base_url, Action="Unsubscribe", SubscriptionArn=subscription_arn)


def confirm_url(base_url: str, topic_arn: str, token: str) -> str:
    return link(base_url, Action="ConfirmSubscription", TopicArn=topic_arn, Token=token)


def notification(message: dict[str, Any], subscription: dict[str, Any], body: str) -> dict[str, Any]:
    document: dict[str, Any] = {"Type": "Notification", "MessageId": message["MessageId"],
                                "TopicArn": message["TopicArn"]}
    if message.get("Subject"):
        document["Subject"] = message["Subject"]
    document.update(Message=body, Timestamp=message["Timestamp"],
                    UnsubscribeURL=unsubscribe_url(subscription["BaseUrl"], subscription["SubscriptionArn"]))
    if message.get("MessageAttributes"):
        document["MessageAttributes"] = wire_attributes(message["MessageAttributes"])
    if message.get("SequenceNumber"):
        document["SequenceNumber"] = message["SequenceNumber"]
    return document


def confirmation(subscription: dict[str, Any], message_id: str) -> dict[str, Any]:
    topic = subscription["TopicArn"]
    return {"Type": "SubscriptionConfirmation", "MessageId": message_id, "Token": subscription["Token"],
            "TopicArn": topic,
            "Message": f"You have chosen to subscribe to the topic {topic}.\n"
                       "To confirm the subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": confirm_url(subscription["BaseUrl"], topic, subscription["Token"]),
            "Timestamp": now_iso()}


def lambda_event(message: dict[str, Any], subscription: dict[str, Any], body: str) -> bytes:
    sns: dict[str, Any] = {
        "Type": "Notification", "MessageId": message["MessageId"], "TopicArn": message["TopicArn"],
        "Subject": message.get("Subject"), "Message": body, "Timestamp": message["Timestamp"],
        "UnsubscribeUrl": unsubscribe_url(subscription["BaseUrl"], subscription["SubscriptionArn"]),
        "MessageAttributes": wire_attributes(message.get("MessageAttributes")),
    }
    return orjson.dumps({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                                      "EventSubscriptionArn": subscription["SubscriptionArn"], "Sns": sns}]})


def body_for(message: dict[str, Any], protocol: str) -> str:
    per_protocol = message.get("PerProtocol")
    if per_protocol:
        return per_protocol.get(protocol, per_protocol["default"])
    return message["Message"]
