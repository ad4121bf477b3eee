"""How long SNS waits before each retry of a failed delivery, per protocol
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).

- AWS-managed endpoints (Lambda, SQS): 3 immediate retries, 2 one second apart, 10 backing off
  exponentially from 1 to 20 seconds, then 100,000 twenty seconds apart (23 days).
- SMTP (email, email-json): 2 retries 10 seconds apart, 10 backing off from 10 to 600 seconds,
  then 38 ten minutes apart.
- HTTP/S: the subscription's or topic's DeliveryPolicy (``healthyRetryPolicy``), by default 3
  retries 20 seconds apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class RetryPolicy:
    num_retries: int
    min_delay: float
    max_delay: float
    no_delay_retries: int = 0
    min_delay_retries: int = 0
    max_delay_retries: int = 0
    backoff: str = "linear"

    def delay(self, retry: int) -> float | None:
        """Seconds to wait before retry number ``retry`` (1-based); None once retries are used up."""
        if retry > self.num_retries:
            return None
        if retry <= self.no_delay_retries:
            return 0.0
        if retry <= self.no_delay_retries + self.min_delay_retries:
            return self.min_delay
        backoff_count = self.num_retries - self.no_delay_retries - self.min_delay_retries - self.max_delay_retries
        step = retry - self.no_delay_retries - self.min_delay_retries
        if step > backoff_count or backoff_count <= 0:
            return self.max_delay
        fraction = step / backoff_count
        span = self.max_delay - self.min_delay
        if self.backoff == "exponential" and self.min_delay > 0:
            return self.min_delay * (self.max_delay / self.min_delay) ** fraction
        if self.backoff == "geometric":
            return self.min_delay + span * fraction ** 2
        if self.backoff == "arithmetic":
            return self.min_delay + span * fraction * (step + 1) / (backoff_count + 1)
        return self.min_delay + span * fraction


MANAGED = RetryPolicy(100_015, 1, 20, no_delay_retries=3, min_delay_retries=2, max_delay_retries=100_000,
                      backoff="exponential")
SMTP = RetryPolicy(50, 10, 600, min_delay_retries=2, max_delay_retries=38, backoff="exponential")
HTTP_DEFAULT = RetryPolicy(3, 20, 20)


def _from_document(policy: dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        num_retries=int(policy.get("numRetries", 3)), min_delay=float(policy.get("minDelayTarget", 20)),
        max_delay=float(policy.get("maxDelayTarget", 20)), no_delay_retries=int(policy.get("numNoDelayRetries", 0)),
        min_delay_retries=int(policy.get("numMinDelayRetries", 0)),
        max_delay_retries=int(policy.get("numMaxDelayRetries", 0)), backoff=policy.get("backoffFunction", "linear"))


def for_subscription(protocol: str, subscription_policy: str | None, topic_policy: str | None) -> RetryPolicy:
    if protocol in ("lambda", "sqs"):
        return MANAGED
    if protocol in ("email", "email-json"):
        return SMTP
    topic = orjson.loads(topic_policy).get("http", {}) if topic_policy else {}
    if subscription_policy and not topic.get("disableSubscriptionOverrides"):
        healthy = orjson.loads(subscription_policy).get("healthyRetryPolicy")
        if healthy:
            return _from_document(healthy)
    if topic.get("defaultHealthyRetryPolicy"):
        return _from_document(topic["defaultHealthyRetryPolicy"])
    return HTTP_DEFAULT


def check_document(text: str, where: str) -> None:
    """Refuse a DeliveryPolicy SNS would refuse (bad JSON, delays outside 1..3600 s, min above max)."""
    from lamina.services.sns.errors import InvalidParameterException

    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidParameterException(f"Invalid parameter: {where}: DeliveryPolicy is not valid JSON") from None
    policy = document.get("healthyRetryPolicy") or document.get("http", {}).get("defaultHealthyRetryPolicy")
    if not policy:
        return
    low, high = policy.get("minDelayTarget", 20), policy.get("maxDelayTarget", 20)
    if not (1 <= low <= high <= 3600):
        raise InvalidParameterException(
            f"Invalid parameter: {where}: DeliveryPolicy: minDelayTarget and maxDelayTarget must be between 1 and "
            "3600 seconds, with minDelayTarget <= maxDelayTarget")
