"""Delivering one message to one subscription's endpoint, by protocol.

- http/https: a POST of the JSON document (or the raw message) with SNS's headers; any 2xx is
  success; 5xx, 429 and failures to connect are retried; other answers are final
  (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html);
- email/email-json: through the SMTP server in lamina's settings (LAMINA_SMTP_HOST/PORT);
- lambda: an asynchronous invocation through the Lambda service;
- sqs: through the SQS service's ``send_to_queue``.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

import httpx
import orjson

from lamina.config import Settings
from lamina.services.platform import Platform
from lamina.services.sns import messages

logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per delivery would drown the log
USER_AGENT = "Amazon Simple Notification Service Agent"
HTTP_TIMEOUT = 15.0  # SNS waits 15 seconds for an HTTP/S endpoint


class DeliveryError(Exception):
    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


async def deliver(platform: Platform, client: httpx.AsyncClient, subscription: dict[str, Any],
                  kind: str, message: dict[str, Any]) -> None:
    protocol = subscription["Protocol"]
    if protocol in ("http", "https"):
        await _http(client, subscription, kind, message)
    elif protocol in ("email", "email-json"):
        await asyncio.to_thread(_email, platform.settings, subscription, kind, message)
    elif protocol == "lambda":
        peer = platform.peer("lambda")
        if peer is None:
            raise DeliveryError("lamina does not serve Lambda on this node")
        body = messages.body_for(message, "lambda")
        await peer.queue_invocation(subscription["Endpoint"], messages.lambda_event(message, subscription, body),
                                    source={"service": "sns.amazonaws.com", "arn": message["TopicArn"],
                                            "account": message["TopicArn"].split(":")[4]})
    elif protocol == "sqs":
        peer = platform.peer("sqs")
        if peer is None:
            raise DeliveryError(f"lamina does not serve SQS on this node, so {subscription['Endpoint']} cannot "
                                "receive the message (it is retried, as for an unavailable queue)")
        body = messages.body_for(message, "sqs")
        raw = subscription["Attributes"].get("RawMessageDelivery", "false").lower() == "true"
        sender = {"service": "sns.amazonaws.com", "arn": message["TopicArn"],
                  "account": message["TopicArn"].split(":")[4]}
        try:
            if raw:
                await peer.send_to_queue(subscription["Endpoint"], body, attributes=message.get("MessageAttributes"),
                                         group_id=message.get("MessageGroupId"), sender=sender)
            else:
                document = orjson.dumps(messages.notification(message, subscription, body)).decode()
                await peer.send_to_queue(subscription["Endpoint"], document, group_id=message.get("MessageGroupId"),
                                         sender=sender)
        except PermissionError as error:  # the queue's policy: a client-side error, not retried (as SNS)
            raise DeliveryError(str(error), retry=False) from None
    else:
        raise DeliveryError(f"lamina does not deliver to {protocol} endpoints", retry=False)


async def _http(client: httpx.AsyncClient, subscription: dict[str, Any], kind: str, message: dict[str, Any]) -> None:
    headers = {"x-amz-sns-message-type": kind, "x-amz-sns-topic-arn": subscription["TopicArn"],
               "Content-Type": "text/plain; charset=UTF-8", "User-Agent": USER_AGENT}
    raw = subscription["Attributes"].get("RawMessageDelivery", "false").lower() == "true"
    if kind == "SubscriptionConfirmation":
        document = messages.confirmation(subscription, message["MessageId"])
        payload = orjson.dumps(document)
    else:
        headers["x-amz-sns-subscription-arn"] = subscription["SubscriptionArn"]
        body = messages.body_for(message, subscription["Protocol"])
        if raw:
            headers["x-amz-sns-rawdelivery"] = "true"
            payload = body.encode()
        else:
            payload = orjson.dumps(messages.notification(message, subscription, body))
    headers["x-amz-sns-message-id"] = message["MessageId"]
    policy = subscription["Attributes"].get("DeliveryPolicy")
    if policy:
        content_type = (orjson.loads(policy).get("requestPolicy") or {}).get("headerContentType")
        if content_type:
            headers["Content-Type"] = content_type
    try:
        response = await client.post(subscription["Endpoint"], content=payload, headers=headers,
                                     timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as error:
        raise DeliveryError(f"{subscription['Endpoint']} could not be reached: {error}") from None
    if 200 <= response.status_code < 300:
        return
    retry = response.status_code >= 500 or response.status_code == 429
    raise DeliveryError(f"{subscription['Endpoint']} answered {response.status_code}", retry=retry)


def _email(settings: Settings, subscription: dict[str, Any], kind: str, message: dict[str, Any]) -> None:
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server is configured (set LAMINA_SMTP_HOST and LAMINA_SMTP_PORT)")
    mail = EmailMessage()
    display = message.get("DisplayName") or "AWS Notifications"
    mail["From"] = formataddr((display, settings.smtp_sender))
    mail["To"] = subscription["Endpoint"]
    mail["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or None)
    topic = subscription["TopicArn"]
    if kind == "SubscriptionConfirmation":
        mail["Subject"] = "AWS Notification - Subscription Confirmation"
        url = messages.confirm_url(subscription["BaseUrl"], topic, subscription["Token"])
        mail.set_content(
            f"You have chosen to subscribe to the topic: \n{topic}\n\n"
            "To confirm this subscription, click or visit the link below (If this was in error no action is "
            f"necessary): \nConfirm subscription:\n{url}\n\n"
            "Please do not reply directly to this email. If you wish to remove yourself from receiving all future "
            "SNS subscription confirmation requests please send an email to sns-opt-out\n")
    elif subscription["Protocol"] == "email-json":
        mail["Subject"] = message.get("Subject") or "AWS Notification Message"
        body = messages.body_for(message, "email-json")
        mail.set_content(orjson.dumps(messages.notification(message, subscription, body)).decode() + "\n")
    else:
        mail["Subject"] = message.get("Subject") or "AWS Notification Message"
        unsubscribe = messages.unsubscribe_url(subscription["BaseUrl"], subscription["SubscriptionArn"])
        mail.set_content(
            messages.body_for(message, "email") + "\n\n--\nIf you wish to stop receiving notifications from this "
            f"topic, please click or visit the link below to unsubscribe:\n{unsubscribe}\n\n"
            "Please do not reply directly to this email.\n")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
        raise DeliveryError(f"the SMTP server {settings.smtp_host}:{settings.smtp_port} did not take the mail: "
                            f"{error}", retry=not permanent) from None
